#include "pgaudit/pg_audit_log.h"

#include <array>
#include <cstdlib>
#include <optional>

#include "pgaudit/conninfo.h"
#include "pgaudit/pg_session.h"
#include "sqlite/group_commit.h"

namespace fixgate::pgaudit {
namespace {

using audit::AuditEntry;
using audit::AuditQuery;
using audit::AuditRecord;
using audit::VerifyOptions;
using audit::VerifyReport;

constexpr int kSchemaVersion = 1;

// Advisory lock class for fixgate's audit log ("fxga"). Appends lock
// (class, oid of audit_records), so two audit logs in different schemas of one
// database do not wait on each other; schema creation locks (class, 0).
constexpr const char* kLockClass = "1719166817";

// The trigger function bodies; verify() compares the installed ones against
// these, so a function replaced by a no-op counts as a missing trigger.
constexpr const char* kRefuseChangeBody = R"plpgsql(
BEGIN
  RAISE EXCEPTION 'audit log is append-only: % of audit_records is refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
)plpgsql";

// Runs for every inserted row: the row must be seq head+1 and link to the
// head's hash. The head is read from the trigger's own table whatever the
// inserting session's search_path.
constexpr const char* kExtendChainBody = R"plpgsql(
DECLARE
  head_seq BIGINT;
  head_hash TEXT;
BEGIN
  EXECUTE format('SELECT seq, hash FROM %I.%I ORDER BY seq DESC LIMIT 1', TG_TABLE_SCHEMA, TG_TABLE_NAME)
    INTO head_seq, head_hash;
  IF head_seq IS NULL THEN
    head_seq := 0;
    head_hash := '0000000000000000000000000000000000000000000000000000000000000000';
  END IF;
  IF NEW.seq IS DISTINCT FROM head_seq + 1 OR NEW.prev_hash IS DISTINCT FROM head_hash THEN
    RAISE EXCEPTION 'audit log is append-only: an insert must extend the chain by one record'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
)plpgsql";

std::string schema_sql() {
  return std::string(R"sql(
CREATE TABLE IF NOT EXISTS fixgate_schema (component TEXT PRIMARY KEY, version INTEGER NOT NULL);
INSERT INTO fixgate_schema (component, version) VALUES ('audit', 1);
CREATE TABLE audit_records (
  seq            BIGINT PRIMARY KEY CHECK (seq > 0),
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
CREATE FUNCTION fixgate_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fixgate$)sql") +
         kRefuseChangeBody + R"sql($fixgate$;
CREATE FUNCTION fixgate_audit_extend_chain() RETURNS trigger LANGUAGE plpgsql AS $fixgate$)sql" +
         kExtendChainBody + R"sql($fixgate$;
CREATE TRIGGER audit_records_append_only_update BEFORE UPDATE ON audit_records
  FOR EACH ROW EXECUTE FUNCTION fixgate_audit_refuse_change();
CREATE TRIGGER audit_records_append_only_delete BEFORE DELETE ON audit_records
  FOR EACH ROW EXECUTE FUNCTION fixgate_audit_refuse_change();
CREATE TRIGGER audit_records_append_only_truncate BEFORE TRUNCATE ON audit_records
  FOR EACH STATEMENT EXECUTE FUNCTION fixgate_audit_refuse_change();
CREATE TRIGGER audit_records_append_only_insert BEFORE INSERT ON audit_records
  FOR EACH ROW EXECUTE FUNCTION fixgate_audit_extend_chain();
)sql";
}

// Counts the append-only triggers in force: present, enabled for ordinary
// sessions, of the right timing and event, unconditional, and calling an
// unaltered function. tgtype bits: 1 row, 2 before, 4 insert, 8 delete,
// 16 update, 32 truncate.
constexpr const char* kTriggersInForce = R"sql(
SELECT count(*) FROM pg_trigger t
  JOIN pg_proc p ON p.oid = t.tgfoid
  JOIN (VALUES ('audit_records_append_only_update', 19, $1),
               ('audit_records_append_only_delete', 11, $1),
               ('audit_records_append_only_truncate', 34, $1),
               ('audit_records_append_only_insert', 7, $2)) AS want(name, type, body)
    ON t.tgname = want.name AND t.tgtype = want.type AND p.prosrc = want.body
 WHERE t.tgrelid = 'audit_records'::regclass AND t.tgenabled IN ('O', 'A') AND t.tgqual IS NULL
   AND t.tgattr::text = ''
)sql";
constexpr int kTriggerCount = 4;

