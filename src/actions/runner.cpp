#include "actions/runner.h"

#include <optional>
#include <random>

#include "actions/resource_names.h"

namespace fixgate::actions {

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::succeeded: return "succeeded";
    case RunStatus::noop: return "noop";
    case RunStatus::failed: return "failed";
    case RunStatus::verify_failed: return "verify_failed";
    case RunStatus::dry_run: return "dry_run";
    case RunStatus::deferred: return "deferred";
    case RunStatus::approval_required: return "approval_required";
    case RunStatus::rolled_back: return "rolled_back";
  }
  return "unknown";
}

namespace {

nlohmann::json calls_json(const std::vector<ApiCall>& calls) {
  nlohmann::json out = nlohmann::json::array();
  for (const ApiCall& call : calls) out.push_back(call.to_json());
  return out;
}

nlohmann::json resource_json(const Finding& finding) {
  return {{"arn", finding.resource_arn}, {"id", finding.resource_id},     {"type", finding.resource_type},
          {"account", finding_account(finding)}, {"region", finding.region}};
}

// Errors of our own making (bad resource name, bad params) say nothing about the
// account's health, so they do not count against its circuit breaker.
bool counts_against_account(const Error* error) {
  return error != nullptr && error->code.rfind("actions.", 0) != 0;
}

}  // namespace

nlohmann::json RunReport::to_json() const {
  nlohmann::json out = {{"status", to_string(status)}, {"reason", reason}, {"plan", calls_json(plan)},
                        {"request_ids", request_ids}, {"retries", retries}};
  if (!action_id.empty()) out["action_id"] = action_id;
  if (!error_code.empty()) out["error_code"] = error_code;
  if (!guardrail.empty()) out["guardrail"] = guardrail;
  if (!before.is_null()) out["before"] = before;
  if (!after.is_null()) out["after"] = after;
  if (!evidence.is_null()) out["evidence"] = evidence;
  if (!audit_error.empty()) out["audit_error"] = audit_error;
  return out;
}

struct ActionRunner::Run {
  const Finding& finding;
  std::string action;
  std::string correlation_id;
  std::string result_kind = "action_result";
  nlohmann::json params = nlohmann::json::object();
  std::optional<guardrails::IntendedChange> change;  // set once the guardrails allowed it
  const RetryingCloudApi* cloud = nullptr;
  RunReport report;
};

ActionRunner::ActionRunner(const ActionRegistry& registry, guardrails::Guardrails& guardrails, CloudSessions& sessions,
                           audit::AuditSink& audit, RollbackStore& rollbacks, RunnerOptions options)
    : registry_(registry), guardrails_(guardrails), sessions_(sessions), audit_(audit), rollbacks_(rollbacks),
      options_(std::move(options)) {
  if (!options_.wall_clock) options_.wall_clock = [] { return std::chrono::system_clock::now(); };
}

std::string ActionRunner::new_action_id() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t bits = random();
  std::string id = "act-";
  for (int i = 0; i < 16; ++i, bits >>= 4) id += kHex[bits & 0xf];
  return id;
}

RunReport ActionRunner::finish(Run& run, RunStatus status, std::string reason, const Error* error) {
  RunReport& report = run.report;
  report.status = status;
  report.reason = std::move(reason);
  if (error != nullptr) report.error_code = error->code;
  if (run.cloud != nullptr) report.retries = run.cloud->retries();

  if (run.change) {
    guardrails::ChangeOutcome outcome = guardrails::ChangeOutcome::no_change;
    if (status == RunStatus::succeeded || status == RunStatus::rolled_back) outcome = guardrails::ChangeOutcome::changed;
    if (status == RunStatus::verify_failed || (status == RunStatus::failed && counts_against_account(error))) {
      outcome = guardrails::ChangeOutcome::failed;
    }
    guardrails_.record_outcome(*run.change, outcome);
  }

  audit::AuditEntry entry;
  entry.kind = run.result_kind;
  entry.correlation_id = run.correlation_id;
  entry.finding_id = run.finding.id;
  entry.actor = options_.actor;
  entry.body = report.to_json();
  entry.body["action"] = run.action;
  entry.body["resource"] = resource_json(run.finding);
  entry.body["params"] = run.params;
  if (error != nullptr) entry.body["error_message"] = error->message;
  Result<audit::AuditRecord> written = audit_.append(entry);
  if (!written.ok()) report.audit_error = written.error().to_string();
  return report;
}

