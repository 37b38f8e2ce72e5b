// fixgate notify: notification channels and the outbox by hand.
//
//   fixgate notify test --config C --channel NAME FINDING_FILE
//       decides the finding (no audit record, nothing queued) and sends its
//       notification on one channel now; prints the HTTP status and the
//       receiver's reference. Exit 0 when the receiver accepted it, 1 when not.
//   fixgate notify deliver --config C      deliver what is due in the outbox now
//   fixgate notify list --config C [--state pending|sent|failed] [--json]
//   fixgate notify retry --config C ID     re-arm a failed notification after review
//
// The outbox is notifications.outbox, else <state dir>/notifications.db; the
// audit log is <state dir>/audit.db (or --audit-db). Exit 2 on usage or
// configuration errors. Nothing printed contains a secret or a webhook URL,
// and text from findings is escaped for the terminal.
#include <cstdio>
#include <memory>
#include <string>

#include "audit/audit_log.h"
#include "cli/commands.h"
#include "cli/read_file.h"
#include "cli/state_paths.h"
#include "pgaudit/audit_store.h"
#include "core/text.h"
#include "decision/decision.h"
#include "engine/platform.h"
#include "intake/intake.h"
#include "notify/service.h"

namespace fixgate::cli {
namespace {

struct NotifyArgs {
  std::string config_path;
  std::string audit_db;
  std::string channel;
  std::string finding_file;
  std::string state;
  bool json = false;
  int64_t id = 0;
};

struct Opened {
  Config config;
  std::unique_ptr<audit::AuditSink> audit;
  std::unique_ptr<notify::NotificationService> service;
};

int fail(int code, const std::string& message) {
  std::fprintf(stderr, "fixgate notify: %s\n", escape_for_display(message).c_str());
  return code;
}

// Exit code 2 (configuration) or 1 (state) in `code` when it fails.
Result<Opened> open(const NotifyArgs& args, int& code) {
  Opened out;
  code = 2;
  auto config = load_config(args.config_path);
  if (!config) return config.error();
  out.config = std::move(*config);
  code = 1;
  auto audit = pgaudit::open_audit_store(
      pgaudit::choose_audit_location(args.audit_db, [] { return default_state_file("audit.db"); }));
  if (!audit) return audit.error();
  out.audit = std::move(*audit);
  notify::ServiceOptions options;
  if (auto platform = engine::platform_client_config(); platform.ok()) options.aws = std::move(*platform);
  auto service = notify::NotificationService::open(out.config, state_dir(), *out.audit, std::move(options));
  if (!service) {
    code = service.error().code == "notify.config" ? 2 : 1;
    return service.error();
  }
  if (!*service) {
    code = 2;
    return make_error("notify.disabled", args.config_path + " has no notifications section");
  }
  out.service = std::move(*service);
  return out;
}

int run_test(const NotifyArgs& args) {
  int code = 0;
  auto opened = open(args, code);
  if (!opened) return fail(code, opened.error().to_string());
  auto text = read_file(args.finding_file);
  if (!text) return fail(1, text.error().to_string());
  auto findings = intake::parse_payload(*text);
  if (findings.empty()) return fail(1, args.finding_file + ": no finding in it");
  const Finding& finding = findings.front();
  const Decision decision =
      decide(finding, enrich_from_config(finding, opened->config, std::chrono::system_clock::now()), opened->config);
  auto result = opened->service->notifier().send_now(args.channel, notify::build_message({finding, decision, {}, nullptr}));
  if (!result) return fail(2, result.error().to_string());
  if (result->ok) {
    std::printf("sent on %s: HTTP %d%s\n", escape_for_display(args.channel).c_str(), result->status,
                result->reference.empty() ? "" : (", reference " + result->reference).c_str());
    return 0;
  }
  return fail(1, "not delivered on " + args.channel + ": " + result->error);
}

int run_deliver(const NotifyArgs& args) {
  int code = 0;
  auto opened = open(args, code);
  if (!opened) return fail(code, opened.error().to_string());
  const notify::DeliveryReport r = opened->service->drain();
  std::printf("sent %zu, retrying later %zu, failed %zu\n", r.sent, r.retried, r.failed);
  for (const auto& e : r.errors) std::fprintf(stderr, "fixgate notify: %s\n", escape_for_display(e).c_str());
  return r.errors.empty() ? 0 : 1;
}

int run_list(const NotifyArgs& args) {
  int code = 0;
  auto opened = open(args, code);
  if (!opened) return fail(code, opened.error().to_string());
  std::optional<notify::OutboxState> state;
  if (args.state == "pending") state = notify::OutboxState::pending;
  if (args.state == "sent") state = notify::OutboxState::sent;
  if (args.state == "failed") state = notify::OutboxState::failed;
  auto rows = opened->service->notifier().outbox().list(state, 1000);
  if (!rows) return fail(1, rows.error().to_string());
  for (const auto& row : *rows) {
    if (args.json) {
      std::printf("%s\n", nlohmann::json({{"id", row.id}, {"state", to_string(row.state)}, {"channel", row.channel},
                                           {"outcome", row.outcome}, {"correlation_id", row.correlation_id},
                                           {"finding_id", row.finding_id}, {"attempts", row.attempts},
                                           {"last_status", row.last_status}, {"last_error", row.last_error}})
                              .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                              .c_str());
    } else {
      std::printf("%-6lld %-8s %-16s %-18s %s attempts=%d status=%d %s\n", static_cast<long long>(row.id),
                  to_string(row.state), escape_for_display(row.channel).c_str(), row.outcome.c_str(),
                  escape_for_display(row.correlation_id).c_str(), row.attempts, row.last_status,
                  escape_for_display(row.last_error).c_str());
    }
  }
  return 0;
}

int run_retry(const NotifyArgs& args) {
  int code = 0;
  auto opened = open(args, code);
  if (!opened) return fail(code, opened.error().to_string());
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  auto rearmed = opened->service->notifier().outbox().rearm(args.id, now.count());
  if (!rearmed) return fail(1, rearmed.error().to_string());
  if (!*rearmed) return fail(1, "no failed notification with id " + std::to_string(args.id));
  std::printf("notification %lld re-armed; `fixgate notify deliver` sends it\n", static_cast<long long>(args.id));
  return 0;
}

}  // namespace

void add_notify_command(CLI::App& app, ExitCode& exit) {
  auto* cmd = app.add_subcommand("notify", "notification channels and the delivery outbox");
  cmd->require_subcommand(1);
  auto args = std::make_shared<NotifyArgs>();
  auto common = [&](CLI::App* sub) {
    sub->add_option("--config", args->config_path, "fixgate.yaml with a notifications section")->required();
    sub->add_option("--audit-db", args->audit_db, "audit log: a SQLite file or a postgresql:// URI (default: $FIXGATE_AUDIT_URL, else <state dir>/audit.db)");
  };
  auto* test = cmd->add_subcommand("test", "decide a finding and send its notification on one channel now");
  common(test);
  test->add_option("--channel", args->channel, "channel name from notifications.channels")->required();
  test->add_option("finding", args->finding_file, "finding payload file")->required();
  test->callback([args, &exit] { exit.value = run_test(*args); });
  auto* deliver = cmd->add_subcommand("deliver", "deliver every notification due now");
  common(deliver);
  deliver->callback([args, &exit] { exit.value = run_deliver(*args); });
  auto* list = cmd->add_subcommand("list", "list the outbox");
  common(list);
  list->add_option("--state", args->state, "pending, sent or failed")->check(CLI::IsMember({"pending", "sent", "failed"}));
  list->add_flag("--json", args->json, "one JSON object per line");
  list->callback([args, &exit] { exit.value = run_list(*args); });
  auto* retry = cmd->add_subcommand("retry", "re-arm a failed notification after review");
  common(retry);
  retry->add_option("id", args->id, "outbox id (from `notify list`)")->required();
  retry->callback([args, &exit] { exit.value = run_retry(*args); });
}

}  // namespace fixgate::cli
