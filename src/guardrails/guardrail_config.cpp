#include "guardrails/guardrail_config.h"

#include <set>

namespace fixgate::guardrails {

namespace {

Error bad(const std::string& path, const std::string& what) {
  return make_error("guardrails.invalid_config", (path.empty() ? "guardrails" : "guardrails." + path) + ": " + what);
}

Result<void> only_keys(const nlohmann::json& object, const std::string& path, const std::set<std::string>& allowed) {
  if (!object.is_object()) return bad(path, "must be a mapping");
  for (const auto& [key, value] : object.items()) {
    if (allowed.count(key) == 0) return bad((path.empty() ? "" : path + ".") + key, "is not a known setting");
  }
  return {};
}

// Reads object[key] as an integer within [lo, hi] into *out when present.
Result<void> read_int(const nlohmann::json& object, const std::string& path, const char* key, long long lo, long long hi,
                      long long* out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return {};
  const std::string where = (path.empty() ? "" : path + ".") + key;
  if (!it->is_number_integer() || it->get<long long>() < lo || it->get<long long>() > hi) {
    return bad(where, "must be an integer " + std::to_string(lo) + ".." + std::to_string(hi));
  }
  *out = it->get<long long>();
  return {};
}

}  // namespace

Result<GuardrailConfig> guardrail_config_from_json(const nlohmann::json& section) {
  GuardrailConfig config;
  if (section.is_null()) return config;
  if (auto ok = only_keys(section, "", {"rate_limits", "circuit_breaker", "kill_switch", "kill_switch_file",
                                       "loop_window_s", "session_prefix", "lock_timeout_ms"});
      !ok.ok()) {
    return ok.error();
  }
  long long n = 0;
  if (section.contains("rate_limits")) {
    const auto& rates = section.at("rate_limits");
    if (auto ok = only_keys(rates, "rate_limits", {"per_account_per_minute", "global_per_minute"}); !ok.ok()) return ok.error();
    n = config.rates.per_account_per_minute;
    if (auto ok = read_int(rates, "rate_limits", "per_account_per_minute", 1, 100000, &n); !ok.ok()) return ok.error();
    config.rates.per_account_per_minute = static_cast<int>(n);
    n = config.rates.global_per_minute;
    if (auto ok = read_int(rates, "rate_limits", "global_per_minute", 1, 100000, &n); !ok.ok()) return ok.error();
    config.rates.global_per_minute = static_cast<int>(n);
  }
  if (section.contains("circuit_breaker")) {
    const auto& b = section.at("circuit_breaker");
    if (auto ok = only_keys(b, "circuit_breaker", {"consecutive_failures", "window_failures", "window_s", "cool_down_s"}); !ok.ok()) {
      return ok.error();
    }
    n = config.breaker.consecutive_failures;
    if (auto ok = read_int(b, "circuit_breaker", "consecutive_failures", 1, 1000, &n); !ok.ok()) return ok.error();
    config.breaker.consecutive_failures = static_cast<int>(n);
    n = config.breaker.window_failures;
    if (auto ok = read_int(b, "circuit_breaker", "window_failures", 1, 100000, &n); !ok.ok()) return ok.error();
    config.breaker.window_failures = static_cast<int>(n);
    n = std::chrono::duration_cast<std::chrono::seconds>(config.breaker.window).count();
    if (auto ok = read_int(b, "circuit_breaker", "window_s", 1, 86400, &n); !ok.ok()) return ok.error();
    config.breaker.window = std::chrono::seconds(n);
    n = std::chrono::duration_cast<std::chrono::seconds>(config.breaker.cool_down).count();
    if (auto ok = read_int(b, "circuit_breaker", "cool_down_s", 1, 86400, &n); !ok.ok()) return ok.error();
    config.breaker.cool_down = std::chrono::seconds(n);
  }
  if (section.contains("kill_switch")) {
    if (!section.at("kill_switch").is_boolean()) return bad("kill_switch", "must be true or false");
    config.kill_switch = section.at("kill_switch").get<bool>();
  }
  if (section.contains("kill_switch_file")) {
    if (!section.at("kill_switch_file").is_string()) return bad("kill_switch_file", "must be a path");
    config.kill_switch_file = section.at("kill_switch_file").get<std::string>();
  }
  if (section.contains("session_prefix")) {
    const auto& p = section.at("session_prefix");
    if (!p.is_string() || p.get<std::string>().empty() || p.get<std::string>().size() > 32) {
      return bad("session_prefix", "must be a string of 1..32 characters");
    }
    config.session_prefix = p.get<std::string>();
  }
  n = std::chrono::duration_cast<std::chrono::seconds>(config.loop_window).count();
  if (auto ok = read_int(section, "", "loop_window_s", 0, 7 * 86400, &n); !ok.ok()) return ok.error();
  config.loop_window = std::chrono::seconds(n);
  n = config.lock_timeout.count();
  if (auto ok = read_int(section, "", "lock_timeout_ms", 0, 600000, &n); !ok.ok()) return ok.error();
  config.lock_timeout = std::chrono::milliseconds(n);
  return config;
}

}  // namespace fixgate::guardrails
