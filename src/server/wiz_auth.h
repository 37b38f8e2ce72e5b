// Authenticates the Wiz automation webhook.
//
// Wiz sends either "Authorization: Bearer <token>" or HTTP Basic
// ("Authorization: Basic base64(user:password)"). The presented secret is
// compared in constant time: both sides are hashed with SHA-256 and the equal-
// length digests compared with CRYPTO_memcmp, so neither the content nor the
// length of the configured secret leaks through timing. The configured secrets
// are kept only as digests once constructed.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "server/server_options.h"

namespace fixgate::server {

enum class AuthResult { ok, missing, malformed, wrong };

class WizAuthenticator {
 public:
  explicit WizAuthenticator(const WizAuth& config);

  // Checks the raw Authorization header value ("" when absent). `missing`: no
  // header; `malformed`: a scheme we do not accept or undecodable Basic
  // credentials; `wrong`: well-formed but not matching (or no secret configured
  // for that scheme).
  AuthResult check(std::string_view authorization) const;

  // Values for WWW-Authenticate on a 401, one per configured scheme (Bearer
  // when nothing is configured, so there is always a challenge).
  std::vector<std::string> challenges() const;

 private:
  using Digest = std::array<unsigned char, 32>;
  static Digest digest(std::string_view text);

  bool has_bearer_ = false;
  bool has_basic_ = false;
  Digest bearer_{};
  Digest basic_user_{};
  Digest basic_password_{};
};

}  // namespace fixgate::server
