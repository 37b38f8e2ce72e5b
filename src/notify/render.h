// Renders a notification (message.h) into the exact request each service
// documents. One file per channel: render_slack.cpp, render_jira.cpp,
// render_pagerduty.cpp, render_webhook.cpp, render_sns.cpp.
//
//   slack      POST <webhook url>  {text, blocks}: Block Kit header/section/context;
//              every attacker-controlled text has & < > escaped as &amp; &lt; &gt;
//              (Slack's only control characters), so a finding cannot mention
//              @channel, inject links or break formatting out of its field.
//   jira       POST <base>/rest/api/{2|3}/issue  {fields: {project.key, summary
//              (one line, ≤255), description (v2: text, v3: ADF doc), issuetype.name,
//              labels}}; Authorization Basic base64(email:token) or Bearer.
//   pagerduty  POST <url> Events API v2 {routing_key, event_action "trigger",
//              dedup_key (≤255), payload {summary ≤1024, source, severity in
//              critical|error|warning|info, timestamp, component, group, class,
//              custom_details}, client}.
//   webhook    POST <url> the message JSON itself; X-Fixgate-Delivery (stable id
//              for receiver-side dedupe), X-Fixgate-Event (the outcome), and with a
//              secret X-Fixgate-Timestamp (unix seconds) and X-Fixgate-Signature
//              "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body).
//   sns        SNS Publish (Query protocol, 2010-03-31): TopicArn, Message (the
//              message JSON, ≤256 KiB), Subject (printable ASCII, ≤100 chars).
//
// Secrets are read from the environment here, at render time, and live only in
// the returned Delivery: callers must not log its url or headers.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "aws/protocols.h"
#include "config/expandable.h"
#include "core/result.h"
#include "notify/notify_config.h"

namespace fixgate::notify {

struct RenderContext {
  EnvLookup env;
  std::chrono::system_clock::time_point now{};
  std::string delivery_id;  // stable per (correlation id, channel, outcome)
};

// One ready-to-send request. For sns only `sns` is set.
struct Delivery {
  ChannelType type = ChannelType::webhook;
  std::string url;  // may embed a secret (Slack): never log it
  aws::KeyValues headers;
  std::string body;
  std::optional<aws::Operation> sns;
};

// Errors: "notify.secret_missing" naming the environment variable (never a
// value); "notify.render" when the service's limits cannot be met (an SNS
// message over 256 KiB).
Result<Delivery> render(const Channel& channel, const nlohmann::json& message, const RenderContext& context);

// The payload builders, exposed for the schema tests.
std::string slack_escape(std::string_view text);
nlohmann::json slack_payload(const nlohmann::json& message);
nlohmann::json jira_issue(const Channel& channel, const nlohmann::json& message);
nlohmann::json pagerduty_event(const std::string& routing_key, const nlohmann::json& message);
// critical→critical, high→error, medium→warning, anything else→info.
const char* pagerduty_severity(std::string_view fixgate_severity);
std::string webhook_signature(std::string_view secret, std::string_view timestamp, std::string_view body);
// Printable ASCII only (others become '?'), at most 100 characters.
std::string sns_subject(const nlohmann::json& message);
const aws::ServiceInfo& sns_service();
aws::Operation sns_publish(const std::string& topic_arn, const std::string& message, const std::string& subject);

// The secret named by `env_name`, or notify.secret_missing naming it and `what`.
Result<std::string> read_secret(const EnvLookup& env, const std::string& env_name, const std::string& what);

}  // namespace fixgate::notify
