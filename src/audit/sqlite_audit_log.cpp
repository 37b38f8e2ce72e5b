#include "audit/sqlite_audit_log.h"

#include <filesystem>

#include "sqlite/group_commit.h"
#include "sqlite/sqlite_db.h"

namespace fixgate::audit {
namespace {

using sqlite::Db;
using sqlite::sqlite_error;
using sqlite::Stmt;

constexpr int kSchemaVersion = 1;

// The insert trigger refuses rows that do not extend the chain by exactly one
// (so INSERT OR REPLACE cannot overwrite a record either); the update and
// delete triggers make the table append-only.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS fixgate_schema (component TEXT PRIMARY KEY, version INTEGER NOT NULL);
INSERT INTO fixgate_schema (component, version) VALUES ('audit', 1);
CREATE TABLE audit_records (
  seq            INTEGER PRIMARY KEY CHECK (seq > 0),
  time           TEXT NOT NULL,
  kind           TEXT NOT NULL,
  correlation_id TEXT NOT NULL,
  finding_id     TEXT NOT NULL,
  actor          TEXT NOT NULL,
  body           TEXT NOT NULL,
  prev_hash      TEXT NOT NULL,
  hash           TEXT NOT NULL
);
CREATE INDEX audit_records_correlation ON audit_records(correlation_id);
CREATE INDEX audit_records_finding ON audit_records(finding_id);
CREATE INDEX audit_records_kind ON audit_records(kind);
CREATE TRIGGER audit_records_append_only_update BEFORE UPDATE ON audit_records
BEGIN
  SELECT RAISE(ABORT, 'audit log is append-only: UPDATE of audit_records is refused');
END;
CREATE TRIGGER audit_records_append_only_delete BEFORE DELETE ON audit_records
BEGIN
  SELECT RAISE(ABORT, 'audit log is append-only: DELETE from audit_records is refused');
END;
CREATE TRIGGER audit_records_append_only_insert BEFORE INSERT ON audit_records
WHEN NEW.seq IS NOT (SELECT IFNULL(MAX(seq), 0) + 1 FROM audit_records)
  OR NEW.prev_hash IS NOT IFNULL((SELECT hash FROM audit_records ORDER BY seq DESC LIMIT 1),
                                 '0000000000000000000000000000000000000000000000000000000000000000')
BEGIN
  SELECT RAISE(ABORT, 'audit log is append-only: an insert must extend the chain by one record');
END;
)sql";

constexpr const char* kTriggerCount = R"sql(
SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_records' AND name IN
  ('audit_records_append_only_update', 'audit_records_append_only_delete', 'audit_records_append_only_insert')
)sql";

constexpr const char* kColumns = "seq, time, kind, correlation_id, finding_id, actor, body, prev_hash, hash";

// `before` + the column list + `after`. Appends rather than operator+ chains,
// which GCC 12 at -O2 misreports as out of bounds (-Warray-bounds, PR105329).
std::string with_columns(std::string_view before, std::string_view after) {
  std::string sql(before);
  sql += kColumns;
  sql += after;
  return sql;
}

AuditRecord row_to_record(const Stmt& stmt) {
  AuditRecord r;
  r.seq = stmt.column_int64(0);
  r.time = stmt.column_text(1);
  r.kind = stmt.column_text(2);
  r.correlation_id = stmt.column_text(3);
  r.finding_id = stmt.column_text(4);
  r.actor = stmt.column_text(5);
  r.body = stmt.column_text(6);
  r.prev_hash = stmt.column_text(7);
  r.hash = stmt.column_text(8);
  return r;
}

Result<int64_t> query_int(Db& db, const char* sql) {
  auto stmt = Stmt::prepare(db.get(), sql);
  if (!stmt) return stmt.error();
  if (stmt->step() != SQLITE_ROW) return sqlite_error(db.get(), "audit.sqlite", "cannot run query");
  return stmt->column_int64(0);
}

Result<void> configure(Db& db, const SqliteAuditOptions& options) {
  sqlite3_busy_timeout(db.get(), options.busy_timeout_ms);
  if (options.read_only) return {};
  if (auto r = db.exec("PRAGMA journal_mode=WAL", "audit.open"); !r) return r;
  return db.exec(options.durability == Durability::full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
                 "audit.open");
}

Result<bool> table_exists(Db& db, const char* name) {
  auto stmt = Stmt::prepare(db.get(), "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?");
  if (!stmt) return stmt.error();
  stmt->bind(1, name);
  if (stmt->step() != SQLITE_ROW) return sqlite_error(db.get(), "audit.open", "cannot read the schema");
  return stmt->column_int64(0) > 0;
}

