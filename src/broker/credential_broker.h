// CredentialBroker: the only place fixgate turns its platform identity into
// credentials in a customer account. For each request it looks up the account's
// access settings (Config::access_for: role ARN template, external id,
// duration), calls STS AssumeRole with a session name, SourceIdentity and
// session tags that trace back to the finding (session_naming.h), and caches
// the result in memory.
//
// Cache key: account + role ARN (+ correlation id under session_scope: finding,
// see broker_options.h). A cached session is served until `refresh_skew`
// before its expiry; then the next caller assumes the role again. N threads
// asking for one key while it is missing or stale cause ONE AssumeRole: the
// first caller performs it, the others wait for its result (success or error).
//
// Secrets: credentials live only in this object's memory and in what acquire()
// returns; SessionInfo (the part meant for audit records and evidence) has the
// access key id but never the secret key or session token. Nothing is logged
// and nothing is written to disk. Failures are not cached: the next caller
// tries again.
//
// Errors from acquire(): the role lookup's error ("config.account_not_configured",
// "config.env_missing", ...), or "sts.<AWS error code>" when STS refuses, e.g.
// "sts.AccessDenied" (the role does not trust fixgate, or the external id
// differs: STS does not tell the two apart), with the role ARN, session name and
// AWS request id in the message. Refusals are not retried (the AWS client
// retries only throttling and transient failures).
//
// Thread-safe: every method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/sts.h"
#include "broker/broker_options.h"
#include "config/config.h"
#include "core/result.h"

namespace fixgate::broker {

struct SessionRequest {
  std::string account;         // 12 digits
  std::string correlation_id;  // the decision's; names the session under scope finding
  std::string finding_id;      // tagged on the session under scope finding
};

// Which session made a change: safe to audit and to show (no secret).
struct SessionInfo {
  std::string account;
  std::string role_arn;
  std::string session_name;
  std::string source_identity;
  std::string assumed_role_arn;  // arn:aws:sts::<acct>:assumed-role/<role>/<session>
  std::string assumed_role_id;   // AROA…:<session>
  std::string access_key_id;     // ASIA… — what CloudTrail records as accessKeyId
  std::string expiration;        // ISO 8601 UTC
  std::string assume_request_id; // the AssumeRole call that issued it
  SessionScope scope = SessionScope::finding;
  bool reused = false;           // served from the cache

  nlohmann::json to_json() const;
};

struct BrokeredSession {
  aws::Credentials credentials;  // secret: never serialise
  SessionInfo info;
};

struct BrokerStats {
  uint64_t hits = 0;          // served from the cache
  uint64_t assume_calls = 0;  // AssumeRole calls made (single-flight: one per key and refresh)
  uint64_t waits = 0;         // callers that waited for another caller's AssumeRole
  uint64_t failures = 0;      // AssumeRole calls that failed
  size_t cached = 0;          // sessions held now
};

class CredentialBroker {
 public:
  using RoleLookup = std::function<Result<AccountAccess>(const std::string& account)>;
  using Assumer = std::function<aws::AwsOutcome<aws::AssumedRole>(const aws::AssumeRoleRequest&)>;

  // `clock` decides freshness (default: the system clock).
  CredentialBroker(Assumer assumer, RoleLookup lookup, BrokerOptions options = {},
                   std::shared_ptr<aws::Clock> clock = nullptr);

  // Credentials acting in request.account, cached or freshly assumed (see above).
  Result<BrokeredSession> acquire(const SessionRequest& request);

  // Forgets the cached session for `request` if it still holds `access_key_id`
  // (a service answered ExpiredToken); the next acquire() assumes anew.
  void invalidate(const SessionRequest& request, const std::string& access_key_id);

  // A provider for aws::ClientConfig::credentials that acquires for `request`
  // on every get() (a cache hit in steady state) and invalidates on an expired
  // token, so the AWS client's one refresh-and-retry reaches STS. The broker
  // must outlive it.
  std::shared_ptr<aws::CredentialsProvider> provider_for(const SessionRequest& request);

  BrokerStats stats() const;
  const BrokerOptions& options() const { return options_; }

 private:
  struct Flight;
  struct Entry {
    std::optional<BrokeredSession> session;
    std::shared_ptr<Flight> flight;  // non-null while one caller assumes for this key
  };

  std::string cache_key(const SessionRequest& request, const std::string& role_arn) const;
  aws::AssumeRoleRequest make_request(const SessionRequest& request, const AccountAccess& access) const;
  bool fresh(const BrokeredSession& session) const;
  void evict_locked();  // requires mutex_

  Assumer assumer_;
  RoleLookup lookup_;
  BrokerOptions options_;
  std::shared_ptr<aws::Clock> clock_;

  mutable std::mutex mutex_;
  std::condition_variable landed_;
  std::map<std::string, Entry> cache_;  // guarded by mutex_
  std::atomic<uint64_t> hits_{0}, assume_calls_{0}, waits_{0}, failures_{0};
};

// AssumeRole through `sts` (fixgate's platform client: credential chain, STS endpoint).
CredentialBroker::Assumer sts_assumer(std::shared_ptr<aws::AwsClient> sts);

// Config::access_for as a lookup; `config` must outlive the broker.
CredentialBroker::RoleLookup config_role_lookup(const Config& config);

}  // namespace fixgate::broker
