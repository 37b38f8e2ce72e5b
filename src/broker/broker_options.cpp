#include "broker/broker_options.h"

#include "broker/session_naming.h"
#include "core/text.h"

namespace fixgate::broker {

namespace {

Error invalid(const std::string& key, const std::string& what) {
  return make_error("broker.invalid_config", "broker." + key + " " + what);
}

Result<long long> integer(const nlohmann::json& value, const std::string& key, long long lo, long long hi) {
  if (!value.is_number_integer()) return invalid(key, "must be an integer");
  const long long v = value.get<long long>();
  if (v < lo || v > hi) {
    return invalid(key, "must be " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " + std::to_string(v));
  }
  return v;
}

}  // namespace

const char* to_string(SessionScope scope) { return scope == SessionScope::finding ? "finding" : "account"; }

Result<BrokerOptions> broker_options_from_json(const nlohmann::json& section) {
  BrokerOptions out;
  if (section.is_null()) return out;
  if (!section.is_object()) return make_error("broker.invalid_config", "broker must be a mapping");
  for (auto it = section.begin(); it != section.end(); ++it) {
    const std::string& key = it.key();
    const nlohmann::json& value = it.value();
    if (key == "session_scope") {
      const std::string scope = value.is_string() ? value.get<std::string>() : "";
      if (scope == "finding") {
        out.scope = SessionScope::finding;
      } else if (scope == "account") {
        out.scope = SessionScope::account;
      } else {
        return invalid(key, "must be finding or account, got " + escape_for_display(value.dump()));
      }
    } else if (key == "refresh_skew_seconds") {
      // Below STS's minimum duration (900 s), or every request would be a miss.
      auto v = integer(value, key, 0, 899);
      if (!v.ok()) return v.error();
      out.refresh_skew = std::chrono::seconds(*v);
    } else if (key == "session_prefix") {
      const std::string prefix = value.is_string() ? value.get<std::string>() : "";
      if (prefix.empty() || prefix.size() > 20 || !valid_session_name(prefix + "x")) {
        return invalid(key, "must be 1..20 characters of [A-Za-z0-9_+=,.@-], got " + escape_for_display(value.dump()));
      }
      out.session_prefix = prefix;
    } else if (key == "max_cached_sessions") {
      auto v = integer(value, key, 1, 1000000);
      if (!v.ok()) return v.error();
      out.max_cached_sessions = static_cast<size_t>(*v);
    } else {
      return invalid(escape_for_display(key),
                     "is not a known key (session_scope, refresh_skew_seconds, session_prefix, max_cached_sessions)");
    }
  }
  return out;
}

Result<BrokerOptions> broker_options_from_config(const Config& config) {
  const auto it = config.extra_sections.find("broker");
  if (it == config.extra_sections.end()) return BrokerOptions{};
  return broker_options_from_json(it->second);
}

}  // namespace fixgate::broker
