// The approval life cycle: request → approve (then act) | deny | expire.
//
//   request   an approval_required decision (or a run the ActionRunner stopped
//             with approval_required, e.g. a recently used IAM key) becomes a
//             pending request carrying the planned API calls. For a decision the
//             plan comes from a dry run of the action (read-only precheck +
//             plan). A finding that is already compliant needs no request.
//   approve   refused when the approver asked for it themselves, when the request
//             is no longer pending, or when its TTL has passed (it is then marked
//             expired). Otherwise it is marked approved and the action runs at
//             once with RunRequest::approved set: the runner prechecks live state
//             again, so a resource fixed by someone else meanwhile is a recorded
//             no-op and a stale plan is never applied.
//   deny      needs a reason; nothing runs.
//   expire    expire_due() marks every pending request past its TTL.
// Every step is an audit record of kind "approval" (event: requested, approved,
// denied, expired, refused, action_result) with the request's correlation id.
// A status change and its audit record commit together or not at all.
//
// Thread-safe as long as the executor is (ActionRunner::run is).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "actions/runner.h"
#include "approvals/store.h"
#include "audit/audit_log.h"
#include "decision/decision.h"

namespace fixgate::approvals {

// Runs one action request (ActionRunner::run in production).
using Executor = std::function<actions::RunReport(const actions::RunRequest&)>;
using Clock = std::function<std::chrono::system_clock::time_point()>;

struct ServiceOptions {
  std::chrono::seconds ttl{std::chrono::hours(24)};  // how long a request may wait
  Clock clock;                                       // empty: system clock
  std::string requested_by = "fixgate";              // who asks when the pipeline asks
};

// What asking for approval came to.
struct RequestOutcome {
  std::optional<ApprovalRequest> request;  // empty when none was needed or possible
  bool reused = false;                     // an identical request was already pending
  actions::RunReport plan_run;             // the dry run that produced the plan
  std::string note;                        // why there is no request, for a person
};

class ApprovalService {
 public:
  // Every reference must outlive the service.
  ApprovalService(ApprovalStore& store, audit::AuditSink& audit, Executor executor, ServiceOptions options = {});

  // For a decision whose outcome is approval_required: dry-runs the action for
  // its plan and stores a pending request. No request (and no error) when the
  // dry run finds the resource already compliant. Errors: "approvals.not_required"
  // (another outcome), "approvals.plan_failed" (the dry run failed or was
  // deferred: the reason is in the message and its action_result record),
  // "approvals.write"/"approvals.audit".
  Result<RequestOutcome> request_for_decision(const Finding& finding, const Decision& decision);

  // For a run the ActionRunner ended with approval_required: its report already
  // holds the plan and the precheck's reason.
  Result<RequestOutcome> request_for_run(const Finding& finding, const Decision& decision,
                                         const actions::RunReport& report);

  // See the header comment. Errors: "approvals.not_found", "approvals.not_pending",
  // "approvals.expired", "approvals.self_approval", "approvals.invalid_approver".
  // On success the returned request carries the action's report in `result`
  // (a failed action is still a successful approval: read result.status).
  Result<ApprovalRequest> approve(const std::string& id, const std::string& approver, const std::string& note = "");
  // Errors as approve(), plus "approvals.reason_required".
  Result<ApprovalRequest> deny(const std::string& id, const std::string& approver, const std::string& reason);

  // Marks every pending request past its TTL expired; returns how many.
  Result<size_t> expire_due();

  Result<ApprovalRequest> get(const std::string& id) { return store_.get(id); }
  Result<std::vector<ApprovalRequest>> list(const ListQuery& query) { return store_.list(query); }

 private:
  int64_t now_ms() const;
  Result<RequestOutcome> create(const Finding& finding, const Decision& decision, const actions::RunReport& plan_run,
                                const std::string& why);
  // Pending and within its TTL, or an error (marking it expired when due).
  Result<ApprovalRequest> pending_request(const std::string& id);
  Result<void> audit(const ApprovalRequest& request, const std::string& event, const std::string& actor,
                     nlohmann::json extra = nlohmann::json::object());

  ApprovalStore& store_;
  audit::AuditSink& audit_;
  Executor executor_;
  ServiceOptions options_;
};

}  // namespace fixgate::approvals
