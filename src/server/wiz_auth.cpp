#include "server/wiz_auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "core/text.h"
#include "sns/sns_message.h"

namespace fixgate::server {

WizAuthenticator::Digest WizAuthenticator::digest(std::string_view text) {
  Digest out{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), out.data());
  return out;
}

WizAuthenticator::WizAuthenticator(const WizAuth& config) {
  if (!config.bearer_token.empty()) {
    has_bearer_ = true;
    bearer_ = digest(config.bearer_token);
  }
  if (!config.basic_user.empty() && !config.basic_password.empty()) {
    has_basic_ = true;
    basic_user_ = digest(config.basic_user);
    basic_password_ = digest(config.basic_password);
  }
}

namespace {

bool same(const std::array<unsigned char, 32>& a, const std::array<unsigned char, 32>& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

AuthResult WizAuthenticator::check(std::string_view authorization) const {
  const std::string header = trim(authorization);
  if (header.empty()) return AuthResult::missing;
  const size_t space = header.find(' ');
  if (space == std::string::npos) return AuthResult::malformed;
  const std::string scheme = to_lower(header.substr(0, space));
  const std::string credentials = trim(std::string_view(header).substr(space + 1));
  if (credentials.empty()) return AuthResult::malformed;

  if (scheme == "bearer") {
    // Hash even when no token is configured so the timing does not tell.
    const bool match = same(digest(credentials), bearer_);
    return has_bearer_ && match ? AuthResult::ok : AuthResult::wrong;
  }
  if (scheme == "basic") {
    auto decoded = sns::decode_base64(credentials);
    if (!decoded) return AuthResult::malformed;
    const size_t colon = decoded->find(':');
    if (colon == std::string::npos) return AuthResult::malformed;
    const bool user_ok = same(digest(std::string_view(*decoded).substr(0, colon)), basic_user_);
    const bool password_ok = same(digest(std::string_view(*decoded).substr(colon + 1)), basic_password_);
    return has_basic_ && (user_ok & password_ok) ? AuthResult::ok : AuthResult::wrong;
  }
  return AuthResult::malformed;
}

std::vector<std::string> WizAuthenticator::challenges() const {
  std::vector<std::string> out;
  if (has_bearer_ || !has_basic_) out.emplace_back("Bearer realm=\"fixgate\"");
  if (has_basic_) out.emplace_back("Basic realm=\"fixgate\", charset=\"UTF-8\"");
  return out;
}

}  // namespace fixgate::server
