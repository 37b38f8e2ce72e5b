// fixgate audit verify|show|export: check, read and hand over the audit log.
//
// Every command opens the log read-only, so looking at evidence never changes
// it. Record fields are attacker-influenced (finding ids, resource names in
// bodies): the table escapes them; JSON output is escaped by the JSON library.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "cli/commands.h"
#include "core/text.h"
#include "pgaudit/audit_store.h"

namespace fixgate::cli {
namespace {

struct AuditArgs {
  std::string db;
  std::string expect;  // verify: "SEQ:HASH"
  std::optional<std::string> correlation_id;
  std::optional<std::string> finding_id;
  std::optional<std::string> kind;
  size_t limit = 50;
  bool wide = false;
  std::string format = "jsonl";
};

// --db, else $FIXGATE_AUDIT_URL, else $FIXGATE_STATE_DIR/audit.db, else
// .fixgate/audit.db. Nothing is created: these commands only read.
std::string db_path(const AuditArgs& args) {
  return pgaudit::choose_audit_location(args.db, [] {
    const char* dir = std::getenv("FIXGATE_STATE_DIR");
    return std::string(dir != nullptr && *dir != '\0' ? dir : ".fixgate") + "/audit.db";
  });
}

std::unique_ptr<audit::AuditSink> open_log(const AuditArgs& args) {
  auto log = pgaudit::open_audit_store(db_path(args), {.read_only = true});
  if (!log) {
    std::fprintf(stderr, "error: %s\n", escape_for_display(log.error().message).c_str());
    return nullptr;
  }
  return std::move(log).value();
}

std::optional<audit::Anchor> parse_anchor(const std::string& text) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  audit::Anchor anchor;
  try {
    size_t used = 0;
    anchor.seq = std::stoll(text.substr(0, colon), &used);
    if (used != colon || anchor.seq < 1) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  anchor.hash = text.substr(colon + 1);
  if (anchor.hash.size() != 64 ||
      !std::all_of(anchor.hash.begin(), anchor.hash.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) {
    return std::nullopt;
  }
  anchor.hash = to_lower(anchor.hash);
  return anchor;
}

// Exit 0: intact ("ok: N records, head H"); 1: broken, naming the first broken
// link; 2: the log cannot be opened or --expect is malformed.
int run_verify(const AuditArgs& args) {
  audit::VerifyOptions options;
  if (!args.expect.empty()) {
    options.anchor = parse_anchor(args.expect);
    if (!options.anchor) {
      std::fprintf(stderr, "error: --expect must be SEQ:HASH (a seq >= 1 and a 64-digit hex hash), got \"%s\"\n",
                   escape_for_display(args.expect).c_str());
      return 2;
    }
  }
  auto log = open_log(args);
  if (!log) return 2;
  auto report = log->verify(options);
  if (!report) {
    std::fprintf(stderr, "error: %s\n", escape_for_display(report.error().message).c_str());
    return 1;
  }
  for (const std::string& warning : report->warnings) {
    std::fprintf(stderr, "warning: %s\n", escape_for_display(warning).c_str());
  }
  if (report->ok()) {
    std::printf("ok: %lld records, head %s\n", static_cast<long long>(report->records), report->head_hash.c_str());
    return 0;
  }
  const audit::ChainBreak& broken = *report->first_break;
  std::printf("BROKEN at record %lld (%s): %s\n", static_cast<long long>(broken.seq), audit::to_string(broken.kind),
              escape_for_display(broken.message).c_str());
  std::printf("intact: records 1..%lld, last intact hash %s\n", static_cast<long long>(report->records),
              report->head_hash.c_str());
  return 1;
}

std::string clip(const std::string& text, size_t width) {
  if (text.size() <= width) return text;
  return text.substr(0, width - 3) + "...";
}

int run_show(const AuditArgs& args) {
  auto log = open_log(args);
  if (!log) return 2;
  audit::AuditQuery query;
  query.correlation_id = args.correlation_id;
  query.finding_id = args.finding_id;
  query.kind = args.kind;
  query.limit = args.limit;
  query.newest_first = true;  // the latest N, shown oldest first
  auto records = log->read(query);
  if (!records) {
    std::fprintf(stderr, "error: %s\n", escape_for_display(records.error().message).c_str());
    return 1;
  }
  std::reverse(records->begin(), records->end());
  const std::vector<std::string> header = {"SEQ", "TIME", "KIND", "ACTOR", "CORRELATION_ID", "FINDING_ID", "BODY"};
  std::vector<std::vector<std::string>> rows;
  for (const audit::AuditRecord& r : *records) {
    const std::string body = escape_for_display(r.body);
    rows.push_back({std::to_string(r.seq), r.time, escape_for_display(r.kind), escape_for_display(r.actor),
                    escape_for_display(r.correlation_id), escape_for_display(r.finding_id),
                    args.wide ? body : clip(body, 72)});
  }
  std::vector<size_t> widths(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    widths[c] = header[c].size();
    for (const auto& row : rows) widths[c] = std::max(widths[c], c + 1 < header.size() ? row[c].size() : 0);
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - row[c].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  };
  print_row(header);
  for (const auto& row : rows) print_row(row);
  if (rows.empty()) std::printf("(no matching records)\n");
  return 0;
}

// One JSON object per record, fields as stored, in seq order, read in pages so
// logs of any size stream out.
int run_export(const AuditArgs& args) {
  auto log = open_log(args);
  if (!log) return 2;
  audit::AuditQuery query;
  query.limit = 1000;
  while (true) {
    auto page = log->read(query);
    if (!page) {
      std::fprintf(stderr, "error: %s\n", escape_for_display(page.error().message).c_str());
      return 1;
    }
    for (const audit::AuditRecord& r : *page) {
      nlohmann::ordered_json line;
      line["seq"] = r.seq;
      line["time"] = r.time;
      line["kind"] = r.kind;
      line["correlation_id"] = r.correlation_id;
      line["finding_id"] = r.finding_id;
      line["actor"] = r.actor;
      // A body edited into invalid JSON is exported as the string it now is.
      auto body = nlohmann::ordered_json::parse(r.body, nullptr, false);
      line["body"] = body.is_discarded() ? nlohmann::ordered_json(r.body) : body;
      line["prev_hash"] = r.prev_hash;
      line["hash"] = r.hash;
      std::printf("%s\n", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    }
    if (page->size() < query.limit) return 0;
    query.after_seq = page->back().seq;
  }
}

}  // namespace

void add_audit_command(CLI::App& app, ExitCode& exit) {
  auto* audit = app.add_subcommand("audit", "Verify, show and export the hash-chained audit log");
  audit->require_subcommand(1);
  auto args = std::make_shared<AuditArgs>();
  const std::string db_help = "Audit log: a SQLite file or a postgresql:// URI (default $FIXGATE_AUDIT_URL, else "
                              "$FIXGATE_STATE_DIR/audit.db, else .fixgate/audit.db)";

  auto* verify = audit->add_subcommand("verify", "Check every record's hash and link; exit 1 at the first broken one");
  verify->add_option("--db", args->db, db_help);
  verify->add_option("--expect", args->expect,
                     "SEQ:HASH known from an earlier verify; catches truncation and whole-chain rewrites");
  verify->callback([args, &exit] { exit.value = run_verify(*args); });

  auto* show = audit->add_subcommand("show", "Print the latest records as a table");
  show->add_option("--db", args->db, db_help);
  show->add_option("--correlation-id", args->correlation_id, "Only records with this correlation id");
  show->add_option("--finding-id", args->finding_id, "Only records about this finding");
  show->add_option("--kind", args->kind, "Only records of this kind (decision, action_intent, ...)");
  show->add_option("--limit", args->limit, "At most this many records, the latest ones (default 50)")
      ->check(CLI::Range(size_t{1}, size_t{1000000}));
  show->add_flag("--wide", args->wide, "Do not shorten bodies");
  show->callback([args, &exit] { exit.value = run_show(*args); });

  auto* exporter = audit->add_subcommand("export", "Write every record as JSON lines, fields as stored");
  exporter->add_option("--db", args->db, db_help);
  exporter->add_option("--format", args->format, "Output format (jsonl)")->check(CLI::IsMember({"jsonl"}));
  exporter->callback([args, &exit] { exit.value = run_export(*args); });
}

}  // namespace fixgate::cli
