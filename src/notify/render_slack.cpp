// Slack incoming webhook: a Block Kit message with a plain `text` fallback.
// Limits honoured: header text ≤150 chars, section text ≤3000, field text ≤2000,
// context element ≤2000 (docs: api.slack.com/reference/block-kit/blocks).
#include "notify/message.h"
#include "notify/render.h"

namespace fixgate::notify {

using nlohmann::json;

std::string slack_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

// Escapes first, then truncates, then repairs a cut entity so no "&am" is left.
std::string mrkdwn(std::string_view raw, size_t max_chars) {
  std::string text = truncate_chars(slack_escape(raw), max_chars);
  const size_t amp = text.rfind('&');
  if (amp != std::string::npos && text.find(';', amp) == std::string::npos) text = text.substr(0, amp) + "…";
  return text;
}

json section(const std::string& text) { return {{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", text}}}}; }

json field(const std::string& label, const std::string& value) {
  return {{"type", "mrkdwn"}, {"text", mrkdwn("*" + label + "*\n" + (value.empty() ? "—" : value), 2000)}};
}

}  // namespace

json slack_payload(const json& message) {
  const json& f = message["finding"];
  const std::string outcome = text_of(message, "outcome");
  json blocks = json::array();
  blocks.push_back({{"type", "header"},
                    {"text", {{"type", "plain_text"}, {"text", "fixgate: " + outcome + " (" + text_of(f, "severity") + ")"}}}});
  blocks.push_back(section(mrkdwn(text_of(f, "title").empty() ? "finding " + text_of(f, "id") : text_of(f, "title"), 3000)));
  blocks.push_back({{"type", "section"},
                    {"fields",
                     {field("Resource", text_of(f, "resource")), field("Type", text_of(f, "resource_type")),
                      field("Account", text_of(f, "account")), field("Severity", text_of(f, "severity")),
                      field("Environment", text_of(message, "environment")), field("Owner", text_of(message, "owner"))}}});
  std::string reasons = "*Decision: " + outcome + "*";
  for (const json& r : message["reasons"]) reasons += "\n• " + text_of(r, "code") + ": " + text_of(r, "detail");
  blocks.push_back(section(mrkdwn(reasons, 3000)));
  std::string owners = "*Owner candidates*";
  if (message["owners"].empty()) owners += "\nnone found";
  for (const json& o : message["owners"]) {
    owners += "\n• " + text_of(o, "owner") + " (" + text_of(o, "source") + ")";
    if (!text_of(o, "evidence").empty()) owners += ": " + text_of(o, "evidence");
  }
  blocks.push_back(section(mrkdwn(owners, 3000)));
  if (const std::string plan = plan_text(message); !plan.empty()) {
    // The fence is added after escaping and truncating so it always closes.
    blocks.push_back(section("*Remediation plan* (" + mrkdwn(text_of(message, "action"), 200) + ")\n```" +
                             mrkdwn(plan, 2700) + "```"));
  }
  if (message.contains("action_result")) {
    const json& r = message["action_result"];
    blocks.push_back(section(mrkdwn("*Action result*: " + text_of(r, "status") + " — " + text_of(r, "reason"), 3000)));
  }
  blocks.push_back({{"type", "context"},
                    {"elements", {{{"type", "mrkdwn"}, {"text", mrkdwn("correlation id " + text_of(message, "correlation_id") +
                                                                            " · decided " + text_of(message, "decided_at"), 2000)}}}}});
  return {{"text", mrkdwn(headline(message), 3000)}, {"blocks", blocks}};
}

Result<Delivery> render_slack(const Channel& channel, const json& message, const RenderContext& context) {
  auto url = read_secret(context.env, channel.url_env, "Slack webhook URL of channel " + channel.name);
  if (!url) return url.error();
  Delivery d;
  d.type = ChannelType::slack;
  d.url = *url;
  d.headers = {{"Content-Type", "application/json; charset=utf-8"}};
  d.body = dump(slack_payload(message));
  return d;
}

}  // namespace fixgate::notify
