// The `notifications:` section of fixgate.yaml: where notifications go.
//
//   notifications:
//     outbox: .fixgate/notifications.db     # optional; the engine picks a default
//     delivery: {max_attempts: 6, initial_backoff_ms: 30000, max_backoff_ms: 3600000,
//                timeout_ms: 10000}
//     channels:
//       security-slack: {type: slack, url_env: SLACK_SECURITY_WEBHOOK}
//       sec-jira: {type: jira, base_url: "https://acme.atlassian.net", project: SEC,
//                  issue_type: Task, api_version: 3,
//                  auth: {email_env: JIRA_EMAIL, token_env: JIRA_API_TOKEN}}  # or {bearer_env: X}
//       oncall: {type: pagerduty, routing_key_env: PD_ROUTING_KEY}
//       soar: {type: webhook, url: "https://soar.example/hook", headers: {X-Team: sec},
//              secret_env: SOAR_HMAC_SECRET}
//       sec-topic: {type: sns, topic_arn: "arn:aws:sns:us-east-1:123456789012:sec"}
//       web-slack: {type: slack, url_env: SLACK_TEAM_WEB}
//     owner_channels: {team-web: web-slack}    # owner -> channel, used by "@owner"
//     default_owner_channel: security-slack    # "@owner" when the owner has no channel
//     routes:
//       - outcomes: [notify, reject]           # every listed condition must hold;
//         environments: [production]           # an absent list matches anything
//         owners: [team-web]
//         min_severity: HIGH
//         channels: ["@owner", security-slack]
//
// Secrets (webhook URLs with tokens, API tokens, routing keys, HMAC keys) are
// never written in the file: the file names environment variables, read only
// when a notification is rendered, so they never reach the outbox or a log.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "core/result.h"
#include "core/severity.h"
#include "decision/decision.h"

namespace fixgate::notify {

enum class ChannelType { slack, jira, pagerduty, webhook, sns };
const char* to_string(ChannelType type);

struct Channel {
  std::string name;
  ChannelType type = ChannelType::webhook;
  // slack: url_env. webhook: url or url_env. jira: base_url. pagerduty: url (the
  // Events API endpoint, default https://events.pagerduty.com/v2/enqueue).
  std::string url;
  std::string url_env;
  std::map<std::string, std::string> headers;      // webhook: literal, non-secret headers
  std::map<std::string, std::string> headers_env;  // webhook: header -> env var (secret headers)
  std::string secret_env;                          // webhook: HMAC-SHA256 signing key
  std::string routing_key_env;                     // pagerduty
  std::string project;                             // jira project key
  std::string issue_type = "Task";                 // jira
  int api_version = 3;                             // jira: 2 (plain description) or 3 (ADF)
  std::vector<std::string> labels;                 // jira
  std::string email_env;                           // jira basic auth: email + API token
  std::string token_env;
  std::string bearer_env;                          // jira personal access token
  std::string topic_arn;                           // sns
  std::string sns_region;                          // sns: the region inside topic_arn
};

struct Route {
  std::vector<Outcome> outcomes;
  std::vector<std::string> environments;  // "unknown" matches a finding with no environment
  std::vector<std::string> owners;        // "none" matches a finding with no owner
  std::optional<Severity> min_severity;
  std::vector<Severity> severities;
  std::vector<std::string> channels;      // channel names or "@owner"
};

struct DeliveryPolicy {
  int max_attempts = 6;
  std::chrono::milliseconds initial_backoff{30000};
  std::chrono::milliseconds max_backoff{3600000};
  std::chrono::milliseconds timeout{10000};
  // A claimed notification is invisible to other workers this long; a worker that
  // dies mid-delivery therefore delays it, never loses it.
  std::chrono::milliseconds lease{120000};
};

struct NotifyConfig {
  bool enabled = false;  // false when the section is absent
  std::string outbox;    // "" : the caller's default
  DeliveryPolicy delivery;
  std::map<std::string, Channel> channels;
  std::map<std::string, std::string> owner_channels;  // owner (case-insensitive) -> channel
  std::string default_owner_channel;
  std::vector<Route> routes;

  const Channel* find_channel(const std::string& name) const;
};

// Parses the section. Every problem found is reported at once: error code
// "notify.config" whose message lists each as "notifications.<path>: <what>"
// (prefixed with the section's file:line when `where` is given). A missing
// section is not an error: parse it from `nullptr` to get a disabled config.
Result<NotifyConfig> parse_notify_config(const nlohmann::json& section, const std::string& where = {});

// Reads Config::extra_sections["notifications"] (disabled when absent).
Result<NotifyConfig> load_notify_config(const Config& config);

}  // namespace fixgate::notify