constexpr const char* kColumns = "seq, time, kind, correlation_id, finding_id, actor, body, prev_hash, hash";

// Rows per INSERT statement: 9 parameters a row, well under libpq's 65535.
constexpr size_t kRowsPerInsert = 1000;
// Rows per FETCH while verify() walks the chain.
constexpr const char* kVerifyFetch = "FETCH FORWARD 1000 FROM fixgate_audit_verify";

AuditRecord row_to_record(const PGresult* result, int row) {
  AuditRecord r;
  r.seq = std::strtoll(PQgetvalue(result, row, 0), nullptr, 10);
  r.time = PQgetvalue(result, row, 1);
  r.kind = PQgetvalue(result, row, 2);
  r.correlation_id = PQgetvalue(result, row, 3);
  r.finding_id = PQgetvalue(result, row, 4);
  r.actor = PQgetvalue(result, row, 5);
  r.body = PQgetvalue(result, row, 6);
  r.prev_hash = PQgetvalue(result, row, 7);
  r.hash = PQgetvalue(result, row, 8);
  return r;
}

std::string insert_sql(size_t rows) {
  std::string sql = std::string("INSERT INTO audit_records (") + kColumns + ") VALUES ";
  int param = 1;
  for (size_t r = 0; r < rows; ++r) {
    sql += r == 0 ? "(" : ",(";
    for (int c = 0; c < 9; ++c) {
      if (c > 0) sql += ',';
      sql += '$' + std::to_string(param++);
    }
    sql += ')';
  }
  return sql;
}

// libpq passes text parameters as C strings, so a NUL byte would silently cut
// a field short and the stored record would no longer match its hash. (The
// body is safe: canonical JSON escapes NUL as \u0000.)
Result<void> refuse_nul_bytes(const AuditEntry& entry) {
  for (const auto& [field, value] :
       {std::pair<const char*, const std::string*>{"correlation_id", &entry.correlation_id},
        {"finding_id", &entry.finding_id},
        {"actor", &entry.actor}}) {
    if (value->find('\0') != std::string::npos) {
      return make_error("audit.invalid_entry",
                        std::string(field) + " holds a NUL byte, which PostgreSQL text cannot store");
    }
  }
  return {};
}

}  // namespace

// One caller's records waiting for a shared commit; `error` is set when the
// commit that carried them failed. (Outside the anonymous namespace: Impl
// holds it, and a unity build would otherwise warn about subobject linkage.)
struct PgAppendRequest {
  std::vector<AuditRecord>* records;
  std::optional<Error> error;
};

struct PgAuditLog::Impl {
  Impl(const std::string& conninfo, PgAuditOptions opts)
      : options(opts),
        pool(conninfo, display_conninfo(conninfo), opts.max_connections, opts.connect_timeout_seconds) {}
  PgAuditOptions options;
  ConnectionPool pool;
  // Concurrent appends from this process share one transaction and one WAL
  // flush, as SqliteAuditLog's do; the leader commits for everyone waiting.
  sqlite::GroupCommit<PgAppendRequest> group;

  Result<void> check_schema(Session& session);
  Result<void> ensure_schema(Session& session);
  Result<PgResultPtr> lock_head(Session& session);
  void commit_round(const std::vector<PgAppendRequest*>& batch);
  Result<void> append_in(Session& session, const PGresult* head, const std::vector<AuditRecord*>& records);
};

