#include "approvals/service.h"

#include <openssl/rand.h>

#include "core/text.h"

namespace fixgate::approvals {

namespace {

std::string new_request_id() {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return "";
  return "apr-" + to_hex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

nlohmann::json plan_json(const std::vector<actions::ApiCall>& plan) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& call : plan) out.push_back(call.to_json());
  return out;
}

// User names are shown and compared as given: no spaces or control characters.
bool valid_person(std::string_view name) {
  if (name.empty() || name.size() > 256) return false;
  for (char c : name) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return false;
  }
  return is_valid_utf8(name);
}

}  // namespace

ApprovalService::ApprovalService(ApprovalStore& store, audit::AuditSink& audit, Executor executor,
                                 ServiceOptions options)
    : store_(store), audit_(audit), executor_(std::move(executor)), options_(std::move(options)) {}

int64_t ApprovalService::now_ms() const {
  const auto now = options_.clock ? options_.clock() : std::chrono::system_clock::now();
  return std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
}

Result<void> ApprovalService::audit(const ApprovalRequest& request, const std::string& event, const std::string& actor,
                                    nlohmann::json extra) {
  audit::AuditEntry entry;
  entry.kind = "approval";
  entry.correlation_id = request.correlation_id;
  entry.finding_id = request.finding_id;
  entry.actor = actor;
  entry.body = {{"event", event}, {"request", request.to_json()}};
  for (auto& [key, value] : extra.items()) entry.body[key] = std::move(value);
  auto written = audit_.append(entry);
  if (!written) return written.error();
  return {};
}

Result<RequestOutcome> ApprovalService::create(const Finding& finding, const Decision& decision,
                                               const actions::RunReport& plan_run, const std::string& why) {
  RequestOutcome outcome;
  outcome.plan_run = plan_run;
  auto existing = store_.find_pending(decision.correlation_id, decision.action);
  if (!existing) return existing.error();
  if (*existing) {
    // Still waiting: reuse it. Past its TTL: mark it expired (audited) and ask afresh.
    auto still = pending_request(existing->value().id);
    if (still) {
      outcome.request = std::move(*still);
      outcome.reused = true;
      return outcome;
    }
  }
  ApprovalRequest r;
  r.id = new_request_id();
  if (r.id.empty()) return make_error("approvals.random", "no random bytes for a request id");
  r.correlation_id = decision.correlation_id;
  r.finding_id = finding.id;
  r.action = decision.action;
  r.params = decision.params;
  r.plan = plan_json(plan_run.plan);
  r.decision = decision.to_json();
  r.finding = finding_to_json(finding);
  r.why = why;
  r.requested_by = options_.requested_by;
  r.created_at_ms = now_ms();
  r.expires_at_ms = r.created_at_ms + std::chrono::duration_cast<std::chrono::milliseconds>(options_.ttl).count();
  if (auto stored = store_.insert(r, [&] { return audit(r, "requested", r.requested_by, {{"dry_run", plan_run.to_json()}}); });
      !stored) {
    return stored.error();
  }
  outcome.request = std::move(r);
  return outcome;
}

Result<RequestOutcome> ApprovalService::request_for_decision(const Finding& finding, const Decision& decision) {
  if (decision.outcome != Outcome::approval_required || decision.action.empty()) {
    return make_error("approvals.not_required",
                      std::string("decision outcome is ") + to_string(decision.outcome) + ", not approval_required");
  }
  actions::RunRequest dry;
  dry.finding = finding;
  dry.action = decision.action;
  dry.params = decision.params;
  dry.correlation_id = decision.correlation_id;
  dry.dry_run = true;
  actions::RunReport planned = executor_(dry);
  using actions::RunStatus;
  if (planned.status == RunStatus::noop) {
    RequestOutcome none;
    none.plan_run = planned;
    none.note = "no approval needed: " + planned.reason;
    return none;
  }
  if (planned.status != RunStatus::dry_run && planned.status != RunStatus::approval_required) {
    return make_error("approvals.plan_failed", std::string("the dry run for the plan ended ") + to_string(planned.status) +
                                                   ": " + planned.reason);
  }
  const std::string why = decision.reasons.empty() ? planned.reason : decision.reason().detail;
  return create(finding, decision, planned, why);
}

