#include "actions/action.h"

namespace fixgate::actions {

const char* to_string(PrecheckStatus status) {
  switch (status) {
    case PrecheckStatus::already_compliant: return "already_compliant";
    case PrecheckStatus::needs_change: return "needs_change";
    case PrecheckStatus::needs_approval: return "needs_approval";
  }
  return "unknown";
}

ApplyOutcome execute_calls(CloudApi& cloud, const std::vector<ApiCall>& calls) {
  ApplyOutcome outcome;
  for (const ApiCall& call : calls) {
    Result<ApiResponse> response = cloud.call(call);
    if (!response.ok()) {
      outcome.error = response.error();
      return outcome;
    }
    if (!response->request_id.empty()) outcome.request_ids.push_back(response->request_id);
    ++outcome.calls_completed;
  }
  return outcome;
}

ApplyOutcome RemediationAction::apply(ActionContext& ctx, const std::vector<ApiCall>& plan) {
  return execute_calls(ctx.cloud, plan);
}

Result<Verification> RemediationAction::verify(ActionContext& ctx) {
  Result<Precheck> again = precheck(ctx);
  if (!again.ok()) return again.error();
  Verification v;
  v.compliant = again->status == PrecheckStatus::already_compliant;
  v.state = again->state;
  v.reason = v.compliant ? "state read back is compliant" : "state read back is still not compliant: " + again->reason;
  return v;
}

ApplyOutcome RemediationAction::rollback(ActionContext& ctx, const nlohmann::json& prior_state) {
  Result<std::vector<ApiCall>> calls = rollback_plan(ctx, prior_state);
  if (!calls.ok()) {
    ApplyOutcome outcome;
    outcome.error = calls.error();
    return outcome;
  }
  return execute_calls(ctx.cloud, *calls);
}

}  // namespace fixgate::actions
