// Fault injection for the cloud simulator: rules that make matching calls slow,
// throttled, denied or failing, so tests can prove fixgate retries, backs off
// and fails closed. Rules are matched in the order they were added; the first
// matching rule with calls left decides. Thread-safe.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/result.h"

namespace fixgate::cloudsim {

enum class FaultKind {
  kThrottle,       // Throttling / RequestLimitExceeded / SlowDown / ThrottlingException
  kDeny,           // AccessDenied / UnauthorizedOperation / AccessDeniedException
  kInternalError,  // HTTP 500 InternalError / InternalFailure
  kLatency,        // the call succeeds after latency_ms
};

struct FaultSpec {
  // "*" (every operation), "RevokeSecurityGroupIngress", or service-qualified
  // "ec2:RevokeSecurityGroupIngress".
  std::string operation = "*";
  std::string account = "*";  // a 12-digit account id or "*"
  FaultKind kind = FaultKind::kThrottle;
  int count = -1;             // the next N matching calls; -1 = until cleared
  int latency_ms = 0;         // kLatency only (also added before other kinds)
};

// Parses {"operation":"ec2:RevokeSecurityGroupIngress","account":"111111111111",
// "kind":"throttle|deny|internal_error|latency","count":2,"latency_ms":50}.
// Fails with cloudsim.fault naming the bad field.
Result<FaultSpec> fault_from_json(const nlohmann::json& j);
nlohmann::json fault_to_json(const FaultSpec& f);

class FaultBook {
 public:
  void add(FaultSpec spec);
  void clear();
  std::vector<FaultSpec> list() const;

  // Consumes one use of the first rule matching this call, if any, and returns it.
  std::optional<FaultSpec> take(const std::string& service, const std::string& operation,
                                const std::string& account);

 private:
  mutable std::mutex mu_;
  std::vector<FaultSpec> rules_;
};

}  // namespace fixgate::cloudsim
