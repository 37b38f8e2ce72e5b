#include "service/service_options.h"

#include <set>

#include "core/text.h"

namespace fixgate::service {

namespace {

using nlohmann::json;

Error bad(const char* code, const std::string& key, const std::string& why) {
  return make_error(code, "queue." + key + ": " + why);
}

Result<long long> integer(const json& section, const std::string& key, long long min, long long max) {
  const json& v = section.at(key);
  if (!v.is_number_integer()) return bad("queue.bad_type", key, "must be an integer");
  const bool huge = v.is_number_unsigned() && v.get<unsigned long long>() > (1ULL << 62);
  const long long n = huge ? max + 1 : v.get<long long>();
  if (n < min || n > max) {
    return bad("queue.bad_value", key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return n;
}

}  // namespace

Result<QueueSettings> queue_settings_from_json(const json& section) {
  QueueSettings out;
  if (section.is_null()) return out;
  if (!section.is_object()) return make_error("queue.bad_type", "queue: must be a mapping");
  static const std::set<std::string> kKeys = {"workers",        "lease_batch",    "visibility_timeout_ms",
                                              "max_attempts",   "backoff_base_ms", "backoff_cap_ms",
                                              "dedupe_window_s", "durability",    "worker_nice"};
  for (const auto& [key, value] : section.items()) {
    if (kKeys.count(key) == 0) return bad("queue.unknown_key", escape_for_display(key), "unknown key");
  }
  struct IntKey { const char* key; long long min; long long max; };
  for (IntKey k : {IntKey{"workers", 1, 64}, IntKey{"lease_batch", 1, 100}, IntKey{"worker_nice", 0, 19},
                   IntKey{"visibility_timeout_ms", 100, 3600000}, IntKey{"max_attempts", 1, 100},
                   IntKey{"backoff_base_ms", 0, 3600000}, IntKey{"backoff_cap_ms", 0, 86400000},
                   IntKey{"dedupe_window_s", 1, 31536000}}) {
    if (!section.contains(k.key)) continue;
    auto n = integer(section, k.key, k.min, k.max);
    if (!n) return n.error();
    const std::string key = k.key;
    if (key == "workers") out.workers = static_cast<size_t>(*n);
    else if (key == "lease_batch") out.lease_batch = static_cast<size_t>(*n);
    else if (key == "worker_nice") out.worker_nice = static_cast<int>(*n);
    else if (key == "visibility_timeout_ms") out.visibility_timeout = std::chrono::milliseconds(*n);
    else if (key == "max_attempts") out.retry.max_attempts = static_cast<int>(*n);
    else if (key == "backoff_base_ms") out.retry.base = std::chrono::milliseconds(*n);
    else if (key == "backoff_cap_ms") out.retry.cap = std::chrono::milliseconds(*n);
    else out.dedupe_window = std::chrono::seconds(*n);
  }
  if (out.retry.cap < out.retry.base) {
    // The cap was given alone below the default base, or both were given inverted.
    if (!section.contains("backoff_cap_ms")) out.retry.cap = out.retry.base;
    else return bad("queue.bad_value", "backoff_cap_ms", "must be at least backoff_base_ms");
  }
  if (section.contains("durability")) {
    const json& v = section.at("durability");
    if (!v.is_string()) return bad("queue.bad_type", "durability", "must be a string");
    const std::string word = v.get<std::string>();
    if (word == "full") out.durability = queue::Durability::full;
    else if (word == "normal") out.durability = queue::Durability::normal;
    else return bad("queue.bad_value", "durability", "must be full or normal, got '" + escape_for_display(word) + "'");
  }
  return out;
}

}  // namespace fixgate::service