Result<void> PgAuditLog::Impl::check_schema(Session& session) {
  auto tables = session.exec(
      "SELECT to_regclass('audit_records') IS NOT NULL, to_regclass('fixgate_schema') IS NOT NULL, "
      "current_setting('server_encoding')",
      PGRES_TUPLES_OK, "cannot read the schema");
  if (!tables) return tables.error();
  const bool has_records = std::string_view(PQgetvalue(tables->get(), 0, 0)) == "t";
  const bool has_schema = std::string_view(PQgetvalue(tables->get(), 0, 1)) == "t";
  const std::string encoding = PQgetvalue(tables->get(), 0, 2);
  if (!has_records && !has_schema) return make_error("audit.open", "no audit log at " + pool.display());
  if (!has_records || !has_schema)
    return make_error("audit.open", pool.display() + " is not a fixgate audit log");
  if (encoding != "UTF8" && encoding != "SQL_ASCII") {
    return make_error("audit.open", pool.display() + " is encoded " + encoding +
                                        ", which cannot hold every audit record; use a database created with "
                                        "ENCODING 'UTF8'");
  }
  auto version = session.exec("SELECT version FROM fixgate_schema WHERE component = 'audit'", PGRES_TUPLES_OK,
                              "cannot read the schema version");
  if (!version) return version.error();
  const long found =
      PQntuples(version->get()) > 0 ? std::strtol(PQgetvalue(version->get(), 0, 0), nullptr, 10) : 0;
  if (found != kSchemaVersion) {
    return make_error("audit.open", pool.display() + " has audit schema version " + std::to_string(found) +
                                        "; this fixgate understands version " +
                                        std::to_string(kSchemaVersion));
  }
  return {};
}

// Creates the schema once, under a lock, so two workers starting against an
// empty database at the same moment do not both create it.
Result<void> PgAuditLog::Impl::ensure_schema(Session& session) {
  auto locked =
      session.exec(std::string("BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(") +
                       kLockClass + ", 0)",
                   PGRES_TUPLES_OK, "cannot lock the schema of " + pool.display());
  if (!locked) {
    session.rollback();
    return locked.error();
  }
  auto result = [&]() -> Result<void> {
    auto present = session.exec("SELECT to_regclass('audit_records') IS NOT NULL", PGRES_TUPLES_OK,
                                "cannot read the schema");
    if (!present) return present.error();
    if (std::string_view(PQgetvalue(present->get(), 0, 0)) == "t") return check_schema(session);
    auto created =
        session.exec(schema_sql(), PGRES_COMMAND_OK, "cannot create the audit schema in " + pool.display());
    if (!created) return created.error();
    return check_schema(session);
  }();
  if (!result) {
    session.rollback();
    return result;
  }
  auto committed = session.exec("COMMIT", PGRES_COMMAND_OK, "cannot commit the audit schema");
  if (!committed) return committed.error();
  return {};
}

PgAuditLog::PgAuditLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PgAuditLog::~PgAuditLog() = default;

const std::string& PgAuditLog::location() const { return impl_->pool.display(); }

Result<std::unique_ptr<PgAuditLog>> PgAuditLog::open(const std::string& conninfo, PgAuditOptions options) {
  auto impl = std::make_unique<Impl>(conninfo, options);
  {
    auto session = impl->pool.acquire();
    if (!session) return session.error();
    auto ready = options.read_only ? impl->check_schema(*session) : impl->ensure_schema(*session);
    if (!ready) return ready.error();
  }
  return std::unique_ptr<PgAuditLog>(new PgAuditLog(std::move(impl)));
}

Result<AuditRecord> PgAuditLog::append(const AuditEntry& entry) {
  auto records = append_batch(std::vector<AuditEntry>{entry});
  if (!records) return records.error();
  return std::move(records->front());
}

Result<std::vector<AuditRecord>> PgAuditLog::append_batch(const std::vector<AuditEntry>& entries) {
  if (impl_->options.read_only) return make_error("audit.read_only", location() + " was opened read-only");
  std::vector<AuditRecord> records(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    const AuditEntry& entry = entries[i];
    auto name_entry = [&](Error error) {
      if (entries.size() > 1) error.message = "entry " + std::to_string(i) + ": " + error.message;
      return error;
    };
    if (auto valid = audit::validate_entry(entry); !valid) return name_entry(valid.error());
    if (auto text = refuse_nul_bytes(entry); !text) return name_entry(text.error());
    auto body = audit::canonical_body(entry.body);
    if (!body) return name_entry(body.error());
    records[i].body = std::move(body).value();
    records[i].kind = entry.kind;
    records[i].correlation_id = entry.correlation_id;
    records[i].finding_id = entry.finding_id;
    records[i].actor = entry.actor;
  }
  if (records.empty()) return records;

  // Each caller's records stay consecutive; the chain is extended in the order
  // the callers' batches were taken. A failed commit fails every caller in it.
  PgAppendRequest me{&records, std::nullopt};
  impl_->group.submit(me, [this](const std::vector<PgAppendRequest*>& batch) { impl_->commit_round(batch); });
  if (me.error) return *me.error;
  return records;
}

