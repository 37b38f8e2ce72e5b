// Validators for each service's documented request schema, used by the render
// tests and by the loopback receivers. Each returns the list of violations
// (empty when the payload conforms), so a failing test says what is wrong.
//
//   Slack   Block Kit (api.slack.com/reference/block-kit): ≤50 blocks; header
//           plain_text ≤150; section mrkdwn text ≤3000, ≤10 fields of ≤2000;
//           context ≤10 elements of ≤2000; text is the notification fallback.
//           Our renderer never emits links or mentions, so any raw '<' or '>' (or
//           an '&' that does not start &amp; &lt; &gt;) is an escaping failure.
//   Jira    POST /rest/api/{2,3}/issue: fields.project.key, fields.summary (string,
//           ≤255, no line break), fields.issuetype.name, fields.description (v2:
//           string; v3: ADF {type:"doc", version:1, content:[block nodes]} whose
//           text nodes are non-empty strings).
//   PagerDuty Events API v2: routing_key (32 chars in real integrations; non-empty
//           here), event_action ∈ {trigger, acknowledge, resolve}, dedup_key ≤255,
//           payload.summary ≤1024, payload.source non-empty, payload.severity ∈
//           {critical, error, warning, info}, payload.custom_details an object.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "notify/message.h"

namespace fixgate::notify::testing {

using nlohmann::json;
using Problems = std::vector<std::string>;

inline size_t char_count(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

inline void check_slack_text(const std::string& where, const json& text, size_t max, Problems& out) {
  if (!text.is_string()) {
    out.push_back(where + ": not a string");
    return;
  }
  const std::string s = text.get<std::string>();
  if (s.empty()) out.push_back(where + ": empty");
  if (char_count(s) > max) out.push_back(where + ": longer than " + std::to_string(max));
  if (s.find_first_of("<>") != std::string::npos) out.push_back(where + ": unescaped < or >: " + s);
  for (size_t at = s.find('&'); at != std::string::npos; at = s.find('&', at + 1)) {
    const std::string rest = s.substr(at);
    if (rest.rfind("&amp;", 0) != 0 && rest.rfind("&lt;", 0) != 0 && rest.rfind("&gt;", 0) != 0) {
      out.push_back(where + ": bare &");
    }
  }
}

inline Problems slack_problems(const json& p) {
  Problems out;
  if (!p.is_object()) return {"payload is not an object"};
  check_slack_text("text", p.value("text", json()), 40000, out);
  const json blocks = p.value("blocks", json());
  if (!blocks.is_array() || blocks.empty() || blocks.size() > 50) return out.push_back("blocks: 1..50 required"), out;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const json& b = blocks[i];
    const std::string where = "blocks[" + std::to_string(i) + "]";
    const std::string type = b.value("type", "");
    if (type == "header") {
      if (b["text"].value("type", "") != "plain_text") out.push_back(where + ".text.type: must be plain_text");
      check_slack_text(where + ".text.text", b["text"].value("text", json()), 150, out);
    } else if (type == "section") {
      if (!b.contains("text") && !b.contains("fields")) out.push_back(where + ": text or fields required");
      if (b.contains("text")) {
        if (b["text"].value("type", "") != "mrkdwn") out.push_back(where + ".text.type: must be mrkdwn");
        check_slack_text(where + ".text.text", b["text"].value("text", json()), 3000, out);
      }
      if (b.contains("fields")) {
        if (!b["fields"].is_array() || b["fields"].size() > 10) out.push_back(where + ".fields: at most 10");
        for (const json& f : b["fields"]) check_slack_text(where + ".fields[]", f.value("text", json()), 2000, out);
      }
    } else if (type == "context") {
      if (!b["elements"].is_array() || b["elements"].empty() || b["elements"].size() > 10) {
        out.push_back(where + ".elements: 1..10 required");
      }
      for (const json& e : b["elements"]) check_slack_text(where + ".elements[]", e.value("text", json()), 2000, out);
    } else {
      out.push_back(where + ".type: unexpected \"" + type + "\"");
    }
  }
  return out;
}

inline void check_adf(const json& node, const std::string& where, Problems& out) {
  if (!node.is_object() || !node.contains("type") || !node["type"].is_string()) {
    out.push_back(where + ": ADF node without a type");
    return;
  }
  if (node["type"] == "text") {
    if (!node["text"].is_string() || node["text"].get<std::string>().empty()) out.push_back(where + ": empty text node");
    return;
  }
  if (node.contains("content")) {
    if (!node["content"].is_array()) return out.push_back(where + ".content: not an array");
    for (size_t i = 0; i < node["content"].size(); ++i) check_adf(node["content"][i], where + ".content[" + std::to_string(i) + "]", out);
  }
}

inline Problems jira_problems(const json& p, int version) {
  Problems out;
  const json fields = p.value("fields", json());
  if (!fields.is_object()) return {"fields: required object"};
  if (!fields["project"].is_object() || !fields["project"]["key"].is_string()) out.push_back("fields.project.key: required string");
  if (!fields["issuetype"].is_object() || !fields["issuetype"]["name"].is_string()) out.push_back("fields.issuetype.name: required string");
  if (!fields["summary"].is_string()) {
    out.push_back("fields.summary: required string");
  } else {
    const std::string s = fields["summary"];
    if (s.empty() || char_count(s) > 255) out.push_back("fields.summary: 1..255 characters");
    if (s.find_first_of("\r\n") != std::string::npos) out.push_back("fields.summary: must be one line");
  }
  if (version == 2) {
    if (!fields["description"].is_string()) out.push_back("fields.description: v2 takes a string");
  } else {
    const json& d = fields["description"];
    if (!d.is_object() || d.value("type", "") != "doc" || d.value("version", 0) != 1 || !d["content"].is_array()) {
      out.push_back("fields.description: v3 takes an ADF doc {type: doc, version: 1, content: []}");
    } else {
      check_adf(d, "fields.description", out);
    }
  }
  if (fields.contains("labels")) {
    for (const json& l : fields["labels"]) {
      if (!l.is_string() || l.get<std::string>().find(' ') != std::string::npos) out.push_back("fields.labels: strings without spaces");
    }
  }
  return out;
}

inline Problems pagerduty_problems(const json& p) {
  Problems out;
  if (!p["routing_key"].is_string() || p["routing_key"].get<std::string>().empty()) out.push_back("routing_key: required");
  const std::string action = p.value("event_action", "");
  if (action != "trigger" && action != "acknowledge" && action != "resolve") out.push_back("event_action: not an allowed value");
  if (p.contains("dedup_key") && (!p["dedup_key"].is_string() || char_count(p["dedup_key"]) > 255)) out.push_back("dedup_key: string ≤255");
  const json payload = p.value("payload", json());
  if (!payload.is_object()) return out.push_back("payload: required for trigger"), out;
  if (!payload["summary"].is_string() || payload["summary"].get<std::string>().empty() || char_count(payload["summary"]) > 1024) {
    out.push_back("payload.summary: 1..1024 characters");
  }
  if (!payload["source"].is_string() || payload["source"].get<std::string>().empty()) out.push_back("payload.source: required");
  const std::string severity = payload.value("severity", "");
  if (severity != "critical" && severity != "error" && severity != "warning" && severity != "info") {
    out.push_back("payload.severity: not in critical|error|warning|info");
  }
  if (payload.contains("custom_details") && !payload["custom_details"].is_object()) out.push_back("payload.custom_details: object");
  return out;
}

// fixgate.notification.v1 as message.h documents it.
inline Problems notification_problems(const json& m) {
  Problems out;
  if (m.value("schema", "") != "fixgate.notification.v1") out.push_back("schema");
  for (const char* key : {"correlation_id", "outcome", "environment", "owner", "catalog_entry", "action", "decided_at"}) {
    if (!m.contains(key) || !m[key].is_string()) out.push_back(std::string(key) + ": string required");
  }
  if (!m["reason"].is_object() || !m["reason"]["code"].is_string()) out.push_back("reason.code");
  if (!m["reasons"].is_array() || m["reasons"].empty()) out.push_back("reasons: non-empty array");
  if (!m["owners"].is_array()) out.push_back("owners: array");
  const json& f = m.value("finding", json());
  for (const char* key : {"id", "source", "title", "resource", "resource_type", "account", "region", "severity"}) {
    if (!f.is_object() || !f.contains(key) || !f[key].is_string()) out.push_back(std::string("finding.") + key);
  }
  if (m.contains("plan")) {
    for (const json& call : m["plan"]) {
      if (!call["service"].is_string() || !call["operation"].is_string() || !call["params"].is_object()) out.push_back("plan[]");
    }
  }
  return out;
}

}  // namespace fixgate::notify::testing