// The schema version lives in the fixgate_schema table, one row per component,
// so the audit log may share a file with other fixgate state.
Result<void> check_schema(Db& db, const std::string& path) {
  auto has_records = table_exists(db, "audit_records");
  if (!has_records) return has_records.error();
  auto has_schema = table_exists(db, "fixgate_schema");
  if (!has_schema) return has_schema.error();
  if (!*has_records || !*has_schema) return make_error("audit.open", path + " is not a fixgate audit log");
  auto stmt = Stmt::prepare(db.get(), "SELECT version FROM fixgate_schema WHERE component = 'audit'");
  if (!stmt) return stmt.error();
  const int64_t version = stmt->step() == SQLITE_ROW ? stmt->column_int64(0) : 0;
  if (version != kSchemaVersion) {
    return make_error("audit.open", path + " has audit schema version " + std::to_string(version) +
                                        "; this fixgate understands version " + std::to_string(kSchemaVersion));
  }
  return {};
}

// Creates the schema once, under the write lock, so two processes opening a new
// file at the same moment do not both create it.
Result<void> ensure_schema(Db& db, const std::string& path) {
  if (auto r = db.exec("BEGIN IMMEDIATE", "audit.open"); !r) return r;
  auto result = [&]() -> Result<void> {
    auto present = table_exists(db, "audit_records");
    if (!present) return present.error();
    if (!*present) return db.exec(kSchema, "audit.open");
    return check_schema(db, path);
  }();
  if (!result) {
    (void)db.exec("ROLLBACK");
    return result;
  }
  return db.exec("COMMIT", "audit.open");
}

}  // namespace

struct SqliteAuditLog::Impl {
  SqliteAuditOptions options;
  const Clock* clock = nullptr;
  std::mutex write_mutex;  // guards writer, head, insert
  Db writer;
  Stmt head;
  Stmt insert;
  std::mutex read_mutex;  // guards reader
  Db reader;
  sqlite::GroupCommit<PendingAppend> group;
};

SqliteAuditLog::SqliteAuditLog(std::string path, std::unique_ptr<Impl> impl)
    : path_(std::move(path)), impl_(std::move(impl)) {}

SqliteAuditLog::~SqliteAuditLog() = default;

