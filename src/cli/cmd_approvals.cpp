// fixgate approvals: the approval queue (src/approvals) from the shell.
//
//   fixgate approvals list    [--status pending|approved|denied|expired] [--json]
//   fixgate approvals show    ID [--json]
//   fixgate approvals approve ID --approver NAME --config C [--note TEXT]
//   fixgate approvals deny    ID --approver NAME --reason TEXT --config C
//
// Requests live in <state dir>/approvals.db ($FIXGATE_STATE_DIR). approve and
// deny open the engine of the given configuration (audit log, guardrails,
// assumed-role sessions): on approval the action runs at once after a fresh
// precheck, and its result is printed. An approver cannot approve a request
// they asked for; an expired request is reported and marked expired.
// Exit 0 on success (an approved action that then failed exits 1), 1 when the
// request cannot be decided (unknown, expired, already decided, self-approval)
// or the store failed, 2 on usage or configuration errors.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "approvals/service.h"
#include "cli/commands.h"
#include "cli/state_paths.h"
#include "pgaudit/audit_store.h"
#include "core/text.h"
#include "engine/engine.h"

namespace fixgate::cli {

namespace {

struct ApprovalsArgs {
  std::string config_path;
  std::string status;
  std::string id;
  std::string approver;
  std::string note;
  std::string reason;
  bool json = false;
};

int fail(const Error& error, int code) {
  std::fprintf(stderr, "fixgate approvals: %s\n", escape_for_display(error.to_string()).c_str());
  return code;
}

std::string store_path() { return default_state_file("approvals.db"); }

std::string when(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "-";
}

void print_request(const approvals::ApprovalRequest& r, bool details) {
  const nlohmann::json j = r.to_json();
  std::printf("%s  %-8s %-32s %s  finding %s\n", r.id.c_str(), to_string(r.status), escape_for_display(r.action).c_str(),
              r.correlation_id.c_str(), escape_for_display(r.finding_id).c_str());
  if (!details) return;
  std::printf("  resource:     %s\n", escape_for_display(r.finding.value("resource_arn", "")).c_str());
  std::printf("  account:      %s\n", escape_for_display(r.finding.value("account", "")).c_str());
  std::printf("  why:          %s\n", escape_for_display(r.why).c_str());
  std::printf("  requested by: %s at %s, expires %s\n", escape_for_display(r.requested_by).c_str(),
              when(j, "created_at").c_str(), when(j, "expires_at").c_str());
  if (!r.decided_by.empty()) {
    std::printf("  decided by:   %s at %s%s\n", escape_for_display(r.decided_by).c_str(), when(j, "decided_at").c_str(),
                r.note.empty() ? "" : ("; " + escape_for_display(r.note)).c_str());
  }
  std::printf("  plan (%zu call(s)):\n", r.plan.size());
  for (const auto& call : r.plan) {
    std::printf("    %s\n", escape_for_display(call.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)).c_str());
  }
  if (!r.result.is_null()) {
    std::printf("  result:       %s: %s\n", escape_for_display(r.result.value("status", "")).c_str(),
                escape_for_display(r.result.value("reason", "")).c_str());
  }
}

void emit(const approvals::ApprovalRequest& r, bool json, bool details) {
  if (json) {
    std::cout << r.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else {
    print_request(r, details);
  }
}

int run_list(const ApprovalsArgs& args) {
  approvals::ListQuery query;
  if (!args.status.empty()) {
    query.status = approvals::parse_status(args.status);
    if (!query.status) {
      return fail(make_error("usage", "--status must be pending, approved, denied or expired"), 2);
    }
  }
  auto store = approvals::ApprovalStore::open(store_path());
  if (!store) return fail(store.error(), 1);
  auto listed = (*store)->list(query);
  if (!listed) return fail(listed.error(), 1);
  for (const auto& r : *listed) emit(r, args.json, false);
  if (listed->empty() && !args.json) std::printf("(no approval requests)\n");
  return 0;
}

int run_show(const ApprovalsArgs& args) {
  auto store = approvals::ApprovalStore::open(store_path());
  if (!store) return fail(store.error(), 1);
  auto found = (*store)->get(args.id);
  if (!found) return fail(found.error(), 1);
  emit(*found, args.json, true);
  return 0;
}

// approve / deny: the engine of the configuration acts and audits.
int run_decide(const ApprovalsArgs& args, bool approve) {
  engine::EngineOptions options;
  options.config_path = args.config_path;
  options.state_dir = state_dir();
  options.audit_db = pgaudit::choose_audit_location("", [] { return default_state_file("audit.db"); });
  options.actor = "fixgate-cli";
  auto opened = engine::Engine::open(std::move(options));
  if (!opened) return fail(opened.error(), 2);
  approvals::ApprovalService& service = (*opened)->approvals();
  auto decided = approve ? service.approve(args.id, args.approver, args.note)
                         : service.deny(args.id, args.approver, args.reason);
  if (!decided) {
    const bool usage = decided.error().code == "approvals.invalid_approver" ||
                       decided.error().code == "approvals.reason_required";
    return fail(decided.error(), usage ? 2 : 1);
  }
  emit(*decided, args.json, true);
  const std::string status = decided->result.is_object() ? decided->result.value("status", "") : "";
  return status == "failed" || status == "verify_failed" ? 1 : 0;
}

}  // namespace

void add_approvals_command(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<ApprovalsArgs>();
  auto* cmd = app.add_subcommand("approvals", "List, show, approve and deny approval requests");
  cmd->require_subcommand(1);
  auto json_option = [&args](CLI::App* sub) {
    sub->add_flag("--json", args->json, "JSON instead of text");
  };

  auto* list = cmd->add_subcommand("list", "Approval requests, newest first");
  json_option(list);
  list->add_option("--status", args->status, "pending, approved, denied or expired");
  list->callback([args, &exit] { exit.value = run_list(*args); });

  auto* show = cmd->add_subcommand("show", "One request with its plan and result");
  json_option(show);
  show->add_option("ID", args->id, "Request id (apr-...)")->required();
  show->callback([args, &exit] { exit.value = run_show(*args); });

  auto* approve = cmd->add_subcommand("approve", "Approve a request; the action runs at once after a fresh precheck");
  json_option(approve);
  approve->add_option("ID", args->id, "Request id (apr-...)")->required();
  approve->add_option("--approver", args->approver, "Who approves (not the requester)")->required();
  approve->add_option("--note", args->note, "Change ticket or remark, kept with the approval");
  approve->add_option("--config,-c", args->config_path, "fixgate configuration (YAML)")->required();
  approve->callback([args, &exit] { exit.value = run_decide(*args, true); });

  auto* deny = cmd->add_subcommand("deny", "Deny a request; nothing runs");
  json_option(deny);
  deny->add_option("ID", args->id, "Request id (apr-...)")->required();
  deny->add_option("--approver", args->approver, "Who denies")->required();
  deny->add_option("--reason", args->reason, "Why")->required();
  deny->add_option("--config,-c", args->config_path, "fixgate configuration (YAML)")->required();
  deny->callback([args, &exit] { exit.value = run_decide(*args, false); });
}

}  // namespace fixgate::cli
