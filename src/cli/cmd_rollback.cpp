// fixgate rollback <action-id>: restores the prior state an applied action
// recorded, through the same path every change takes — the engine's guardrails
// (kill switch, resource lock), the credential broker's assumed role in the
// resource's account, ActionRunner::rollback (audit "rollback_intent" before
// the first call, "rollback_result" after, and a read-back of the prior state).
//
// Prints the rollback report as one JSON object. Exit codes: 0 the prior state
// is restored and read back; 1 the rollback ran but did not restore it (failed,
// verify_failed, deferred by a lock, or only a dry run under the kill switch);
// 2 usage, configuration or an unknown / malformed action id.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "actions/rollback_store.h"
#include "cli/commands.h"
#include "cli/state_paths.h"
#include "pgaudit/audit_store.h"
#include "core/text.h"
#include "engine/engine.h"

namespace fixgate::cli {
namespace {

struct RollbackArgs {
  std::string action_id;
  std::string config_path;
  std::string audit_db;
  std::string rollback_dir;
  std::string correlation_id;
};

int run_rollback(const RollbackArgs& args) {
  if (!actions::valid_action_id(args.action_id)) {
    std::fprintf(stderr, "fixgate rollback: \"%s\" is not an action id (act-<16 hex digits>)\n",
                 escape_for_display(args.action_id).c_str());
    return 2;
  }
  std::string config_path = args.config_path;
  if (config_path.empty()) {
    const char* env = std::getenv("FIXGATE_CONFIG");
    if (env != nullptr) config_path = env;
  }
  if (config_path.empty()) {
    std::fprintf(stderr, "fixgate rollback: --config (or FIXGATE_CONFIG) is required: it names the account's role\n");
    return 2;
  }
  engine::EngineOptions options;
  options.config_path = config_path;
  options.state_dir = state_dir();
  (void)default_state_file("audit.db");  // creates the state directory
  options.audit_db = pgaudit::choose_audit_location(args.audit_db, [] { return default_state_file("audit.db"); });
  options.rollback_dir = args.rollback_dir.empty() ? default_state_file("rollback") : args.rollback_dir;

  // The record names the finding's correlation id: the rollback joins its
  // audit trail and, under session_scope finding, its session name.
  actions::FileRollbackStore store(options.rollback_dir);
  auto record = store.get(args.action_id);
  if (!record.ok()) {
    std::fprintf(stderr, "fixgate rollback: %s\n", escape_for_display(record.error().message).c_str());
    return 2;
  }
  const std::string correlation_id = !args.correlation_id.empty()       ? args.correlation_id
                                     : !record->correlation_id.empty() ? record->correlation_id
                                                                        : "rollback-" + args.action_id;
  auto engine = engine::Engine::open(std::move(options));
  if (!engine.ok()) {
    std::fprintf(stderr, "fixgate rollback: %s\n", escape_for_display(engine.error().to_string()).c_str());
    return 2;
  }
  const actions::RunReport report = (*engine)->runner().rollback(args.action_id, correlation_id);
  nlohmann::json out = report.to_json();
  out["action"] = record->action;
  out["correlation_id"] = correlation_id;
  std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
  return report.status == actions::RunStatus::rolled_back ? 0 : 1;
}

}  // namespace

void add_rollback_command(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<RollbackArgs>();
  auto* cmd = app.add_subcommand("rollback", "Restore the prior state recorded for an applied action (JSON result)");
  cmd->add_option("action-id", args->action_id, "the action id from process output (act-<16 hex>)")->required();
  cmd->add_option("--config,-c", args->config_path, "fixgate configuration (default: $FIXGATE_CONFIG)");
  cmd->add_option("--audit-db", args->audit_db, "audit log: a SQLite file or a postgresql:// URI (default: $FIXGATE_AUDIT_URL, else <state dir>/audit.db)");
  cmd->add_option("--rollback-dir", args->rollback_dir, "where prior states are kept (default: <state dir>/rollback)");
  cmd->add_option("--correlation-id", args->correlation_id, "audit correlation id (default: the action's own)");
  cmd->callback([args, &exit] { exit.value = run_rollback(*args); });
}

}  // namespace fixgate::cli
