// The redaction guard every log line passes through.
//
// Two layers, because either alone misses something:
//  1. Known secrets: values the process holds (the Wiz bearer token and basic
//     password, approver tokens, the platform's AWS secret key and session
//     token) are registered at start-up; any occurrence in a line is replaced.
//  2. Shapes: text that looks like a credential whoever it belongs to — AWS
//     access key ids (AKIA/ASIA/AROA... + 16 upper-case alphanumerics), the value
//     after "Bearer " / "Basic " / "AWS4-HMAC-SHA256 Credential=", a 40-character
//     secret-key-looking run after "aws_secret_access_key" / "SecretAccessKey",
//     and the value of JSON members whose name says secret (authorization,
//     password, secret, token, api_key, x-amz-security-token, ...).
// Replacements are "[REDACTED]"; the rest of the line is kept so logs stay useful.
//
// Thread-safe: add_secret and redact may run concurrently.
#pragma once

#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace fixgate::logging {

inline constexpr std::string_view kRedacted = "[REDACTED]";

class Redactor {
 public:
  // Registers a secret value. Values shorter than 6 characters are ignored: they
  // would match ordinary words and make the log unreadable, and a credential
  // that short is not a credential.
  void add_secret(std::string_view value);

  // `line` with every known secret and every credential-shaped value replaced.
  std::string redact(std::string_view line) const;

 private:
  mutable std::shared_mutex mutex_;
  std::vector<std::string> secrets_;  // longest first, so a secret containing another is replaced whole
};

// Only the shape layer (no registered secrets), for callers without a Redactor.
std::string redact_shapes(std::string_view line);

}  // namespace fixgate::logging
