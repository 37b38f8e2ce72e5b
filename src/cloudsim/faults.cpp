#include "cloudsim/faults.h"

#include <nlohmann/json.hpp>

namespace fixgate::cloudsim {
namespace {

const char* kind_name(FaultKind k) {
  switch (k) {
    case FaultKind::kThrottle: return "throttle";
    case FaultKind::kDeny: return "deny";
    case FaultKind::kInternalError: return "internal_error";
    case FaultKind::kLatency: return "latency";
  }
  return "throttle";
}

bool operation_matches(const std::string& pattern, const std::string& service, const std::string& operation) {
  if (pattern == "*" || pattern == operation) return true;
  if (pattern == service + ":*") return true;
  return pattern == service + ":" + operation;
}

}  // namespace

Result<FaultSpec> fault_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return make_error("cloudsim.fault", "fault: expected a JSON object");
  FaultSpec f;
  auto str = [&](const char* key, std::string& out) -> bool {
    if (!j.contains(key)) return true;
    if (!j.at(key).is_string()) return false;
    out = j.at(key).get<std::string>();
    return true;
  };
  if (!str("operation", f.operation) || f.operation.empty()) {
    return make_error("cloudsim.fault", "fault.operation: expected a non-empty string");
  }
  if (!str("account", f.account) || f.account.empty()) {
    return make_error("cloudsim.fault", "fault.account: expected a 12-digit account id or \"*\"");
  }
  if (f.account != "*" && (f.account.size() != 12 || f.account.find_first_not_of("0123456789") != std::string::npos)) {
    return make_error("cloudsim.fault", "fault.account: expected a 12-digit account id or \"*\", got " + f.account);
  }
  std::string kind = "throttle";
  if (!str("kind", kind)) return make_error("cloudsim.fault", "fault.kind: expected a string");
  if (kind == "throttle") f.kind = FaultKind::kThrottle;
  else if (kind == "deny") f.kind = FaultKind::kDeny;
  else if (kind == "internal_error") f.kind = FaultKind::kInternalError;
  else if (kind == "latency") f.kind = FaultKind::kLatency;
  else return make_error("cloudsim.fault", "fault.kind: expected throttle, deny, internal_error or latency, got " + kind);
  for (const char* key : {"count", "latency_ms"}) {
    if (j.contains(key) && !j.at(key).is_number_integer()) {
      return make_error("cloudsim.fault", std::string("fault.") + key + ": expected an integer");
    }
  }
  f.count = j.value("count", -1);
  f.latency_ms = j.value("latency_ms", 0);
  if (f.count == 0 || f.count < -1) return make_error("cloudsim.fault", "fault.count: expected a positive integer or -1");
  if (f.latency_ms < 0 || f.latency_ms > 60000) {
    return make_error("cloudsim.fault", "fault.latency_ms: expected 0..60000");
  }
  if (f.kind == FaultKind::kLatency && f.latency_ms == 0) {
    return make_error("cloudsim.fault", "fault.latency_ms: a latency fault needs latency_ms > 0");
  }
  return f;
}

nlohmann::json fault_to_json(const FaultSpec& f) {
  return {{"operation", f.operation}, {"account", f.account}, {"kind", kind_name(f.kind)},
          {"count", f.count}, {"latency_ms", f.latency_ms}};
}

void FaultBook::add(FaultSpec spec) {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.push_back(std::move(spec));
}

void FaultBook::clear() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
}

std::vector<FaultSpec> FaultBook::list() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rules_;
}

std::optional<FaultSpec> FaultBook::take(const std::string& service, const std::string& operation,
                                         const std::string& account) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if (!operation_matches(it->operation, service, operation)) continue;
    if (it->account != "*" && it->account != account) continue;
    FaultSpec hit = *it;
    if (it->count > 0 && --it->count == 0) rules_.erase(it);
    return hit;
  }
  return std::nullopt;
}

}  // namespace fixgate::cloudsim
