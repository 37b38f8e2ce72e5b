// The credential broker's settings, read from the optional top-level `broker:`
// section of the fixgate configuration (src/config keeps unknown top-level
// sections in Config::extra_sections; the access settings themselves — role_arn
// template, external_id, session_duration_s — stay in `accounts:`).
//
//   broker:
//     session_scope: finding        # finding (default) | account
//     refresh_skew_seconds: 300     # renew this long before expiry (0..899)
//     session_prefix: fixgate-      # role session name prefix ([\w+=,.@-], 1..20 chars)
//     max_cached_sessions: 10000    # in-memory bound (1..1000000)
//
// session_scope resolves the tension in issue #3 between per-finding session
// names and per account+role caching:
//   finding  one session per account + role + correlation id. Precheck, apply,
//            verify, retries, rollback and duplicate deliveries of one finding
//            share it; its name, SourceIdentity and tags carry that finding, so
//            CloudTrail alone tells which finding made a change.
//   account  one session per account + role until shortly before expiry,
//            shared by many findings (fewer STS calls at volume). Its name and
//            tags cannot name one finding, so the audit record of every use
//            carries the session's AccessKeyId and name; CloudTrail events join
//            back to the finding through those.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "core/result.h"

namespace fixgate::broker {

enum class SessionScope { finding, account };
const char* to_string(SessionScope scope);

struct BrokerOptions {
  SessionScope scope = SessionScope::finding;
  std::chrono::seconds refresh_skew{300};
  std::string session_prefix = "fixgate-";
  size_t max_cached_sessions = 10000;
};

// Reads a `broker:` section (a JSON object as the config loader converted it).
// Errors ("broker.invalid_config") name the key: "broker.session_scope must be
// finding or account, got \"x\"", unknown keys included.
Result<BrokerOptions> broker_options_from_json(const nlohmann::json& section);

// The section from a loaded Config; defaults when it has no `broker:` section.
Result<BrokerOptions> broker_options_from_config(const Config& config);

}  // namespace fixgate::broker
