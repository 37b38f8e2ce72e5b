// The only way the SNS code reaches the network: an HTTPS GET behind an
// interface, so tests serve the corpus certificate from memory and production
// uses libcurl. Used for SigningCertURL (fetch the signing certificate) and for
// SubscribeURL (confirm a subscription). Callers validate the URL (sns_url.h)
// before calling; implementations fetch exactly the URL given.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "core/result.h"

namespace fixgate::sns {

class CertFetcher {
 public:
  virtual ~CertFetcher() = default;

  // GETs `url`. Returns the body on a 2xx status. Fails with "sns.fetch_failed"
  // (connection, TLS, timeout, non-2xx; the message names which) or
  // "sns.fetch_too_large" (body over the implementation's cap). May be called
  // from several threads at once.
  virtual Result<std::string> fetch(const std::string& url) = 0;
};

struct CurlFetcherOptions {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds total_timeout{10000};
  size_t max_body_bytes = 64 * 1024;  // an SNS PEM is ~2 KiB; a confirm response ~0.5 KiB
  std::string ca_file;                // PEM trust anchors; empty = the system store
};

// Production fetcher: libcurl, https only (no other protocol, no redirects),
// peer and host verification on, the timeouts and size cap above.
class CurlCertFetcher final : public CertFetcher {
 public:
  explicit CurlCertFetcher(CurlFetcherOptions options = {});
  Result<std::string> fetch(const std::string& url) override;

 private:
  CurlFetcherOptions options_;
};

}  // namespace fixgate::sns