void PgAuditLog::Impl::commit_round(const std::vector<PgAppendRequest*>& batch) {
  auto fail_all = [&](const Error& error) {
    for (PgAppendRequest* pending : batch) pending->error = error;
  };
  std::vector<AuditRecord*> records;
  for (PgAppendRequest* pending : batch) {
    for (AuditRecord& r : *pending->records) records.push_back(&r);
  }
  auto session = pool.acquire();
  if (!session) return fail_all(session.error());
  auto head = lock_head(*session);
  // A pooled connection the server has since closed (restart, idle timeout)
  // fails at this first statement, before anything was written, so one retry
  // on a fresh connection is safe. Later failures are returned as they are.
  if (!head && session->broken()) {
    { Session stale = std::move(*session); }
    auto fresh = pool.acquire_fresh();
    if (!fresh) return fail_all(fresh.error());
    auto retried = lock_head(*fresh);
    if (!retried) return fail_all(retried.error());
    if (auto done = append_in(*fresh, retried->get(), records); !done) fail_all(done.error());
    return;
  }
  if (!head) return fail_all(head.error());
  if (auto done = append_in(*session, head->get(), records); !done) fail_all(done.error());
}

// One round trip: begin, take the chain lock, read the head and the time.
// READ COMMITTED whatever the server's default: the head must be read with a
// snapshot taken after the lock is held, or a commit made while this append
// waited would be missed and the insert refused.
Result<PgResultPtr> PgAuditLog::Impl::lock_head(Session& session) {
  auto head = session.exec(
      std::string("BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(") + kLockClass +
          ", 'audit_records'::regclass::oid::int); "
          "SELECT h.seq, h.hash, floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint "
          "FROM (SELECT 1) AS one LEFT JOIN LATERAL "
          "(SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1) AS h ON true",
      PGRES_TUPLES_OK, "cannot lock the head of the audit log");
  if (!head) session.rollback();
  return head;
}

// Inside the transaction lock_head() began: numbers, times and hashes the
// records after `head`, inserts them and commits.
Result<void> PgAuditLog::Impl::append_in(Session& session, const PGresult* head,
                                         const std::vector<AuditRecord*>& records) {
  int64_t seq = 0;
  std::string prev(audit::kGenesisHash);
  if (!PQgetisnull(head, 0, 0)) {
    seq = std::strtoll(PQgetvalue(head, 0, 0), nullptr, 10);
    prev = PQgetvalue(head, 0, 1);
  }
  const std::string time =
      options.clock != nullptr
          ? audit::format_time(options.clock->now())
          : audit::format_time(std::chrono::system_clock::time_point(
                std::chrono::milliseconds(std::strtoll(PQgetvalue(head, 0, 2), nullptr, 10))));
  for (AuditRecord* r : records) {
    r->seq = ++seq;
    r->time = time;
    r->prev_hash = prev;
    r->hash = audit::record_hash(*r);
    prev = r->hash;
  }
  for (size_t first = 0; first < records.size(); first += kRowsPerInsert) {
    const size_t rows = std::min(kRowsPerInsert, records.size() - first);
    std::vector<std::string> params;
    params.reserve(rows * 9);
    for (size_t i = first; i < first + rows; ++i) {
      const AuditRecord& r = *records[i];
      for (const std::string* field :
           {&r.time, &r.kind, &r.correlation_id, &r.finding_id, &r.actor, &r.body, &r.prev_hash, &r.hash}) {
        if (field == &r.time) params.push_back(std::to_string(r.seq));
        params.push_back(*field);
      }
    }
    auto inserted = session.exec_params(insert_sql(rows), params, PGRES_COMMAND_OK,
                                        "cannot append audit record " + std::to_string(records[first]->seq));
    if (!inserted) {
      session.rollback();
      return inserted.error();
    }
  }
  auto committed = session.exec("COMMIT", PGRES_COMMAND_OK, "cannot commit audit records");
  if (!committed) {
    session.rollback();
    return committed.error();
  }
  // COMMIT of a transaction the server already aborted answers ROLLBACK.
  if (std::string_view(PQcmdStatus(committed->get())) != "COMMIT") {
    return make_error("audit.postgres",
                      "cannot commit audit records: the server rolled the transaction back");
  }
  return {};
}