RunReport ActionRunner::run(const RunRequest& request) {
  Run run{request.finding, request.action, request.correlation_id};
  const ActionSpec* spec = registry_.find(request.action);
  if (spec == nullptr) {
    const Error e = make_error("actions.unknown_action", "no action named " + request.action);
    return finish(run, RunStatus::failed, e.message, &e);
  }
  if (!spec->supports(request.finding.resource_type)) {
    const Error e = make_error("actions.unsupported_resource_type",
                               request.action + " does not act on resource type '" + request.finding.resource_type + "'");
    return finish(run, RunStatus::failed, e.message, &e);
  }
  Result<nlohmann::json> params = validate_params(*spec, request.params);
  if (!params.ok()) return finish(run, RunStatus::failed, params.error().message, &params.error());
  run.params = *params;

  guardrails::IntendedChange change{finding_account(request.finding), request.finding.resource_key(), request.action,
                                    request.finding.raw};
  bool dry_run = request.dry_run;
  std::string dry_run_reason = "the decision is a dry run";
  if (!dry_run) {
    const guardrails::GuardrailDecision verdict = guardrails_.evaluate(change);
    run.report.guardrail = verdict.guardrail;
    if (verdict.verdict == guardrails::Verdict::defer) return finish(run, RunStatus::deferred, verdict.reason);
    if (verdict.verdict == guardrails::Verdict::dry_run) {
      dry_run = true;
      dry_run_reason = verdict.reason;
    } else {
      run.change = change;
    }
  }

  std::optional<guardrails::ResourceLockGuard> lock = guardrails_.lock_resource(change.resource_key);
  if (!lock) {
    run.report.guardrail = "resource_lock";
    return finish(run, RunStatus::deferred, "another change to this resource is still in progress");
  }

  Result<std::unique_ptr<CloudApi>> session = sessions_.open(request.finding, request.correlation_id);
  if (!session.ok()) {
    return finish(run, RunStatus::failed, "cannot act in the account: " + session.error().message, &session.error());
  }
  RetryingCloudApi cloud(**session, options_.retry, options_.sleep);
  run.cloud = &cloud;
  std::unique_ptr<RemediationAction> action = spec->make();
  ActionContext ctx{cloud, request.finding, run.params, request.correlation_id, options_.wall_clock()};

  Result<Precheck> pre = action->precheck(ctx);
  if (!pre.ok()) return finish(run, RunStatus::failed, "precheck failed: " + pre.error().message, &pre.error());
  run.report.before = pre->state;
  run.report.evidence = pre->evidence;
  if (pre->status == PrecheckStatus::already_compliant) return finish(run, RunStatus::noop, pre->reason);
  if (pre->status == PrecheckStatus::needs_approval && !request.approved) {
    // The approver is shown the exact calls an approval would lead to.
    if (Result<std::vector<ApiCall>> planned = action->plan(ctx, *pre); planned.ok()) run.report.plan = *planned;
    return finish(run, RunStatus::approval_required, pre->reason);
  }

  Result<std::vector<ApiCall>> plan = action->plan(ctx, *pre);
  if (!plan.ok()) return finish(run, RunStatus::failed, "plan failed: " + plan.error().message, &plan.error());
  run.report.plan = *plan;
  if (plan->empty()) return finish(run, RunStatus::noop, "nothing to change: " + pre->reason);
  if (dry_run) return finish(run, RunStatus::dry_run, dry_run_reason + "; would: " + pre->reason);

  // Rollback information and the intent are durable before the first change.
  RollbackRecord record{run.report.action_id = new_action_id(), request.action, request.correlation_id,
                        request.finding.id, finding_account(request.finding), request.finding.region,
                        request.finding.resource_arn, request.finding.resource_id, request.finding.resource_type,
                        request.finding.resource_name, run.params, pre->state, "intent"};
  if (Result<void> stored = rollbacks_.put(record); !stored.ok()) {
    return finish(run, RunStatus::failed, "rollback record not stored, nothing changed: " + stored.error().message,
                  &stored.error());
  }
  audit::AuditEntry intent{"action_intent", request.correlation_id, request.finding.id, options_.actor,
                           {{"action_id", run.report.action_id}, {"action", request.action},
                            {"resource", resource_json(request.finding)}, {"params", run.params},
                            {"plan", calls_json(*plan)}, {"prior_state", pre->state}, {"evidence", pre->evidence},
                            {"reason", pre->reason}, {"approved", request.approved}}};
  if (Result<audit::AuditRecord> written = audit_.append(intent); !written.ok()) {
    record.status = "failed";
    (void)rollbacks_.put(record);
    return finish(run, RunStatus::failed, "audit intent not written, nothing changed: " + written.error().message,
                  &written.error());
  }

  const ApplyOutcome applied = action->apply(ctx, *plan);
  run.report.request_ids = applied.request_ids;
  if (!applied.ok()) {
    record.status = "failed";
    (void)rollbacks_.put(record);
    return finish(run, RunStatus::failed,
                  "apply failed after " + std::to_string(applied.calls_completed) + " of " +
                      std::to_string(plan->size()) + " call(s): " + applied.error->message,
                  &*applied.error);
  }

  Result<Verification> verified = action->verify(ctx);
  record.status = "verify_failed";
  if (!verified.ok()) {
    (void)rollbacks_.put(record);
    return finish(run, RunStatus::verify_failed, "verification could not read back: " + verified.error().message,
                  &verified.error());
  }
  run.report.after = verified->state;
  if (!verified->compliant) {
    (void)rollbacks_.put(record);
    const Error e = make_error("actions.verify_failed", verified->reason);
    return finish(run, RunStatus::verify_failed, verified->reason, &e);
  }
  record.status = "applied";
  std::string reason = "changed and verified: " + verified->reason;
  if (Result<void> stored = rollbacks_.put(record); !stored.ok()) reason += " (rollback status not updated: " + stored.error().message + ")";
  return finish(run, RunStatus::succeeded, reason);
}

