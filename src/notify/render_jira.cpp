// Jira Cloud / Data Center "create issue": POST /rest/api/2/issue (description is
// wiki-markup text) or /rest/api/3/issue (description is an Atlassian Document
// Format doc). The summary is one line of at most 255 characters.
#include <algorithm>

#include "aws/crypto.h"
#include "core/text.h"
#include "notify/message.h"
#include "notify/render.h"

namespace fixgate::notify {

using nlohmann::json;

namespace {

// In v2 the finding's text sits inside {noformat} blocks, where wiki markup is
// inert; the only way out is the closing tag itself, so it is broken up.
std::string noformat_safe(std::string text) {
  for (size_t at = 0; (at = to_lower(text).find("{noformat", at)) != std::string::npos; at += 2) text.insert(at + 1, " ");
  return text;
}

json adf_text(const std::string& text) { return {{"type", "text"}, {"text", text}}; }

json adf_paragraph(const std::string& text) {
  return {{"type", "paragraph"}, {"content", json::array({adf_text(text.empty() ? "-" : text)})}};
}

json adf_description(const json& message) {
  json content = json::array();
  content.push_back({{"type", "heading"}, {"attrs", {{"level", 3}}}, {"content", json::array({adf_text("fixgate " + text_of(message, "outcome"))})}});
  json items = json::array();
  for (const auto& line : text_lines(message)) {
    items.push_back({{"type", "listItem"}, {"content", json::array({adf_paragraph(line)})}});
  }
  content.push_back({{"type", "bulletList"}, {"content", items}});
  if (const std::string plan = plan_text(message); !plan.empty()) {
    content.push_back(adf_paragraph("Remediation plan (" + text_of(message, "action") + "), the exact API calls:"));
    content.push_back({{"type", "codeBlock"}, {"attrs", {{"language", "json"}}}, {"content", json::array({adf_text(plan)})}});
  }
  return {{"type", "doc"}, {"version", 1}, {"content", content}};
}

std::string wiki_description(const json& message) {
  std::string out = "h3. fixgate " + text_of(message, "outcome") + "\n{noformat}\n";
  for (const auto& line : text_lines(message)) out += noformat_safe(line) + "\n";
  out += "{noformat}\n";
  if (const std::string plan = plan_text(message); !plan.empty()) {
    out += "Remediation plan, the exact API calls:\n{noformat}\n" + noformat_safe(plan) + "\n{noformat}\n";
  }
  return out;
}

}  // namespace

json jira_issue(const Channel& channel, const json& message) {
  json fields = {
      {"project", {{"key", channel.project}}},
      {"summary", truncate_chars(headline(message), 255)},
      {"issuetype", {{"name", channel.issue_type}}},
  };
  fields["description"] = channel.api_version == 2 ? json(wiki_description(message)) : adf_description(message);
  json labels = json::array({"fixgate", "fixgate-" + text_of(message, "outcome")});
  for (const auto& l : channel.labels) labels.push_back(l);
  fields["labels"] = labels;
  return {{"fields", fields}};
}

Result<Delivery> render_jira(const Channel& channel, const json& message, const RenderContext& context) {
  Delivery d;
  d.type = ChannelType::jira;
  d.url = channel.url + "/rest/api/" + std::to_string(channel.api_version) + "/issue";
  if (!channel.bearer_env.empty()) {
    auto token = read_secret(context.env, channel.bearer_env, "Jira token of channel " + channel.name);
    if (!token) return token.error();
    d.headers.emplace_back("Authorization", "Bearer " + *token);
  } else {
    auto email = read_secret(context.env, channel.email_env, "Jira user of channel " + channel.name);
    if (!email) return email.error();
    auto token = read_secret(context.env, channel.token_env, "Jira API token of channel " + channel.name);
    if (!token) return token.error();
    d.headers.emplace_back("Authorization", "Basic " + aws::base64_encode(*email + ":" + *token));
  }
  d.headers.emplace_back("Content-Type", "application/json");
  d.headers.emplace_back("Accept", "application/json");
  d.body = dump(jira_issue(channel, message));
  return d;
}

}  // namespace fixgate::notify