Result<VerifyReport> PgAuditLog::verify(const VerifyOptions& options) {
  auto session = impl_->pool.acquire();
  if (!session) return session.error();
  // One snapshot for the whole walk, even while other workers append; the
  // cursor streams the chain so logs of any length fit in memory.
  auto fail = [&](Error error) {
    session->rollback();
    return error;
  };
  auto begun = session->exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", PGRES_COMMAND_OK,
                             "cannot read the audit log");
  if (!begun) return fail(begun.error());
  auto triggers = session->exec_params(kTriggersInForce, {kRefuseChangeBody, kExtendChainBody},
                                       PGRES_TUPLES_OK, "cannot read the audit log's triggers");
  if (!triggers) return fail(triggers.error());
  const long in_force = std::strtol(PQgetvalue(triggers->get(), 0, 0), nullptr, 10);
  auto declared = session->exec(std::string("DECLARE fixgate_audit_verify NO SCROLL CURSOR FOR SELECT ") +
                                    kColumns + " FROM audit_records ORDER BY seq",
                                PGRES_COMMAND_OK, "cannot read audit records");
  if (!declared) return fail(declared.error());
  audit::ChainVerifier verifier(options);
  bool intact = true;
  while (intact) {
    auto rows = session->exec(kVerifyFetch, PGRES_TUPLES_OK, "cannot read audit records");
    if (!rows) return fail(rows.error());
    const int count = PQntuples(rows->get());
    if (count == 0) break;
    for (int i = 0; i < count && intact; ++i) intact = verifier.feed(row_to_record(rows->get(), i));
  }
  session->rollback();  // read-only: nothing to commit, and it closes the cursor
  VerifyReport report = verifier.finish();
  if (in_force != kTriggerCount) {
    report.warnings.push_back("the append-only triggers on audit_records are missing, disabled or altered (" +
                              std::to_string(in_force) + " of " + std::to_string(kTriggerCount) +
                              " in force): someone with owner rights on audit_records at " + location() +
                              " changed them");
  }
  return report;
}

Result<std::vector<AuditRecord>> PgAuditLog::read(const AuditQuery& query) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM audit_records WHERE seq > $1";
  std::vector<std::string> params = {std::to_string(query.after_seq)};
  auto add = [&](const char* condition, std::string value) {
    params.push_back(std::move(value));
    sql += std::string(" AND ") + condition + " $" + std::to_string(params.size());
  };
  if (query.before_seq > 0) add("seq <", std::to_string(query.before_seq));
  if (query.correlation_id) add("correlation_id =", *query.correlation_id);
  if (query.finding_id) add("finding_id =", *query.finding_id);
  if (query.kind) add("kind =", *query.kind);
  sql += query.newest_first ? " ORDER BY seq DESC" : " ORDER BY seq ASC";
  if (query.limit > 0) {
    params.push_back(std::to_string(query.limit));
    sql += " LIMIT $" + std::to_string(params.size());
  }
  auto session = impl_->pool.acquire();
  if (!session) return session.error();
  auto rows = session->exec_params(sql, params, PGRES_TUPLES_OK, "cannot read audit records");
  if (!rows) return rows.error();
  std::vector<AuditRecord> records;
  const int count = PQntuples(rows->get());
  records.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) records.push_back(row_to_record(rows->get(), i));
  return records;
}

}  // namespace fixgate::pgaudit
