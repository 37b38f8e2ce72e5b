// What the engine-running commands (`fixgate worker`, `fixgate lambda`) share:
// the options that say which configuration, state and audit log to use and how
// much to log, and the two things each does with them before its loop — a
// structured logger that knows the process's secrets, and the Engine.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "core/result.h"
#include "engine/engine.h"
#include "logging/logger.h"
#include "pgaudit/audit_store.h"

namespace fixgate::cli {

struct EngineCommandArgs {
  std::string config_path;
  std::string state_dir;  // the command's default when not given (set before add_engine_command_options)
  std::string audit_db;   // empty: $FIXGATE_AUDIT_URL, else <state dir>/audit.db
  std::string log_level = "info";
};

// Adds --config/-c (required), --state-dir, --audit-db and --log-level. A level
// other than debug/info/warn/error is a usage error (exit 2) before anything runs.
inline void add_engine_command_options(CLI::App& cmd, EngineCommandArgs& args, const std::string& state_dir_help) {
  cmd.add_option("--config,-c", args.config_path, "fixgate configuration (YAML)")->required();
  cmd.add_option("--state-dir", args.state_dir, state_dir_help);
  cmd.add_option("--audit-db", args.audit_db,
                 "audit log: a SQLite file or a postgresql:// URI (default: $FIXGATE_AUDIT_URL, else <state "
                 "dir>/audit.db)");
  cmd.add_option("--log-level", args.log_level, "debug, info, warn or error (default info)")
      ->check(CLI::IsMember({"debug", "info", "warn", "warning", "error"}, CLI::ignore_case));
}

// JSON lines on stderr under `component` (logging/logger.h). The AWS credentials
// in the environment are registered with the redaction guard, so they are
// replaced wherever an error message or a finding would carry them into a line.
inline logging::Logger command_logger(std::string component, const EngineCommandArgs& args) {
  auto redactor = std::make_shared<logging::Redactor>();
  for (const char* name : {"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID"}) {
    if (const char* value = std::getenv(name); value != nullptr) redactor->add_secret(value);
  }
  return logging::Logger(std::move(component), logging::stderr_writer(), std::move(redactor),
                         logging::new_run_id(), logging::level_from_string(args.log_level).value_or(logging::Level::info));
}

// The audit log the command uses: --audit-db, else $FIXGATE_AUDIT_URL, else
// <state dir>/audit.db. Print it through pgaudit::display_audit_location.
inline std::string audit_location(const EngineCommandArgs& args) {
  return pgaudit::choose_audit_location(
      args.audit_db, [&] { return (std::filesystem::path(args.state_dir) / "audit.db").string(); });
}

// An error as log line fields: {"error_code", "error"} (the line's redaction
// guard still applies to the message).
inline nlohmann::json error_fields(const Error& error) {
  return {{"error_code", error.code}, {"error", error.message}};
}

// Opens the Engine on the state dir (created when missing) and the chosen audit
// log, recording `actor` as who acted. Errors are the Engine's (the config's
// file:line:col, the audit store's open error without its password).
inline Result<std::unique_ptr<engine::Engine>> open_engine(const EngineCommandArgs& args, std::string actor) {
  engine::EngineOptions options;
  options.config_path = args.config_path;
  options.state_dir = args.state_dir;
  std::error_code ignored;
  std::filesystem::create_directories(options.state_dir, ignored);
  options.audit_db = audit_location(args);
  options.actor = std::move(actor);
  return engine::Engine::open(std::move(options));
}

}  // namespace fixgate::cli
