// The `approvals:` section of the configuration (kept by the config loader as
// an extra section; this component owns its meaning):
//
//   approvals:
//     ttl: 24h                 # how long a request waits: <n>s|m|h|d (default 24h)
//     requested_by: fixgate    # who the pipeline's requests are from
//     api_tokens:              # REST approvers: name -> bearer token
//       alice: "${FIXGATE_APPROVER_ALICE}"
//
// The REST API identifies the approver by the token presented, never by what
// the request body claims, so "an approver can't approve their own request"
// holds for API callers too. Tokens may name environment variables; the values
// never appear in an error.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "approvals/service.h"
#include "config/config.h"
#include "config/expandable.h"
#include "core/result.h"

namespace fixgate::approvals {

struct ApiOptions {
  std::map<std::string, std::string> tokens;  // approver name -> bearer token (at least 16 characters)
};

struct ApprovalsSettings {
  ServiceOptions service;
  ApiOptions api;
};

// Reads config.extra_sections["approvals"] (absent: defaults, no API tokens).
// Errors ("config.invalid_approvals") name the key, e.g.
// "approvals.ttl: \"3 weeks\" is not a duration like 30m, 24h or 7d";
// "config.env_missing" names the variable of an unset token.
Result<ApprovalsSettings> settings_from_config(const Config& config, const EnvLookup& env = process_environment());

// "30s", "15m", "24h", "7d" → seconds; nullopt for anything else or zero.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace fixgate::approvals
