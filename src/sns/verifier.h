// Verifies SNS message signatures (SignatureVersion 1 = SHA1withRSA,
// 2 = SHA256withRSA) and confirms subscriptions.
//
// verify() runs every cheap check before anything is fetched, in this order:
//   parse (sns_message.h codes) → SignatureVersion known
//   ("sns.unsupported_signature_version") → SigningCertURL allowed
//   ("sns.cert_url_refused", never fetched) → Signature is base64
//   ("sns.bad_base64") → certificate fetched ("sns.fetch_failed",
//   "sns.fetch_too_large") and parsed ("sns.cert_invalid") → validity dates
//   against the injected clock ("sns.cert_expired", "sns.cert_not_yet_valid";
//   skipped only when skip_cert_date_check) → RSA signature over
//   string_to_sign() ("sns.signature_mismatch").
// Success means every signed field is exactly what SNS signed.
//
// The certificate chain is not walked: trust comes from fetching the cert over
// verified HTTPS from an SNS host (what the AWS SDK validators do too).
// Certificates are cached by URL (a bounded cache; failures are never cached).
// All methods may be called from several threads at once.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/result.h"
#include "sns/cert_fetcher.h"
#include "sns/sns_message.h"

namespace fixgate::sns {

using WallClock = std::function<std::chrono::system_clock::time_point()>;

struct VerifierOptions {
  WallClock now = [] { return std::chrono::system_clock::now(); };
  // Only for fixtures whose (real) certificate has since expired. Never set in
  // production configuration.
  bool skip_cert_date_check = false;
  size_t max_cached_certs = 32;
};

class SnsVerifier {
 public:
  // `fetcher` must outlive the verifier.
  explicit SnsVerifier(CertFetcher& fetcher, VerifierOptions options = {});
  ~SnsVerifier();
  SnsVerifier(const SnsVerifier&) = delete;
  SnsVerifier& operator=(const SnsVerifier&) = delete;

  // Parses and verifies one envelope; see the order of checks above.
  Result<SnsMessage> verify(std::string_view body);
  // Verifies an already-parsed envelope (e.g. one Lambda event record).
  Result<SnsMessage> verify(SnsMessage message);

  // For a verified SubscriptionConfirmation: validates SubscribeURL
  // ("sns.subscribe_url_refused", never fetched) and GETs it through the fetcher
  // ("sns.fetch_failed"). Any other type fails with "sns.not_a_confirmation".
  Result<void> confirm_subscription(const SnsMessage& message);

 private:
  struct CachedCert;
  Result<std::shared_ptr<const CachedCert>> certificate(const std::string& url);

  CertFetcher& fetcher_;
  VerifierOptions options_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const CachedCert>> cache_;
};

}  // namespace fixgate::sns
