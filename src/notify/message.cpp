#include "notify/message.h"

#include "audit/audit_log.h"

namespace fixgate::notify {

using nlohmann::json;

json build_message(const NotificationInput& input) {
  const Finding& f = input.finding;
  const Decision& d = input.decision;
  json reasons = json::array();
  for (const auto& r : d.reasons) reasons.push_back({{"code", r.code}, {"detail", r.detail}});
  json owners = json::array();
  for (const auto& o : input.owners.empty() ? d.owner_candidates : input.owners) {
    json candidate = {{"owner", o.owner}, {"source", o.source}, {"confidence", o.confidence}, {"evidence", o.evidence}};
    if (o.rank > 0) candidate["rank"] = o.rank;
    if (!o.routable) candidate["routable"] = false;
    owners.push_back(candidate);
  }
  if (owners.empty() && !d.owner.empty()) {
    owners.push_back({{"owner", d.owner}, {"source", d.owner_source}, {"confidence", 1.0}, {"evidence", ""}});
  }
  json message = {
      {"schema", "fixgate.notification.v1"},
      {"correlation_id", d.correlation_id},
      {"outcome", to_string(d.outcome)},
      {"reason", d.reasons.empty() ? json{{"code", ""}, {"detail", ""}} : reasons.front()},
      {"reasons", reasons},
      {"finding",
       {{"id", f.id},
        {"source", to_string(f.source)},
        {"title", f.title},
        {"resource", f.resource_key()},
        {"resource_type", f.resource_type},
        {"account", f.account},
        {"region", f.region},
        {"severity", to_string(f.severity)},
        {"control_ids", f.control_ids}}},
      {"environment", d.environment},
      {"owner", d.owner},
      {"owner_source", d.owner_source},
      {"owners", owners},
      {"catalog_entry", d.catalog_entry},
      {"action", d.action},
      {"decided_at", audit::format_time(d.evaluated_at)},
  };
  const json& report = input.action_report;
  if (report.is_object()) {
    if (auto plan = report.find("plan"); plan != report.end() && plan->is_array() && !plan->empty()) {
      message["plan"] = *plan;
    }
    json result = {{"status", report.value("status", "")}, {"reason", report.value("reason", "")}};
    if (report.contains("action_id")) result["action_id"] = report["action_id"];
    message["action_result"] = result;
  }
  return message;
}

std::string text_of(const json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

namespace {
std::string one_line(std::string text) {
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return text;
}
}  // namespace

std::string headline(const json& message) {
  const json& f = message["finding"];
  std::string title = text_of(f, "title");
  if (title.empty()) title = "finding " + text_of(f, "id");
  std::string line = "[" + text_of(f, "severity") + "] " + text_of(message, "outcome") + ": " + title;
  if (!text_of(f, "resource").empty()) line += " — " + text_of(f, "resource");
  return one_line(line);
}

std::vector<std::string> text_lines(const json& message) {
  const json& f = message["finding"];
  std::vector<std::string> lines = {
      "Finding: " + text_of(f, "title") + " (" + text_of(f, "source") + " " + text_of(f, "id") + ")",
      "Resource: " + text_of(f, "resource") + " (" + text_of(f, "resource_type") + ")",
      "Account: " + text_of(f, "account") + "  Region: " + text_of(f, "region") + "  Severity: " + text_of(f, "severity"),
      "Environment: " + (text_of(message, "environment").empty() ? std::string("unknown") : text_of(message, "environment")),
      "Decision: " + text_of(message, "outcome") + " (" + text_of(message["reason"], "code") + ": " +
          text_of(message["reason"], "detail") + ")",
  };
  for (size_t i = 1; i < message["reasons"].size(); ++i) {
    const json& r = message["reasons"][i];
    lines.push_back("Also: " + text_of(r, "code") + ": " + text_of(r, "detail"));
  }
  if (message["owners"].empty()) lines.push_back("Owner: none found");
  for (const json& o : message["owners"]) {
    lines.push_back("Owner candidate: " + text_of(o, "owner") + " via " + text_of(o, "source") +
                    (text_of(o, "evidence").empty() ? "" : " (" + text_of(o, "evidence") + ")"));
  }
  if (message.contains("action_result")) {
    lines.push_back("Action: " + text_of(message, "action") + " → " + text_of(message["action_result"], "status") + " (" +
                    text_of(message["action_result"], "reason") + ")");
  }
  lines.push_back("Correlation id: " + text_of(message, "correlation_id"));
  for (auto& line : lines) line = one_line(line);
  return lines;
}

std::string plan_text(const json& message) {
  auto it = message.find("plan");
  if (it == message.end() || !it->is_array() || it->empty()) return {};
  return dump(*it, 2);
}

std::string truncate_chars(std::string_view text, size_t max_chars) {
  if (max_chars == 0) return {};
  // Byte offset after each code point; a lead byte starts a new character.
  size_t chars = 0;
  size_t cut = std::string_view::npos;  // where max_chars - 1 characters end
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) == 0x80 && i > 0) continue;  // continuation byte
    if (chars == max_chars - 1) cut = i;
    if (chars == max_chars) return std::string(text.substr(0, cut)) + "…";
    ++chars;
  }
  return std::string(text);
}

std::string dump(const json& value, int indent) {
  return value.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace fixgate::notify
