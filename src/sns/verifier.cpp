#include "sns/verifier.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <ctime>

#include "sns/sns_url.h"

namespace fixgate::sns {

struct SnsVerifier::CachedCert {
  std::unique_ptr<X509, void (*)(X509*)> cert{nullptr, X509_free};
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key{nullptr, EVP_PKEY_free};
};

SnsVerifier::SnsVerifier(CertFetcher& fetcher, VerifierOptions options)
    : fetcher_(fetcher), options_(std::move(options)) {}

SnsVerifier::~SnsVerifier() = default;

Result<SnsMessage> SnsVerifier::verify(std::string_view body) {
  auto parsed = parse_sns_message(body);
  if (!parsed) return parsed.error();
  return verify(std::move(*parsed));
}

Result<std::shared_ptr<const SnsVerifier::CachedCert>> SnsVerifier::certificate(const std::string& url) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(url); it != cache_.end()) return it->second;
  }
  // Fetched without the lock so a slow fetch never blocks cached verifications.
  auto pem = fetcher_.fetch(url);
  if (!pem) return pem.error();
  auto cached = std::make_shared<CachedCert>();
  std::unique_ptr<BIO, int (*)(BIO*)> bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())), BIO_free);
  if (bio) cached->cert.reset(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cached->cert) return make_error("sns.cert_invalid", "certificate at " + url + " is not a PEM X.509 certificate");
  cached->key.reset(X509_get_pubkey(cached->cert.get()));
  if (!cached->key || EVP_PKEY_get_base_id(cached->key.get()) != EVP_PKEY_RSA) {
    return make_error("sns.cert_invalid", "certificate at " + url + " does not carry an RSA public key");
  }
  std::lock_guard lock(mutex_);
  if (cache_.size() >= options_.max_cached_certs) cache_.clear();
  cache_[url] = cached;
  return std::shared_ptr<const CachedCert>(cached);
}

Result<SnsMessage> SnsVerifier::verify(SnsMessage message) {
  const EVP_MD* digest = nullptr;
  if (message.signature_version == "1") digest = EVP_sha1();
  else if (message.signature_version == "2") digest = EVP_sha256();
  else return make_error("sns.unsupported_signature_version", "SignatureVersion must be 1 or 2");

  if (auto ok = validate_cert_url(message.signing_cert_url); !ok) return ok.error();
  auto signature = decode_base64(message.signature);
  if (!signature) return signature.error();

  auto cert = certificate(message.signing_cert_url);
  if (!cert) return cert.error();

  if (!options_.skip_cert_date_check) {
    std::time_t now = std::chrono::system_clock::to_time_t(options_.now());
    if (X509_cmp_time(X509_get0_notAfter((*cert)->cert.get()), &now) <= 0) {
      return make_error("sns.cert_expired", "signing certificate has expired");
    }
    if (X509_cmp_time(X509_get0_notBefore((*cert)->cert.get()), &now) >= 0) {
      return make_error("sns.cert_not_yet_valid", "signing certificate is not yet valid");
    }
  }

  const std::string signed_text = string_to_sign(message);
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  // EVP_PKEY_verify-family functions are safe on a shared key for concurrent use.
  const bool verified =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, digest, nullptr, (*cert)->key.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()), signature->size(),
                       reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size()) == 1;
  if (!verified) {
    return make_error("sns.signature_mismatch",
                      "Signature does not match the signed fields (SignatureVersion " + message.signature_version + ")");
  }
  return message;
}

Result<void> SnsVerifier::confirm_subscription(const SnsMessage& message) {
  if (message.type != MessageType::subscription_confirmation) {
    return make_error("sns.not_a_confirmation", "only a SubscriptionConfirmation can be confirmed");
  }
  if (auto ok = validate_subscribe_url(message.subscribe_url); !ok) return ok.error();
  auto response = fetcher_.fetch(message.subscribe_url);
  if (!response) return response.error();
  return {};
}

}  // namespace fixgate::sns
