#include "approvals/settings.h"

#include <cctype>

#include "core/text.h"

namespace fixgate::approvals {

namespace {

Error bad(const std::string& key, const std::string& what) {
  return make_error("config.invalid_approvals", "approvals." + key + ": " + what);
}

}  // namespace

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  if (text.size() < 2 || text.size() > 12) return std::nullopt;
  long long value = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  if (value <= 0) return std::nullopt;
  switch (text.back()) {
    case 's': return std::chrono::seconds(value);
    case 'm': return std::chrono::minutes(value);
    case 'h': return std::chrono::hours(value);
    case 'd': return std::chrono::days(value);
    default: return std::nullopt;
  }
}

Result<ApprovalsSettings> settings_from_config(const Config& config, const EnvLookup& env) {
  ApprovalsSettings out;
  const auto it = config.extra_sections.find("approvals");
  if (it == config.extra_sections.end() || it->second.is_null()) return out;
  const nlohmann::json& section = it->second;
  if (!section.is_object()) return bad("", "expected a mapping");
  SourceRef where;
  if (const auto loc = config.extra_section_locations.find("approvals"); loc != config.extra_section_locations.end()) {
    where = loc->second;
  }
  for (const auto& [key, value] : section.items()) {
    if (key == "ttl") {
      const auto ttl = value.is_string() ? parse_duration(value.get<std::string>()) : std::nullopt;
      if (!ttl) return bad(key, "\"" + escape_for_display(value.dump()) + "\" is not a duration like 30m, 24h or 7d");
      out.service.ttl = *ttl;
    } else if (key == "requested_by") {
      if (!value.is_string() || trim(value.get<std::string>()).empty()) return bad(key, "expected a name");
      out.service.requested_by = value.get<std::string>();
    } else if (key == "api_tokens") {
      if (!value.is_object()) return bad(key, "expected a mapping of approver name to token");
      for (const auto& [name, token] : value.items()) {
        if (trim(name).empty() || name.find(' ') != std::string::npos) return bad(key, "approver names have no spaces");
        if (!token.is_string()) return bad(key + "." + name, "expected a token string");
        SourceRef ref = where;
        ref.key = "approvals.api_tokens." + name;
        const ExpandableString expanded = ExpandableString::expand(token.get<std::string>(), env, ref);
        auto resolved = expanded.resolve();
        if (!resolved) return resolved.error();
        if (resolved->size() < 16) return bad(key + "." + name, "a token must have at least 16 characters");
        out.api.tokens[name] = std::move(*resolved);
      }
    } else {
      return bad(key, "unknown key (expected ttl, requested_by, api_tokens)");
    }
  }
  return out;
}

}  // namespace fixgate::approvals
