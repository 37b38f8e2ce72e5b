// AWS credentials and the providers that produce them.
//
// A Credentials value never prints its secret: to_string() and operator<< show the
// access key id, the source and the expiry only. Providers return AwsOutcome so a
// failed AssumeRole reaches the caller as a typed error with its request id.
// The standard chain (environment, shared files, web identity, ECS, IMDS) is in
// credential_chain.h.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>

#include "aws/environment.h"
#include "aws/errors.h"

namespace fixgate::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  std::optional<std::chrono::system_clock::time_point> expiration;  // nullopt: does not expire
  std::string source;  // "environment", "profile:dev", "assume-role", "imds", ...

  // "Credentials{AKIA…, source=environment, expires=2026-11-25T13:00:00Z}" — no secrets.
  std::string to_string() const;
};
std::ostream& operator<<(std::ostream& out, const Credentials& credentials);

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Current credentials, or a typed error (kind other, code "CredentialsNotFound",
  // when this provider has nothing to offer). Thread-safe.
  virtual AwsOutcome<Credentials> get() = 0;
  // Forget cached credentials (the service said they expired); next get() fetches anew.
  virtual void invalidate() {}
};

// Fixed credentials (tests, or credentials handed over by a broker).
class StaticCredentialsProvider final : public CredentialsProvider {
 public:
  explicit StaticCredentialsProvider(Credentials credentials) : credentials_(std::move(credentials)) {}
  AwsOutcome<Credentials> get() override { return credentials_; }

 private:
  Credentials credentials_;
};

// Caches another provider's credentials and fetches new ones `refresh_before` ahead of
// their expiry (default 5 minutes), so a call never starts with credentials about to
// lapse. If a refresh fails while the cached credentials are still valid, they are
// kept and the error is dropped; once expired, the error is returned.
class RefreshingCredentialsProvider final : public CredentialsProvider {
 public:
  RefreshingCredentialsProvider(std::shared_ptr<CredentialsProvider> inner, std::shared_ptr<Clock> clock,
                                std::chrono::seconds refresh_before = std::chrono::minutes(5));
  AwsOutcome<Credentials> get() override;
  void invalidate() override;

 private:
  std::shared_ptr<CredentialsProvider> inner_;
  std::shared_ptr<Clock> clock_;
  std::chrono::seconds refresh_before_;
  std::mutex mutex_;
  std::optional<Credentials> cached_;
};

// The error a provider returns when it has no credentials to offer.
AwsError credentials_not_found(std::string why);
bool is_credentials_not_found(const AwsError& error);

// ISO 8601 / RFC 3339 UTC timestamps as AWS writes them: "2026-11-25T13:00:00Z",
// "2026-11-25T13:00:00.000Z", "2026-11-25T13:00:00+00:00".
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);
std::string format_iso8601(std::chrono::system_clock::time_point time);

}  // namespace fixgate::aws