Result<std::unique_ptr<SqliteAuditLog>> SqliteAuditLog::open(const std::string& path, SqliteAuditOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->clock = options.clock != nullptr ? options.clock : &system_clock();
  if (!options.read_only) {
    auto writer = Db::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, "audit.open", "audit log");
    if (!writer) return writer.error();
    impl->writer = std::move(writer).value();
    if (auto r = configure(impl->writer, options); !r) return r.error();
    if (auto r = ensure_schema(impl->writer, path); !r) return r.error();
    auto head = Stmt::prepare(impl->writer.get(), "SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1");
    if (!head) return head.error();
    impl->head = std::move(head).value();
    auto insert = Stmt::prepare(impl->writer.get(),
                                with_columns("INSERT INTO audit_records (", ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    if (!insert) return insert.error();
    impl->insert = std::move(insert).value();
  } else if (!std::filesystem::exists(path)) {
    return make_error("audit.open", "no audit log at " + path);
  }
  auto reader = Db::open(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, "audit.open", "audit log");
  if (!reader) return reader.error();
  impl->reader = std::move(reader).value();
  if (auto r = configure(impl->reader, SqliteAuditOptions{.busy_timeout_ms = options.busy_timeout_ms,
                                                          .read_only = true});
      !r) {
    return r.error();
  }
  if (auto r = check_schema(impl->reader, path); !r) return r.error();
  return std::unique_ptr<SqliteAuditLog>(new SqliteAuditLog(path, std::move(impl)));
}

Result<AuditRecord> SqliteAuditLog::append(const AuditEntry& entry) {
  auto records = append_batch(std::vector<AuditEntry>{entry});
  if (!records) return records.error();
  return std::move(records->front());
}

Result<std::vector<AuditRecord>> SqliteAuditLog::append_batch(const std::vector<AuditEntry>& entries) {
  if (impl_->options.read_only) return make_error("audit.read_only", path_ + " was opened read-only");
  std::vector<AuditRecord> records(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    const AuditEntry& entry = entries[i];
    auto name_entry = [&](Error error) {
      if (entries.size() > 1) error.message = "entry " + std::to_string(i) + ": " + error.message;
      return error;
    };
    if (auto valid = validate_entry(entry); !valid) return name_entry(valid.error());
    auto body = canonical_body(entry.body);
    if (!body) return name_entry(body.error());
    records[i].body = std::move(body).value();
    records[i].kind = entry.kind;
    records[i].correlation_id = entry.correlation_id;
    records[i].finding_id = entry.finding_id;
    records[i].actor = entry.actor;
  }
  if (records.empty()) return records;

  // Concurrent appends (one per worker) share a transaction and its fsync;
  // each caller's records stay consecutive, and the chain is extended in the
  // order the batches were taken.
  PendingAppend me{&records, std::nullopt};
  impl_->group.submit(me, [this](const std::vector<PendingAppend*>& batch) { commit_appends(batch); });
  if (me.error) return *me.error;
  return records;
}

void SqliteAuditLog::commit_appends(const std::vector<PendingAppend*>& batch) {
  std::lock_guard lock(impl_->write_mutex);
  Db& db = impl_->writer;
  auto fail_all = [&](Error error) {
    for (PendingAppend* pending : batch) pending->error = error;
  };
  if (auto r = db.exec("BEGIN IMMEDIATE", "audit.write"); !r) return fail_all(r.error());
  auto fail = [&](std::string_view what) {
    Error error = sqlite_error(db.get(), "audit.write", what);
    impl_->head.reset();
    impl_->insert.reset();
    (void)db.exec("ROLLBACK");
    fail_all(std::move(error));
  };
  int64_t seq = 0;
  std::string prev(kGenesisHash);
  const int rc = impl_->head.step();
  if (rc == SQLITE_ROW) {
    seq = impl_->head.column_int64(0);
    prev = impl_->head.column_text(1);
  } else if (rc != SQLITE_DONE) {
    return fail("cannot read the head of the audit log");
  }
  impl_->head.reset();
  const std::string time = format_time(impl_->clock->now());
  for (PendingAppend* pending : batch) {
    for (AuditRecord& r : *pending->records) {
      r.seq = ++seq;
      r.time = time;
      r.prev_hash = prev;
      r.hash = record_hash(r);
      Stmt& ins = impl_->insert;
      ins.bind(1, r.seq);
      ins.bind(2, r.time);
      ins.bind(3, r.kind);
      ins.bind(4, r.correlation_id);
      ins.bind(5, r.finding_id);
      ins.bind(6, r.actor);
      ins.bind(7, r.body);
      ins.bind(8, r.prev_hash);
      ins.bind(9, r.hash);
      if (ins.step() != SQLITE_DONE) return fail("cannot append audit record " + std::to_string(r.seq));
      ins.reset();
      prev = r.hash;
    }
  }
  if (auto r = db.exec("COMMIT", "audit.write"); !r) {
    (void)db.exec("ROLLBACK");
    return fail_all(make_error("audit.write", "cannot commit audit records: " + r.error().message));
  }
}

Result<VerifyReport> SqliteAuditLog::verify(const VerifyOptions& options) {
  std::lock_guard lock(impl_->read_mutex);
  Db& db = impl_->reader;
  // One read transaction: the whole walk sees one snapshot even while others append.
  if (auto r = db.exec("BEGIN", "audit.read"); !r) return r.error();
  auto triggers = query_int(db, kTriggerCount);
  auto stmt = Stmt::prepare(db.get(), with_columns("SELECT ", " FROM audit_records ORDER BY seq"));
  if (!triggers || !stmt) {
    (void)db.exec("ROLLBACK");
    return !triggers ? triggers.error() : stmt.error();
  }
  ChainVerifier verifier(options);
  int rc = SQLITE_ROW;
  while ((rc = stmt->step()) == SQLITE_ROW) {
    if (!verifier.feed(row_to_record(*stmt))) break;
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    Error error = sqlite_error(db.get(), "audit.read", "cannot read audit records");
    (void)db.exec("ROLLBACK");
    return error;
  }
  (void)db.exec("COMMIT");
  VerifyReport report = verifier.finish();
  if (*triggers != 3) {
    report.warnings.push_back("the append-only triggers on audit_records are missing (" + std::to_string(*triggers) +
                              " of 3 present): someone with write access to " + path_ + " removed them");
  }
  return report;
}

Result<std::vector<AuditRecord>> SqliteAuditLog::read(const AuditQuery& query) {
  std::string sql = with_columns("SELECT ", " FROM audit_records WHERE seq > ?");
  if (query.before_seq > 0) sql += " AND seq < ?";
  if (query.correlation_id) sql += " AND correlation_id = ?";
  if (query.finding_id) sql += " AND finding_id = ?";
  if (query.kind) sql += " AND kind = ?";
  sql += query.newest_first ? " ORDER BY seq DESC" : " ORDER BY seq ASC";
  if (query.limit > 0) sql += " LIMIT ?";

  std::lock_guard lock(impl_->read_mutex);
  auto stmt = Stmt::prepare(impl_->reader.get(), sql);
  if (!stmt) return stmt.error();
  int index = 1;
  stmt->bind(index++, query.after_seq);
  if (query.before_seq > 0) stmt->bind(index++, query.before_seq);
  if (query.correlation_id) stmt->bind(index++, *query.correlation_id);
  if (query.finding_id) stmt->bind(index++, *query.finding_id);
  if (query.kind) stmt->bind(index++, *query.kind);
  if (query.limit > 0) stmt->bind(index++, static_cast<int64_t>(query.limit));
  std::vector<AuditRecord> records;
  int rc = SQLITE_ROW;
  while ((rc = stmt->step()) == SQLITE_ROW) records.push_back(row_to_record(*stmt));
  if (rc != SQLITE_DONE) return sqlite_error(impl_->reader.get(), "audit.read", "cannot read audit records");
  return records;
}

}  // namespace fixgate::audit
