// A remediation action and its life cycle.
//
//   precheck(ctx)          reads live state (read-only calls). already_compliant →
//                          the run is a recorded no-op; needs_change → `state` is
//                          the prior state the change will alter (stored for
//                          rollback); needs_approval → a person must decide, with
//                          `evidence` saying why (e.g. a key used in the last day).
//   plan(ctx, precheck)    the exact calls apply() will make, as data, without
//                          calling anything: what a dry run shows and the audit
//                          intent records.
//   apply(ctx, plan)       performs the planned calls in order, stops at the first
//                          error, and reports every AWS request id it got.
//   verify(ctx)            re-reads live state and says whether it is now compliant
//                          (default: precheck again and expect already_compliant).
//   rollback_plan(ctx, prior) the calls that restore `prior` (a precheck state);
//                          rollback(ctx, prior) performs them.
//
// Actions are stateless between calls (everything flows through the context and
// the returned values), so one instance may serve several runs, but not
// concurrently: the runner creates one per run.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "actions/cloud_api.h"
#include "core/finding.h"
#include "core/result.h"

namespace fixgate::actions {

struct ActionContext {
  CloudApi& cloud;
  const Finding& finding;
  nlohmann::json params = nlohmann::json::object();  // validated, defaults filled in
  std::string correlation_id;
  std::chrono::system_clock::time_point now{};  // wall clock, for ages (access keys)
};

enum class PrecheckStatus { already_compliant, needs_change, needs_approval };
const char* to_string(PrecheckStatus status);

struct Precheck {
  PrecheckStatus status = PrecheckStatus::needs_change;
  // The observed state in a normalised shape (no volatile ids, sorted lists), so
  // "state after rollback == prior state" is a meaningful comparison.
  nlohmann::json state = nlohmann::json::object();
  nlohmann::json evidence = nlohmann::json::object();  // extra facts for the audit record
  std::string reason;                                  // one line for a person
};

struct ApplyOutcome {
  std::vector<std::string> request_ids;  // of every call that returned one, in order
  size_t calls_completed = 0;
  std::optional<Error> error;  // the first failed call's error; later calls not made
  bool ok() const { return !error.has_value(); }
};

struct Verification {
  bool compliant = false;
  nlohmann::json state = nlohmann::json::object();  // the state read back
  std::string reason;
};

class RemediationAction {
 public:
  virtual ~RemediationAction() = default;

  virtual Result<Precheck> precheck(ActionContext& ctx) = 0;
  virtual Result<std::vector<ApiCall>> plan(ActionContext& ctx, const Precheck& observed) = 0;
  virtual ApplyOutcome apply(ActionContext& ctx, const std::vector<ApiCall>& plan);
  virtual Result<Verification> verify(ActionContext& ctx);
  virtual Result<std::vector<ApiCall>> rollback_plan(ActionContext& ctx, const nlohmann::json& prior_state) = 0;
  ApplyOutcome rollback(ActionContext& ctx, const nlohmann::json& prior_state);
};

// Performs `calls` in order through ctx.cloud; what apply() does by default.
ApplyOutcome execute_calls(CloudApi& cloud, const std::vector<ApiCall>& calls);

}  // namespace fixgate::actions
