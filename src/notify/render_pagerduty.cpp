// PagerDuty Events API v2 trigger event (developer.pagerduty.com, "Send an
// alert event"): dedup_key is the correlation id and outcome, so a redelivered
// notification updates the same alert instead of opening a second incident.
#include "core/text.h"
#include "notify/message.h"
#include "notify/render.h"

namespace fixgate::notify {

using nlohmann::json;

const char* pagerduty_severity(std::string_view fixgate_severity) {
  const std::string s = to_lower(fixgate_severity);
  if (s == "critical") return "critical";
  if (s == "high") return "error";
  if (s == "medium") return "warning";
  return "info";
}

json pagerduty_event(const std::string& routing_key, const json& message) {
  const json& f = message["finding"];
  std::string source = text_of(f, "resource");
  if (source.empty()) source = text_of(f, "account");
  if (source.empty()) source = "fixgate";
  json payload = {
      {"summary", truncate_chars(headline(message), 1024)},
      {"source", truncate_chars(source, 255)},
      {"severity", pagerduty_severity(text_of(f, "severity"))},
      {"timestamp", text_of(message, "decided_at")},
      {"class", text_of(message, "outcome")},
      {"custom_details", message},
  };
  if (!text_of(f, "resource_type").empty()) payload["component"] = text_of(f, "resource_type");
  if (!text_of(f, "account").empty()) payload["group"] = text_of(f, "account");
  return {
      {"routing_key", routing_key},
      {"event_action", "trigger"},
      {"dedup_key", truncate_chars(text_of(message, "correlation_id") + ":" + text_of(message, "outcome"), 255)},
      {"payload", payload},
      {"client", "fixgate"},
  };
}

Result<Delivery> render_pagerduty(const Channel& channel, const json& message, const RenderContext& context) {
  auto key = read_secret(context.env, channel.routing_key_env, "PagerDuty routing key of channel " + channel.name);
  if (!key) return key.error();
  Delivery d;
  d.type = ChannelType::pagerduty;
  d.url = channel.url;
  d.headers = {{"Content-Type", "application/json"}};
  d.body = dump(pagerduty_event(*key, message));
  return d;
}

}  // namespace fixgate::notify
