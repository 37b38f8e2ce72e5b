// fixgate review list|show|resolve: the review queue — every audited record
// that needs a person, with the reason, read from the audit log.
//
// An item is one audit record:
//   action_result / rollback_result with status failed or verify_failed
//     (denied calls, failed role assumption, unsupported resources, apply or
//     verification failures), and
//   decision records whose outcome is reject (malformed input, unsupported
//     control / resource type, action not allowed).
// Its id is "rev-<audit seq>", stable because the log is append-only.
// Resolving appends a "review_resolution" record (who, note, the item's seq);
// nothing is edited, and a resolved item leaves the default list.
//
// Exit codes: 0 success, 1 the item is unknown / not a review item / already
// resolved, 2 usage or an unreadable audit log. Finding ids, reasons and
// resource names are attacker-influenced: the table escapes them; JSON output is
// escaped by the JSON library.
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "cli/commands.h"
#include "cli/state_paths.h"
#include "pgaudit/audit_store.h"
#include "core/text.h"

namespace fixgate::cli {
namespace {

using nlohmann::json;

struct ReviewArgs {
  std::string db;
  bool json = false;
  bool all = false;  // list: resolved items too
  std::string id;
  std::string by;
  std::string note;
};

struct ReviewItem {
  std::string id;  // rev-<seq>
  int64_t seq = 0;
  std::string time;
  std::string category;  // role_assumption_failed | access_denied | unsupported_resource | rejected_input | action_failed | verify_failed
  std::string reason;
  std::string finding_id;
  std::string correlation_id;
  std::string kind;
  std::string action;
  std::string action_id;
  std::string resource;
  std::optional<json> resolution;  // the review_resolution record's body
  json body;