RunReport ActionRunner::rollback(const std::string& action_id, const std::string& correlation_id) {
  static const Finding kNoFinding;
  Result<RollbackRecord> record = rollbacks_.get(action_id);
  if (!record.ok()) {
    Run run{kNoFinding, "", correlation_id, "rollback_result"};
    run.report.action_id = action_id;
    return finish(run, RunStatus::failed, record.error().message, &record.error());
  }
  const Finding target = record->target();
  Run run{target, record->action, correlation_id, "rollback_result", record->params};
  run.report.action_id = action_id;
  run.report.before = record->prior_state;
  const ActionSpec* spec = registry_.find(record->action);
  if (spec == nullptr) {
    const Error e = make_error("actions.unknown_action", "no action named " + record->action);
    return finish(run, RunStatus::failed, e.message, &e);
  }
  std::optional<guardrails::ResourceLockGuard> lock = guardrails_.lock_resource(target.resource_key());
  if (!lock) {
    run.report.guardrail = "resource_lock";
    return finish(run, RunStatus::deferred, "another change to this resource is still in progress");
  }
  Result<std::unique_ptr<CloudApi>> session = sessions_.open(target, correlation_id);
  if (!session.ok()) {
    return finish(run, RunStatus::failed, "cannot act in the account: " + session.error().message, &session.error());
  }
  RetryingCloudApi cloud(**session, options_.retry, options_.sleep);
  run.cloud = &cloud;
  std::unique_ptr<RemediationAction> action = spec->make();
  ActionContext ctx{cloud, target, record->params, correlation_id, options_.wall_clock()};

  Result<std::vector<ApiCall>> plan = action->rollback_plan(ctx, record->prior_state);
  if (!plan.ok()) return finish(run, RunStatus::failed, "rollback plan failed: " + plan.error().message, &plan.error());
  run.report.plan = *plan;
  if (auto why = guardrails_.kill_switch().engaged()) {
    run.report.guardrail = "kill_switch";
    return finish(run, RunStatus::dry_run, *why);
  }
  audit::AuditEntry intent{"rollback_intent", correlation_id, target.id, options_.actor,
                           {{"action_id", action_id}, {"action", record->action}, {"resource", resource_json(target)},
                            {"plan", calls_json(*plan)}, {"prior_state", record->prior_state}}};
  if (Result<audit::AuditRecord> written = audit_.append(intent); !written.ok()) {
    return finish(run, RunStatus::failed, "audit intent not written, nothing changed: " + written.error().message,
                  &written.error());
  }
  const ApplyOutcome applied = execute_calls(cloud, *plan);
  run.report.request_ids = applied.request_ids;
  if (!applied.ok()) return finish(run, RunStatus::failed, "rollback failed: " + applied.error->message, &*applied.error);

  Result<Precheck> now = action->precheck(ctx);
  if (!now.ok()) return finish(run, RunStatus::verify_failed, "cannot read back: " + now.error().message, &now.error());
  run.report.after = now->state;
  if (now->state != record->prior_state) {
    const Error e = make_error("actions.verify_failed", "the state read back differs from the recorded prior state");
    return finish(run, RunStatus::verify_failed, e.message, &e);
  }
  guardrails_.loop_protection().record_change(target.resource_key());
  record->status = "rolled_back";
  std::string reason = "prior state restored and read back";
  if (Result<void> stored = rollbacks_.put(*record); !stored.ok()) reason += " (record not updated: " + stored.error().message + ")";
  return finish(run, RunStatus::rolled_back, reason);
}

}  // namespace fixgate::actions
