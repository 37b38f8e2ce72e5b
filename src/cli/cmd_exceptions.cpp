// fixgate exceptions: the waiver registry (src/exceptions) from the shell.
//
//   fixgate exceptions list   [--json] [--config C]
//   fixgate exceptions add    --id WVR-2001 (--control ID | --resource ARN | --account ID | --tag K=V)...
//                             --expires YYYY-MM-DD --reason TEXT --requested-by NAME [--approver NAME] [--config C]
//   fixgate exceptions approve ID --approver NAME
//   fixgate exceptions revoke  ID --by NAME --reason TEXT
//
// The registry is <state dir>/exceptions.db and every change is audited in
// <state dir>/audit.db (override with --db / --audit-db). `add` with an
// approver (who must not be the requester) stores the waiver approved, else
// pending. With --config, list also shows the configuration file's waivers and
// add refuses their ids. Approved waivers past their expiry day are listed as
// "expired". Exit 0 on success, 1 when the registry or audit log failed or the
// waiver is unknown, 2 on usage errors and invalid requests.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "cli/commands.h"
#include "cli/state_paths.h"
#include "pgaudit/audit_store.h"
#include "core/text.h"
#include "exceptions/registry.h"

namespace fixgate::cli {

namespace {

struct ExceptionsArgs {
  std::string db;
  std::string audit_db;
  std::string config_path;
  bool json = false;
  std::string id;
  std::vector<std::string> controls, resources, accounts, tags;
  std::string expires, reason, requested_by, approver, by;
};

int fail(const Error& error) {
  std::fprintf(stderr, "fixgate exceptions: %s\n", escape_for_display(error.to_string()).c_str());
  const bool usage = error.code.rfind("exceptions.invalid", 0) == 0 || error.code == "exceptions.missing_field" ||
                     error.code == "exceptions.self_approval" || error.code == "exceptions.duplicate_id" ||
                     error.code.rfind("config.", 0) == 0 || error.code == "exceptions.not_pending" ||
                     error.code == "exceptions.already_revoked";
  return usage ? 2 : 1;
}

struct Opened {
  std::optional<Config> config;
  std::unique_ptr<audit::AuditSink> audit;
  std::unique_ptr<exceptions::Registry> registry;
};

Result<Opened> open_all(const ExceptionsArgs& args) {
  Opened out;
  exceptions::RegistryOptions options;
  options.actor = "fixgate-cli";
  if (!args.config_path.empty()) {
    auto config = load_config(args.config_path);
    if (!config) return config.error();
    for (const auto& w : config->exceptions.waivers) options.reserved_ids.insert(w.id);
    out.config = std::move(*config);
  }
  auto audit_log = pgaudit::open_audit_store(
      pgaudit::choose_audit_location(args.audit_db, [] { return default_state_file("audit.db"); }));
  if (!audit_log) return audit_log.error();
  out.audit = std::move(*audit_log);
  auto registry = exceptions::Registry::open(args.db.empty() ? default_state_file("exceptions.db") : args.db,
                                             *out.audit, options);
  if (!registry) return registry.error();
  out.registry = std::move(*registry);
  return out;
}

std::string scope_text(const Waiver& w) {
  std::string out;
  auto add = [&out](const char* label, const std::vector<std::string>& items) {
    for (const auto& item : items) out += (out.empty() ? "" : " ") + std::string(label) + "=" + escape_for_display(item);
  };
  add("control", w.controls);
  add("resource", w.resources);
  add("account", w.accounts);
  for (const auto& t : w.tags) out += (out.empty() ? "" : " ") + ("tag=" + escape_for_display(t.key + "=" + t.value));
  return out;
}

int run_list(const ExceptionsArgs& args) {
  auto opened = open_all(args);
  if (!opened) return fail(opened.error());
  auto stored = opened->registry->list();
  if (!stored) return fail(stored.error());
  const auto now = std::chrono::system_clock::now();
  std::vector<std::pair<const char*, exceptions::StoredWaiver>> rows;
  if (opened->config) {
    for (const auto& w : opened->config->exceptions.waivers) rows.emplace_back("config", exceptions::StoredWaiver{w});
  }
  for (auto& s : *stored) rows.emplace_back("registry", std::move(s));
  if (!args.json) {
    std::printf("%-14s %-9s %-10s %-11s %-12s %s\n", "ID", "ORIGIN", "STATUS", "EXPIRES", "APPROVER", "SCOPE");
  }
  for (const auto& [origin, s] : rows) {
    const Waiver& w = s.waiver;
    if (args.json) {
      nlohmann::json row = s.to_json(now);
      row["origin"] = origin;
      std::cout << row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
      continue;
    }
    std::printf("%-14s %-9s %-10s %-11s %-12s %s\n", escape_for_display(w.id).c_str(), origin,
                exceptions::effective_status(w, now).c_str(), w.expires ? format_date(*w.expires).c_str() : "never",
                w.approver.empty() ? "-" : escape_for_display(w.approver).c_str(), scope_text(w).c_str());
    if (!w.reason.empty()) std::printf("%14s reason: %s\n", "", escape_for_display(w.reason).c_str());
  }
  if (rows.empty() && !args.json) std::printf("(no waivers)\n");
  return 0;
}

int run_add(const ExceptionsArgs& args) {
  exceptions::WaiverRequest r;
  r.id = args.id;
  r.controls = args.controls;
  r.resources = args.resources;
  r.accounts = args.accounts;
  for (const auto& tag : args.tags) {
    const size_t eq = tag.find('=');
    if (eq == std::string::npos) {
      return fail(make_error("exceptions.invalid_scope", "tags: \"" + tag + "\" is not KEY=VALUE (VALUE * for any)"));
    }
    r.tags.push_back({tag.substr(0, eq), tag.substr(eq + 1)});
  }
  r.expires = args.expires;
  r.reason = args.reason;
  r.requested_by = args.requested_by;
  r.approver = args.approver;
  // Validate before opening anything, so a bad request leaves no files behind.
  if (auto valid = exceptions::validate_request(r, std::chrono::system_clock::now()); !valid) return fail(valid.error());
  auto opened = open_all(args);
  if (!opened) return fail(opened.error());
  auto added = opened->registry->add(r);
  if (!added) return fail(added.error());
  std::printf("added %s (%s)\n", escape_for_display(added->waiver.id).c_str(), to_string(added->waiver.status));
  return 0;
}

int run_approve(const ExceptionsArgs& args) {
  auto opened = open_all(args);
  if (!opened) return fail(opened.error());
  auto approved = opened->registry->approve(args.id, args.approver);
  if (!approved) return fail(approved.error());
  std::printf("approved %s by %s\n", escape_for_display(args.id).c_str(), escape_for_display(args.approver).c_str());
  return 0;
}

int run_revoke(const ExceptionsArgs& args) {
  auto opened = open_all(args);
  if (!opened) return fail(opened.error());
  auto revoked = opened->registry->revoke(args.id, args.by, args.reason);
  if (!revoked) return fail(revoked.error());
  std::printf("revoked %s\n", escape_for_display(args.id).c_str());
  return 0;
}

void common_options(CLI::App* cmd, ExceptionsArgs& args) {
  cmd->add_option("--db", args.db, "exceptions registry (default: <state dir>/exceptions.db)");
  cmd->add_option("--audit-db", args.audit_db, "audit log: a SQLite file or a postgresql:// URI (default: $FIXGATE_AUDIT_URL, else <state dir>/audit.db)");
}

}  // namespace

void add_exceptions_command(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<ExceptionsArgs>();
  auto* cmd = app.add_subcommand("exceptions", "List, add, approve and revoke waivers in the exceptions registry");
  cmd->require_subcommand(1);

  auto* list = cmd->add_subcommand("list", "Every waiver, expired ones shown as expired");
  common_options(list, *args);
  list->add_flag("--json", args->json, "One JSON object per waiver per line");
  list->add_option("--config,-c", args->config_path, "Also list the configuration file's waivers");
  list->callback([args, &exit] { exit.value = run_list(*args); });

  auto* add = cmd->add_subcommand("add", "Add a waiver (approved with --approver, else pending)");
  common_options(add, *args);
  add->add_option("--id", args->id, "Waiver id, e.g. WVR-2001")->required();
  add->add_option("--control", args->controls, "Control id the waiver covers (repeatable)");
  add->add_option("--resource", args->resources, "Resource ARN or id; a trailing * matches a prefix (repeatable)");
  add->add_option("--account", args->accounts, "12-digit account id (repeatable)");
  add->add_option("--tag", args->tags, "KEY=VALUE the resource must carry; VALUE * for any (repeatable)");
  add->add_option("--expires", args->expires, "Last valid day, YYYY-MM-DD (UTC)")->required();
  add->add_option("--reason", args->reason, "Why the finding may stay unfixed")->required();
  add->add_option("--requested-by", args->requested_by, "Who asks for the waiver")->required();
  add->add_option("--approver", args->approver, "Who approved it (not the requester); omit for pending");
  add->add_option("--config,-c", args->config_path, "Refuse ids the configuration file already uses");
  add->callback([args, &exit] { exit.value = run_add(*args); });

  auto* approve = cmd->add_subcommand("approve", "Approve a pending waiver");
  common_options(approve, *args);
  approve->add_option("ID", args->id, "Waiver id")->required();
  approve->add_option("--approver", args->approver, "Who approves (not the requester)")->required();
  approve->callback([args, &exit] { exit.value = run_approve(*args); });

  auto* revoke = cmd->add_subcommand("revoke", "Revoke a waiver");
  common_options(revoke, *args);
  revoke->add_option("ID", args->id, "Waiver id")->required();
  revoke->add_option("--by", args->by, "Who revokes it")->required();
  revoke->add_option("--reason", args->reason, "Why it ends")->required();
  revoke->callback([args, &exit] { exit.value = run_revoke(*args); });
}

}  // namespace fixgate::cli
