#include "notify/outbox.h"

namespace fixgate::notify {

using sqlite::Stmt;

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS notifications(
  id INTEGER PRIMARY KEY,
  dedupe_key TEXT NOT NULL UNIQUE,
  correlation_id TEXT NOT NULL,
  finding_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  outcome TEXT NOT NULL,
  message TEXT NOT NULL,
  state TEXT NOT NULL CHECK(state IN ('pending','sent','failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL,
  last_status INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS notifications_due ON notifications(state, next_attempt_ms);
)sql";

constexpr const char* kColumns =
    "id, dedupe_key, correlation_id, finding_id, channel, outcome, message, state, attempts, next_attempt_ms, "
    "last_status, last_error, created_ms";

OutboxState parse_state(const std::string& text) {
  if (text == "sent") return OutboxState::sent;
  if (text == "failed") return OutboxState::failed;
  return OutboxState::pending;
}

OutboxRow read_row(const Stmt& s) {
  OutboxRow row;
  row.id = s.column_int64(0);
  row.dedupe_key = s.column_text(1);
  row.correlation_id = s.column_text(2);
  row.finding_id = s.column_text(3);
  row.channel = s.column_text(4);
  row.outcome = s.column_text(5);
  row.message = s.column_text(6);
  row.state = parse_state(s.column_text(7));
  row.attempts = static_cast<int>(s.column_int64(8));
  row.next_attempt_ms = s.column_int64(9);
  row.last_status = static_cast<int>(s.column_int64(10));
  row.last_error = s.column_text(11);
  row.created_ms = s.column_int64(12);
  return row;
}

Result<std::vector<OutboxRow>> read_all(sqlite3* db, Stmt& s) {
  std::vector<OutboxRow> rows;
  for (;;) {
    const int rc = s.step();
    if (rc == SQLITE_DONE) return rows;
    if (rc != SQLITE_ROW) return sqlite::sqlite_error(db, "notify.outbox", "read outbox");
    rows.push_back(read_row(s));
  }
}

}  // namespace

const char* to_string(OutboxState state) {
  switch (state) {
    case OutboxState::pending: return "pending";
    case OutboxState::sent: return "sent";
    case OutboxState::failed: return "failed";
  }
  return "pending";
}

Result<Outbox> Outbox::open(const std::string& path) {
  auto db = sqlite::Db::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, "notify.outbox",
                             "notification outbox");
  if (!db) return db.error();
  sqlite3_busy_timeout(db->get(), 5000);
  if (path != ":memory:") {
    if (auto r = db->exec("PRAGMA journal_mode=WAL", "notify.outbox"); !r) return r.error();
  }
  if (auto r = db->exec("PRAGMA synchronous=FULL", "notify.outbox"); !r) return r.error();
  if (auto r = db->exec(kSchema, "notify.outbox"); !r) return r.error();
  return Outbox(std::move(*db));
}

Result<bool> Outbox::enqueue(const OutboxRow& row, int64_t now_ms) {
  std::lock_guard lock(*mutex_);
  auto s = Stmt::prepare(db_.get(),
                         "INSERT INTO notifications(dedupe_key, correlation_id, finding_id, channel, outcome, message, "
                         "state, next_attempt_ms, created_ms, updated_ms) VALUES(?,?,?,?,?,?,'pending',?,?,?) "
                         "ON CONFLICT(dedupe_key) DO NOTHING",
                         "notify.outbox");
  if (!s) return s.error();
  s->bind(1, row.dedupe_key);
  s->bind(2, row.correlation_id);
  s->bind(3, row.finding_id);
  s->bind(4, row.channel);
  s->bind(5, row.outcome);
  s->bind(6, row.message);
  s->bind(7, now_ms);
  s->bind(8, now_ms);
  s->bind(9, now_ms);
  if (s->step() != SQLITE_DONE) return sqlite::sqlite_error(db_.get(), "notify.outbox", "enqueue notification");
  return sqlite3_changes(db_.get()) == 1;
}

Result<std::vector<OutboxRow>> Outbox::claim_due(int64_t now_ms, int64_t lease_ms, size_t limit) {
  std::lock_guard lock(*mutex_);
  auto s = Stmt::prepare(db_.get(),
                         std::string("UPDATE notifications SET next_attempt_ms = ?1 + ?2, updated_ms = ?1 "
                                     "WHERE id IN (SELECT id FROM notifications WHERE state = 'pending' AND "
                                     "next_attempt_ms <= ?1 ORDER BY next_attempt_ms, id LIMIT ?3) RETURNING ") +
                             kColumns,
                         "notify.outbox");
  if (!s) return s.error();
  s->bind(1, now_ms);
  s->bind(2, lease_ms);
  s->bind(3, static_cast<int64_t>(limit));
  return read_all(db_.get(), *s);
}

Result<void> Outbox::update(const char* sql, int64_t id, int attempts, int status, const std::string& error, int64_t ms) {
  std::lock_guard lock(*mutex_);
  auto s = Stmt::prepare(db_.get(), sql, "notify.outbox");
  if (!s) return s.error();
  s->bind(1, static_cast<int64_t>(attempts));
  s->bind(2, static_cast<int64_t>(status));
  s->bind(3, error);
  s->bind(4, ms);
  s->bind(5, id);
  if (s->step() != SQLITE_DONE) return sqlite::sqlite_error(db_.get(), "notify.outbox", "update notification");
  return {};
}

Result<void> Outbox::mark_sent(int64_t id, int attempts, int status, int64_t now_ms) {
  return update("UPDATE notifications SET state='sent', attempts=?1, last_status=?2, last_error=?3, updated_ms=?4 "
                "WHERE id=?5",
                id, attempts, status, "", now_ms);
}

Result<void> Outbox::mark_retry(int64_t id, int attempts, int status, const std::string& error, int64_t next_ms) {
  return update("UPDATE notifications SET state='pending', attempts=?1, last_status=?2, last_error=?3, "
                "next_attempt_ms=?4, updated_ms=?4 WHERE id=?5",
                id, attempts, status, error, next_ms);
}

Result<void> Outbox::mark_failed(int64_t id, int attempts, int status, const std::string& error, int64_t now_ms) {
  return update("UPDATE notifications SET state='failed', attempts=?1, last_status=?2, last_error=?3, updated_ms=?4 "
                "WHERE id=?5",
                id, attempts, status, error, now_ms);
}

Result<bool> Outbox::rearm(int64_t id, int64_t now_ms) {
  std::lock_guard lock(*mutex_);
  auto s = Stmt::prepare(db_.get(),
                         "UPDATE notifications SET state='pending', attempts=0, next_attempt_ms=?1, updated_ms=?1 "
                         "WHERE id=?2 AND state='failed'",
                         "notify.outbox");
  if (!s) return s.error();
  s->bind(1, now_ms);
  s->bind(2, id);
  if (s->step() != SQLITE_DONE) return sqlite::sqlite_error(db_.get(), "notify.outbox", "re-arm notification");
  return sqlite3_changes(db_.get()) == 1;
}

Result<std::vector<OutboxRow>> Outbox::list(std::optional<OutboxState> state, size_t limit) {
  std::lock_guard lock(*mutex_);
  auto s = Stmt::prepare(db_.get(),
                         std::string("SELECT ") + kColumns +
                             " FROM notifications WHERE (?1 = '' OR state = ?1) ORDER BY id LIMIT ?2",
                         "notify.outbox");
  if (!s) return s.error();
  // "" (not a null view: SQLite would bind NULL, and NULL = '' matches nothing) lists every state.
  s->bind(1, state ? std::string_view(to_string(*state)) : std::string_view(""));
  s->bind(2, static_cast<int64_t>(limit));
  return read_all(db_.get(), *s);
}

Result<std::optional<OutboxRow>> Outbox::find(const std::string& dedupe_key) {
  std::lock_guard lock(*mutex_);
  auto s = Stmt::prepare(db_.get(), std::string("SELECT ") + kColumns + " FROM notifications WHERE dedupe_key = ?1",
                         "notify.outbox");
  if (!s) return s.error();
  s->bind(1, dedupe_key);
  auto rows = read_all(db_.get(), *s);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<OutboxRow>();
  return std::optional<OutboxRow>(rows->front());
}

Result<std::optional<int64_t>> Outbox::next_due() {
  std::lock_guard lock(*mutex_);
  auto s = Stmt::prepare(db_.get(), "SELECT COUNT(*), COALESCE(MIN(next_attempt_ms), 0) FROM notifications WHERE state = 'pending'",
                         "notify.outbox");
  if (!s) return s.error();
  if (s->step() != SQLITE_ROW) return sqlite::sqlite_error(db_.get(), "notify.outbox", "read outbox");
  if (s->column_int64(0) == 0) return std::optional<int64_t>();
  return std::optional<int64_t>(s->column_int64(1));
}

Result<Outbox::Depth> Outbox::depth() {
  std::lock_guard lock(*mutex_);
  auto s = Stmt::prepare(db_.get(),
                         "SELECT COALESCE(SUM(state = 'pending'), 0), COALESCE(SUM(state = 'failed'), 0) "
                         "FROM notifications WHERE state IN ('pending', 'failed')",
                         "notify.outbox");
  if (!s) return s.error();
  if (s->step() != SQLITE_ROW) return sqlite::sqlite_error(db_.get(), "notify.outbox", "count outbox rows");
  return Depth{static_cast<size_t>(s->column_int64(0)), static_cast<size_t>(s->column_int64(1))};
}

}  // namespace fixgate::notify