  json to_json(bool with_record) const {
    json out = {{"id", id},
                {"seq", seq},
                {"time", time},
                {"category", category},
                {"reason", reason},
                {"finding_id", finding_id},
                {"correlation_id", correlation_id},
                {"record_kind", kind},
                {"action", action},
                {"action_id", action_id},
                {"resource", resource},
                {"status", resolution ? "resolved" : "open"}};
    if (resolution) out["resolution"] = *resolution;
    if (with_record) out["record"] = body;
    return out;
  }
};

std::string text_of(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string resource_of(const json& resource) {
  if (!resource.is_object()) return "";
  for (const char* key : {"arn", "resource_arn", "id", "resource_id", "key"}) {
    if (!text_of(resource, key).empty()) return text_of(resource, key);
  }
  return resource.dump();
}

std::string action_category(const std::string& status, const std::string& code) {
  if (status == "verify_failed") return "verify_failed";
  if (code.rfind("sts.", 0) == 0 || code.rfind("broker.", 0) == 0) return "role_assumption_failed";
  if (code == "actions.unsupported_resource_type" || code == "actions.unsupported_call") return "unsupported_resource";
  if (code.find("AccessDenied") != std::string::npos || code.find("UnauthorizedOperation") != std::string::npos ||
      code.find("AuthFailure") != std::string::npos) {
    return "access_denied";
  }
  return "action_failed";
}

// The review item a record is, if it is one.
std::optional<ReviewItem> review_item(const audit::AuditRecord& record) {
  if (record.kind != "action_result" && record.kind != "rollback_result" && record.kind != "decision") return std::nullopt;
  const json body = json::parse(record.body, nullptr, false);
  if (!body.is_object()) return std::nullopt;
  ReviewItem item;
  item.id = "rev-" + std::to_string(record.seq);
  item.seq = record.seq;
  item.time = record.time;
  item.finding_id = record.finding_id;
  item.correlation_id = record.correlation_id;
  item.kind = record.kind;
  item.body = body;
  if (record.kind == "decision") {
    const json decision = body.value("decision", json::object());
    if (text_of(decision, "outcome") != "reject") return std::nullopt;
    const std::string code = text_of(decision, "reason");
    const bool unsupported = code == "unsupported_resource_type" || code == "reject/unsupported_resource_type";
    item.category = unsupported ? "unsupported_resource" : "rejected_input";
    std::string detail;
    const json reasons = decision.value("reasons", json::array());
    if (reasons.is_array() && !reasons.empty() && reasons[0].is_object()) detail = text_of(reasons[0], "detail");
    item.reason = code + (detail.empty() ? "" : ": " + detail);
    item.action = text_of(decision, "action");
    item.resource = text_of(decision, "resource");
    return item;
  }
  const std::string status = text_of(body, "status");
  if (status != "failed" && status != "verify_failed") return std::nullopt;
  const std::string code = text_of(body, "error_code");
  item.category = action_category(status, code);
  item.reason = (code.empty() ? status : code) + ": " + text_of(body, "reason");
  item.action = text_of(body, "action");
  item.action_id = text_of(body, "action_id");
  item.resource = resource_of(body.value("resource", json()));
  return item;
}

std::unique_ptr<audit::AuditSink> open_log(const ReviewArgs& args, bool read_only) {
  const std::string path = pgaudit::choose_audit_location(
      args.db, [&] { return read_only ? state_dir() + "/audit.db" : default_state_file("audit.db"); });
  auto log = pgaudit::open_audit_store(path, {.read_only = read_only});
  if (!log.ok()) {
    std::fprintf(stderr, "fixgate review: %s\n", escape_for_display(log.error().to_string()).c_str());
    return nullptr;
  }
  return std::move(log).value();
}

// Every review item in seq order, with its resolution when one was recorded.
Result<std::vector<ReviewItem>> load_queue(audit::AuditSink& log) {
  audit::AuditQuery query;
  query.limit = 0;
  auto records = log.read(query);
  if (!records.ok()) return records.error();
  std::vector<ReviewItem> items;
  std::map<int64_t, size_t> by_seq;
  for (const audit::AuditRecord& record : *records) {
    if (record.kind == "review_resolution") {
      const json body = json::parse(record.body, nullptr, false);
      if (!body.is_object() || !body.contains("seq") || !body["seq"].is_number_integer()) continue;
      const auto it = by_seq.find(body["seq"].get<int64_t>());
      if (it != by_seq.end() && !items[it->second].resolution) {
        json resolution = body;
        resolution["resolved_at"] = record.time;
        resolution["resolution_seq"] = record.seq;
        items[it->second].resolution = std::move(resolution);
      }
      continue;
    }
    if (auto item = review_item(record)) {
      by_seq[item->seq] = items.size();
      items.push_back(std::move(*item));
    }
  }
  return items;
}

std::string cell(const std::string& text, size_t width) {
  std::string out = escape_for_display(text);
  if (out.size() > width) out = out.substr(0, width - 3) + "...";
  return out;
}

int run_list(const ReviewArgs& args) {
  auto log = open_log(args, true);
  if (!log) return 2;
  auto items = load_queue(*log);
  if (!items.ok()) {
    std::fprintf(stderr, "fixgate review: %s\n", escape_for_display(items.error().to_string()).c_str());
    return 2;
  }
  size_t shown = 0;
  if (!args.json) {
    std::printf("%-10s %-24s %-22s %-9s %-36s %s\n", "ID", "TIME", "CATEGORY", "STATUS", "FINDING", "REASON");
  }
  for (const ReviewItem& item : *items) {
    if (item.resolution && !args.all) continue;
    ++shown;
    if (args.json) {
      std::cout << item.to_json(false).dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
    } else {
      std::printf("%-10s %-24s %-22s %-9s %-36s %s\n", item.id.c_str(), item.time.c_str(), item.category.c_str(),
                  item.resolution ? "resolved" : "open", cell(item.finding_id, 36).c_str(),
                  cell(item.reason, 120).c_str());
    }
  }
  if (!args.json) std::printf("%zu item(s)%s\n", shown, args.all ? "" : " open (--all shows resolved ones too)");
  std::cout.flush();
  return 0;
}

const ReviewItem* find_item(const std::vector<ReviewItem>& items, const std::string& id) {
  for (const ReviewItem& item : items) {
    if (item.id == id) return &item;
  }
  return nullptr;
}

int run_show(const ReviewArgs& args) {
  auto log = open_log(args, true);
  if (!log) return 2;
  auto items = load_queue(*log);
  if (!items.ok()) {
    std::fprintf(stderr, "fixgate review: %s\n", escape_for_display(items.error().to_string()).c_str());
    return 2;
  }
  const ReviewItem* item = find_item(*items, args.id);
  if (item == nullptr) {
    std::fprintf(stderr, "fixgate review: no review item %s\n", escape_for_display(args.id).c_str());
    return 1;
  }
  std::cout << item->to_json(true).dump(args.json ? -1 : 2, ' ', false, json::error_handler_t::replace) << '\n';
  return 0;
}

int run_resolve(const ReviewArgs& args) {
  if (trim(args.by).empty()) {
    std::fprintf(stderr, "fixgate review resolve: --by must name who resolved it\n");
    return 2;
  }
  auto log = open_log(args, false);
  if (!log) return 2;
  auto items = load_queue(*log);
  if (!items.ok()) {
    std::fprintf(stderr, "fixgate review: %s\n", escape_for_display(items.error().to_string()).c_str());
    return 2;
  }
  const ReviewItem* item = find_item(*items, args.id);
  if (item == nullptr) {
    std::fprintf(stderr, "fixgate review: no review item %s\n", escape_for_display(args.id).c_str());
    return 1;
  }
  if (item->resolution) {
    std::fprintf(stderr, "fixgate review: %s was already resolved by %s\n", item->id.c_str(),
                 escape_for_display(text_of(*item->resolution, "by")).c_str());
    return 1;
  }
  audit::AuditEntry entry;
  entry.kind = "review_resolution";
  entry.correlation_id = item->correlation_id;
  entry.finding_id = item->finding_id;
  entry.actor = args.by;
  entry.body = {{"review_id", item->id}, {"seq", item->seq},  {"category", item->category},
                {"by", args.by},         {"note", args.note}, {"record_kind", item->kind}};
  auto written = log->append(entry);
  if (!written.ok()) {
    std::fprintf(stderr, "fixgate review: %s\n", escape_for_display(written.error().to_string()).c_str());
    return 2;
  }
  std::cout << json{{"id", item->id}, {"status", "resolved"}, {"by", args.by}, {"audit_seq", written->seq}}.dump(
                   -1, ' ', false, json::error_handler_t::replace)
            << '\n';
  return 0;
}

}  // namespace

void add_review_command(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<ReviewArgs>();
  auto* review = app.add_subcommand("review", "The review queue: audited failures and rejections that need a person");
  review->require_subcommand(1);
  review->add_option("--audit-db", args->db, "audit log: a SQLite file or a postgresql:// URI (default: $FIXGATE_AUDIT_URL, else <state dir>/audit.db)");

  auto* list = review->add_subcommand("list", "List open review items (one JSON object per line with --json)");
  list->add_flag("--json", args->json, "JSON lines instead of a table");
  list->add_flag("--all", args->all, "include resolved items");
  list->add_option("--audit-db", args->db, "audit log: a SQLite file or a postgresql:// URI (default: $FIXGATE_AUDIT_URL, else <state dir>/audit.db)");
  list->callback([args, &exit] { exit.value = run_list(*args); });

  auto* show = review->add_subcommand("show", "Show one review item with its full audit record");
  show->add_option("id", args->id, "review item id (rev-<seq>)")->required();
  show->add_flag("--json", args->json, "one JSON line instead of indented JSON");
  show->add_option("--audit-db", args->db, "audit log: a SQLite file or a postgresql:// URI (default: $FIXGATE_AUDIT_URL, else <state dir>/audit.db)");
  show->callback([args, &exit] { exit.value = run_show(*args); });

  auto* resolve = review->add_subcommand("resolve", "Mark a review item resolved (appends an audit record)");
  resolve->add_option("id", args->id, "review item id (rev-<seq>)")->required();
  resolve->add_option("--by", args->by, "who resolved it")->required();
  resolve->add_option("--note", args->note, "what was done")->required();
  resolve->add_option("--audit-db", args->db, "audit log: a SQLite file or a postgresql:// URI (default: $FIXGATE_AUDIT_URL, else <state dir>/audit.db)");
  resolve->callback([args, &exit] { exit.value = run_resolve(*args); });
}

}  // namespace fixgate::cli
