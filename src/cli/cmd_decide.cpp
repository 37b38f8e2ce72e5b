// fixgate decide: decide over finding files with no side effect but the audit record.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "audit/memory_audit_log.h"
#include "cli/commands.h"
#include "cli/read_file.h"
#include "cli/state_paths.h"
#include "pgaudit/audit_store.h"
#include "config/config.h"
#include "core/text.h"
#include "enrichment/hooks.h"
#include "guardrails/kill_switch.h"
#include "pipeline/decision_pipeline.h"

namespace fixgate::cli {

namespace {

struct DecideArgs {
  std::string config_path;
  std::string audit_db;
  std::string kill_switch_file;
  bool json = false;
  bool no_audit = false;
  std::vector<std::string> files;
};

std::string cell(std::string_view text, size_t width) {
  std::string shown = escape_for_display(text);
  if (shown.size() > width) shown = shown.substr(0, width - 1) + "~";
  shown.resize(width, ' ');
  return shown;
}

// Resource keys differ at their end (bucket, group, user), so a long one keeps its tail.
std::string tail_cell(std::string_view text, size_t width) {
  std::string shown = escape_for_display(text);
  if (shown.size() > width) shown = "~" + shown.substr(shown.size() - (width - 1));
  shown.resize(width, ' ');
  return shown;
}

void print_table_header() {
  std::printf("%s %s %s %s %s %s\n", cell("RESOURCE", 32).c_str(), cell("OUTCOME", 17).c_str(),
              cell("REASON", 30).c_str(), cell("CATALOG/ACTION", 44).c_str(), cell("ENVIRONMENT", 21).c_str(),
              "OWNER");
}

void print_table_row(const pipeline::DecidedFinding& item) {
  const Decision& d = item.decision;
  const std::string entry = d.catalog_entry.empty() ? "-" : d.catalog_entry + " / " + d.action;
  std::printf("%s %s %s %s %s %s\n", tail_cell(d.resource.empty() ? "(no resource)" : d.resource, 32).c_str(),
              cell(to_string(d.outcome), 17).c_str(), cell(d.reason().code, 30).c_str(), cell(entry, 44).c_str(),
              cell(d.environment.empty() ? "-" : d.environment, 21).c_str(),
              escape_for_display(d.owner.empty() ? "-" : d.owner).c_str());
  std::printf("    finding %s: %s\n", escape_for_display(d.finding_id.empty() ? "(no id)" : d.finding_id).c_str(),
              escape_for_display(d.reason().detail).c_str());
}

int run_decide(const DecideArgs& args) {
  auto config = load_config(args.config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.error().message.c_str());
    return 2;
  }
  std::unique_ptr<audit::AuditSink> audit_log;
  const std::string audit_location =
      args.no_audit ? "" : pgaudit::choose_audit_location(args.audit_db, [] { return default_state_file("audit.db"); });
  if (!args.no_audit) {
    auto opened = pgaudit::open_audit_store(audit_location);
    if (!opened.ok()) {
      std::fprintf(stderr, "fixgate decide: %s\n", opened.error().to_string().c_str());
      return 2;
    }
    audit_log = std::move(*opened);
  }
  const std::string kill_file =
      args.kill_switch_file.empty() ? state_dir() + "/kill-switch" : args.kill_switch_file;
  guardrails::KillSwitch kill_switch(false, kill_file);

  // Owners from every configured source; waivers from the registry when one
  // exists (decide only reads it, so it never creates one).
  auto resolver = enrichment::ownership_resolver(*config);
  if (!resolver.ok()) {
    std::fprintf(stderr, "fixgate decide: %s\n", escape_for_display(resolver.error().to_string()).c_str());
    return 2;
  }
  audit::MemoryAuditLog registry_audit;  // the registry is only read here
  std::unique_ptr<exceptions::Registry> registry;
  if (const std::string path = state_dir() + "/exceptions.db"; std::filesystem::exists(path)) {
    auto opened = exceptions::Registry::open(path, registry_audit);
    if (!opened.ok()) {
      std::fprintf(stderr, "fixgate decide: %s\n", opened.error().to_string().c_str());
      return 2;
    }
    registry = std::move(*opened);
  }

  pipeline::PipelineOptions options;
  options.config = &*config;
  options.audit = audit_log.get();
  options.kill_switch = [&kill_switch] { return kill_switch.engaged().has_value(); };
  options.owners = enrichment::owner_lookup(*resolver);
  if (registry) {
    options.waivers = enrichment::waiver_lookup(*registry, [](const Error& e) {
      std::fprintf(stderr, "fixgate decide: warning: %s\n", e.to_string().c_str());
    });
  }
  pipeline::DecisionPipeline pipeline(std::move(options));

  if (!args.json) print_table_header();
  for (const auto& file : args.files) {
    auto payload = read_file(file);
    if (!payload.ok()) {
      std::fprintf(stderr, "fixgate decide: %s\n", payload.error().message.c_str());
      return 2;
    }
    auto decided = pipeline.decide_payload(*payload);
    if (!decided.ok()) {
      std::fprintf(stderr, "fixgate decide: %s: %s\n", file.c_str(), decided.error().to_string().c_str());
      return 1;
    }
    for (const auto& item : *decided) {
      if (args.json) {
        nlohmann::json line = item.decision.to_json();
        line["file"] = file;
        if (item.audit_seq > 0) line["audit_seq"] = item.audit_seq;
        std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
      } else {
        print_table_row(item);
      }
    }
  }
  if (!args.json && audit_log) std::printf("\naudit evidence: %s\n", pgaudit::display_audit_location(audit_location).c_str());
  std::cout.flush();
  return 0;
}

}  // namespace

void add_decide_command(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<DecideArgs>();
  auto* cmd = app.add_subcommand("decide", "Decide what to do with findings; records each decision in the audit log");
  cmd->add_option("--config,-c", args->config_path, "fixgate configuration (YAML)")->required();
  cmd->add_flag("--json", args->json, "one JSON object per finding per line");
  cmd->add_option("--audit-db", args->audit_db, "audit log: a SQLite file or a postgresql:// URI (default: $FIXGATE_AUDIT_URL, else "
                  "$FIXGATE_STATE_DIR/audit.db or .fixgate/audit.db)");
  cmd->add_flag("--no-audit", args->no_audit, "decide without writing audit records (dry exploration only)");
  cmd->add_option("--kill-switch-file", args->kill_switch_file,
                  "file whose presence turns every remediation into a dry run (default: <state dir>/kill-switch)");
  cmd->add_option("files", args->files, "finding payloads (Wiz, SNS, ASFF, EventBridge)")->required()->check(CLI::ExistingFile);
  cmd->callback([args, &exit] { exit.value = run_decide(*args); });
}

}  // namespace fixgate::cli
