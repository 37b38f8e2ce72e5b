// ActionRunner: takes one intended remediation from "decided" to "verified and
// recorded", with every guardrail and audit invariant in between.
//
//   1. look up the action, check the resource type and parameters   → failed
//   2. guardrails: kill switch → dry run; loop / breaker / rate       → deferred
//   3. lock the resource (two findings never change one resource at once)
//   4. open a cloud session for the finding's account (assumed role) → failed
//   5. precheck: already compliant → noop; needs approval (and not yet
//      approved) → approval_required, with the plan for the approver
//   6. plan; in a dry run, record the plan and stop                  → dry_run
//   7. store the rollback record, then audit "action_intent" (plan + prior state)
//      BEFORE the first mutating call; if either cannot be written, nothing is
//      changed                                                        → failed
//   8. apply (retrying throttling), then verify                      → failed / verify_failed
//   9. audit "action_result" (status, failure reason, request ids, before/after)
// Every run that gets past step 1 ends with exactly one "action_result" record.
// Duplicate delivery is safe: the resource lock serialises concurrent copies and
// the second precheck sees the fixed state, so it is a recorded no-op.
//
// Thread-safe: run() and rollback() may be called from many worker threads; the
// shared pieces (guardrails, audit sink, rollback store) are thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actions/cloud_api.h"
#include "actions/registry.h"
#include "actions/rollback_store.h"
#include "audit/audit_log.h"
#include "core/finding.h"
#include "guardrails/guardrails.h"

namespace fixgate::actions {

// Opens a CloudApi acting in the finding's account (via STS AssumeRole in
// production; the session name ties CloudTrail events to the correlation id).
class CloudSessions {
 public:
  virtual ~CloudSessions() = default;
  virtual Result<std::unique_ptr<CloudApi>> open(const Finding& finding, const std::string& correlation_id) = 0;
};

struct RunRequest {
  Finding finding;
  std::string action;
  nlohmann::json params = nlohmann::json::object();  // from the catalog entry / decision
  std::string correlation_id;
  bool dry_run = false;  // the decision said dry_run: plan and record only
  // A person approved this change (src/approvals): a precheck's needs_approval
  // no longer stops the run, so an approved request never loops back into
  // approval_required. The precheck still runs: already compliant stays a no-op.
  bool approved = false;
};

enum class RunStatus { succeeded, noop, failed, verify_failed, dry_run, deferred, approval_required, rolled_back };
const char* to_string(RunStatus status);

struct RunReport {
  RunStatus status = RunStatus::failed;
  std::string action_id;  // set once a change was intended (rollback handle)
  std::string reason;     // one line for a person
  std::string error_code; // the Error code behind failed/verify_failed, else ""
  std::string guardrail;  // deferred/dry_run: which guardrail decided
  std::vector<ApiCall> plan;
  nlohmann::json before = nullptr;  // the precheck state
  nlohmann::json after = nullptr;   // the verified state
  nlohmann::json evidence = nullptr;
  std::vector<std::string> request_ids;
  int retries = 0;
  std::string audit_error;  // non-empty when the action_result record could not be written

  nlohmann::json to_json() const;
};

struct RunnerOptions {
  RetryPolicy retry;
  RetryingCloudApi::Sleeper sleep;  // empty: really sleep
  std::function<std::chrono::system_clock::time_point()> wall_clock;  // empty: system_clock::now
  std::string actor = "fixgate";  // the audit records' actor
};

class ActionRunner {
 public:
  // Every reference must outlive the runner.
  ActionRunner(const ActionRegistry& registry, guardrails::Guardrails& guardrails, CloudSessions& sessions,
               audit::AuditSink& audit, RollbackStore& rollbacks, RunnerOptions options = {});

  RunReport run(const RunRequest& request);

  // Restores the prior state stored for `action_id`: audits "rollback_intent",
  // performs the action's rollback plan, audits "rollback_result", and checks
  // that a fresh precheck reads back the recorded prior state.
  // Guardrails: the kill switch turns a rollback into a dry run too.
  RunReport rollback(const std::string& action_id, const std::string& correlation_id);

 private:
  struct Run;
  RunReport finish(Run& run, RunStatus status, std::string reason, const Error* error = nullptr);
  std::string new_action_id();

  const ActionRegistry& registry_;
  guardrails::Guardrails& guardrails_;
  CloudSessions& sessions_;
  audit::AuditSink& audit_;
  RollbackStore& rollbacks_;
  RunnerOptions options_;
};

}  // namespace fixgate::actions
