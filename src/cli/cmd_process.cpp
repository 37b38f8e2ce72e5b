// fixgate process: decide and act in one shot. Remediations go through the
// ActionRunner (guardrails, assumed role, precheck/apply/verify, audit before and
// after); dry runs print their plan; every other outcome is already on record.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/read_file.h"
#include "cli/state_paths.h"
#include "pgaudit/audit_store.h"
#include "engine/engine.h"

namespace fixgate::cli {

namespace {

struct ProcessArgs {
  std::string config_path;
  std::string audit_db;
  std::string rollback_dir;
  std::vector<std::string> files;
};

int run_process(const ProcessArgs& args) {
  engine::EngineOptions options;
  options.config_path = args.config_path;
  options.state_dir = state_dir();
  options.audit_db = pgaudit::choose_audit_location(args.audit_db, [] { return default_state_file("audit.db"); });
  options.rollback_dir = args.rollback_dir.empty() ? default_state_file("rollback") : args.rollback_dir;
  auto opened = engine::Engine::open(std::move(options));
  if (!opened.ok()) {
    std::fprintf(stderr, "fixgate process: %s\n", opened.error().message.c_str());
    return 2;
  }
  engine::Engine& engine = **opened;
  for (const auto& file : args.files) {
    auto payload = read_file(file);
    if (!payload.ok()) {
      std::fprintf(stderr, "fixgate process: %s\n", payload.error().message.c_str());
      return 2;
    }
    auto outcomes = engine.handle_payload(*payload);
    if (!outcomes.ok()) {
      std::fprintf(stderr, "fixgate process: %s: %s\n", file.c_str(), outcomes.error().to_string().c_str());
      return 1;
    }
    for (const auto& outcome : *outcomes) {
      nlohmann::json line = {{"file", file}};
      line.update(outcome.to_json());
      std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    }
  }
  std::cout.flush();
  return 0;
}

}  // namespace

void add_process_command(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<ProcessArgs>();
  auto* cmd = app.add_subcommand("process", "Decide and act on findings in one shot (one JSON line per finding)");
  cmd->add_option("--config,-c", args->config_path, "fixgate configuration (YAML)")->required();
  cmd->add_option("--audit-db", args->audit_db, "audit log: a SQLite file or a postgresql:// URI (default: $FIXGATE_AUDIT_URL, else <state dir>/audit.db)");
  cmd->add_option("--rollback-dir", args->rollback_dir, "where prior states are kept (default: <state dir>/rollback)");
  cmd->add_option("files", args->files, "finding payloads (Wiz, SNS, ASFF, EventBridge)")->required()->check(CLI::ExistingFile);
  cmd->callback([args, &exit] { exit.value = run_process(*args); });
}

}  // namespace fixgate::cli