Result<RequestOutcome> ApprovalService::request_for_run(const Finding& finding, const Decision& decision,
                                                        const actions::RunReport& report) {
  if (report.status != actions::RunStatus::approval_required) {
    return make_error("approvals.not_required",
                      std::string("the run ended ") + actions::to_string(report.status) + ", not approval_required");
  }
  return create(finding, decision, report, report.reason);
}

Result<ApprovalRequest> ApprovalService::pending_request(const std::string& id) {
  auto found = store_.get(id);
  if (!found) return found.error();
  ApprovalRequest r = std::move(*found);
  if (r.status != Status::pending) {
    return make_error(r.status == Status::expired ? "approvals.expired" : "approvals.not_pending",
                      "request " + id + " is " + to_string(r.status) +
                          (r.decided_by.empty() ? std::string() : " (by " + escape_for_display(r.decided_by) + ")"));
  }
  if (now_ms() >= r.expires_at_ms) {
    ApprovalRequest expired = r;
    expired.status = Status::expired;
    expired.decided_at_ms = now_ms();
    auto moved = store_.update_if(expired, Status::pending, [&] { return audit(expired, "expired", "fixgate"); });
    if (!moved) return moved.error();
    return make_error("approvals.expired", "request " + id + " expired at " + expired.to_json()["expires_at"].get<std::string>() +
                                               " and can no longer be approved");
  }
  return r;
}

Result<ApprovalRequest> ApprovalService::approve(const std::string& id, const std::string& approver,
                                                 const std::string& note) {
  if (!valid_person(approver)) return make_error("approvals.invalid_approver", "the approver must be named (no spaces)");
  auto pending = pending_request(id);
  if (!pending) return pending.error();
  ApprovalRequest r = std::move(*pending);
  if (approver == r.requested_by) {
    (void)audit(r, "refused", approver, {{"why", "self_approval"}});
    return make_error("approvals.self_approval",
                      escape_for_display(approver) + " requested " + id + " and cannot also approve it");
  }
  r.status = Status::approved;
  r.decided_by = approver;
  r.decided_at_ms = now_ms();
  r.note = note;
  auto moved = store_.update_if(r, Status::pending, [&] { return audit(r, "approved", approver); });
  if (!moved) return moved.error();
  if (!*moved) return make_error("approvals.not_pending", "request " + id + " was decided by someone else meanwhile");

  auto finding = finding_from_json(r.finding);
  actions::RunReport report;
  if (!finding) {
    report.status = actions::RunStatus::failed;
    report.reason = finding.error().message;
    report.error_code = finding.error().code;
  } else {
    actions::RunRequest run;
    run.finding = std::move(*finding);
    run.action = r.action;
    run.params = r.params;
    run.correlation_id = r.correlation_id;
    run.approved = true;
    report = executor_(run);
  }
  r.result = report.to_json();
  auto recorded = store_.update_if(r, Status::approved, [&] {
    return audit(r, "action_result", approver, {{"status", actions::to_string(report.status)}});
  });
  if (!recorded) return recorded.error();
  return r;
}

Result<ApprovalRequest> ApprovalService::deny(const std::string& id, const std::string& approver,
                                              const std::string& reason) {
  if (!valid_person(approver)) return make_error("approvals.invalid_approver", "the approver must be named (no spaces)");
  if (trim(reason).empty()) return make_error("approvals.reason_required", "a denial needs a reason");
  auto pending = pending_request(id);
  if (!pending) return pending.error();
  ApprovalRequest r = std::move(*pending);
  r.status = Status::denied;
  r.decided_by = approver;
  r.decided_at_ms = now_ms();
  r.note = reason;
  auto moved = store_.update_if(r, Status::pending, [&] { return audit(r, "denied", approver, {{"reason", reason}}); });
  if (!moved) return moved.error();
  if (!*moved) return make_error("approvals.not_pending", "request " + id + " was decided by someone else meanwhile");
  return r;
}

Result<size_t> ApprovalService::expire_due() {
  auto pending = store_.list(ListQuery{.status = Status::pending, .limit = 100000});
  if (!pending) return pending.error();
  size_t expired = 0;
  for (const auto& request : *pending) {
    if (now_ms() < request.expires_at_ms) continue;
    auto r = pending_request(request.id);
    if (!r && r.error().code == "approvals.expired") ++expired;
  }
  return expired;
}

}  // namespace fixgate::approvals
