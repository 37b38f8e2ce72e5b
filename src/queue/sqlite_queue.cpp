// The SQLite implementation of DurableQueue. Every change runs in one
// BEGIN IMMEDIATE transaction, so the read that picks rows and the write that
// claims them happen under SQLite's single write lock: two threads or two
// processes can never lease the same message.
#include <algorithm>
#include <cmath>
#include <mutex>
#include <optional>
#include <random>

#include <nlohmann/json.hpp>

#include "queue/durable_queue.h"
#include "sqlite/group_commit.h"
#include "sqlite/sqlite_db.h"

namespace fixgate::queue {
namespace {

using sqlite::Db;
using sqlite::sqlite_error;
using sqlite::Stmt;

constexpr int kSchemaVersion = 1;
constexpr size_t kMaxKeyBytes = 512;
constexpr size_t kMaxErrorBytes = 4096;
constexpr size_t kMaxLeaseItems = 1000;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS fixgate_schema (component TEXT PRIMARY KEY, version INTEGER NOT NULL);
CREATE TABLE queue_messages (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL,
  payload         BLOB NOT NULL,
  source          TEXT NOT NULL,
  state           TEXT NOT NULL CHECK (state IN ('ready', 'leased', 'dead')),
  attempts        INTEGER NOT NULL,
  lease_seq       INTEGER NOT NULL,
  visible_at      INTEGER NOT NULL,
  lease_owner     TEXT,
  enqueued_at     INTEGER NOT NULL,
  last_error      TEXT,
  dead_at         INTEGER
);
CREATE INDEX queue_messages_visible ON queue_messages(visible_at, id) WHERE state != 'dead';
CREATE TABLE queue_dedupe (
  idempotency_key TEXT PRIMARY KEY,
  message_id      INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX queue_dedupe_expiry ON queue_dedupe(expires_at);
INSERT INTO fixgate_schema (component, version) VALUES ('queue', 1);
)sql";

class WallClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

int64_t to_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
TimePoint from_ms(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

double default_random() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

std::string source_to_json(const SourceMetadata& source) {
  nlohmann::json j = {{"source", source.source}, {"attributes", source.attributes}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

SourceMetadata source_from_json(const std::string& text) {
  SourceMetadata source;
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return source;
  if (auto it = j.find("source"); it != j.end() && it->is_string()) source.source = it->get<std::string>();
  if (auto it = j.find("attributes"); it != j.end() && it->is_object()) {
    for (const auto& [key, value] : it->items()) {
      if (value.is_string()) source.attributes[key] = value.get<std::string>();
    }
  }
  return source;
}

Error invalid(std::string message) { return make_error("queue.invalid", std::move(message)); }

}  // namespace

const Clock& system_clock() {
  static const WallClock clock;
  return clock;
}

class SqliteQueue final : public DurableQueue {
 public:
  SqliteQueue(QueueOptions options, Db db) : options_(std::move(options)), db_(std::move(db)) {
    clock_ = options_.clock != nullptr ? options_.clock : &system_clock();
    if (!options_.random) options_.random = default_random;
    synchronous_full_ = options_.durability == Durability::full;  // as open_sqlite_queue() set it
  }

  Result<void> prepare() {
    const std::pair<Stmt*, const char*> statements[] = {
        {&purge_dedupe_, "DELETE FROM queue_dedupe WHERE expires_at <= ?"},
        {&find_dedupe_, "SELECT message_id FROM queue_dedupe WHERE idempotency_key = ?"},
        {&insert_message_,
         "INSERT INTO queue_messages (idempotency_key, payload, source, state, attempts, lease_seq, visible_at, "
         "enqueued_at) VALUES (?, ?, ?, 'ready', 0, 0, ?, ?)"},
        {&insert_dedupe_, "INSERT INTO queue_dedupe (idempotency_key, message_id, expires_at) VALUES (?, ?, ?)"},
    };
    for (const auto& [stmt, sql] : statements) {
      auto prepared = Stmt::prepare(db_.get(), sql);
      if (!prepared) return prepared.error();
      *stmt = std::move(prepared).value();
    }
    return {};
  }

  Result<EnqueueResult> enqueue(std::string_view key, std::string_view payload,
                                const SourceMetadata& source) override {
    if (auto refused = check_enqueue(key, payload)) return *refused;
    Pending me{key, payload, source_to_json(source), std::nullopt};
    group_.submit(me, [this](const std::vector<Pending*>& batch) { commit_enqueues(batch); });
    return std::move(*me.result);
  }

  std::vector<Result<EnqueueResult>> enqueue_batch(const std::vector<EnqueueRequest>& requests) override {
    std::vector<Pending> pending;
    pending.reserve(requests.size());
    std::vector<Pending*> valid;
    valid.reserve(requests.size());
    for (const EnqueueRequest& request : requests) {
      pending.push_back(Pending{request.idempotency_key, request.payload, {}, check_enqueue(request.idempotency_key,
                                                                                          request.payload)});
      if (!pending.back().result) {
        pending.back().source_json = source_to_json(request.source);
        valid.push_back(&pending.back());
      }
    }
    group_.submit_all(std::span<Pending* const>(valid),
                      [this](const std::vector<Pending*>& batch) { commit_enqueues(batch); });
    std::vector<Result<EnqueueResult>> results;
    results.reserve(pending.size());
    for (Pending& p : pending) results.push_back(std::move(*p.result));
    return results;
  }

  Result<std::vector<Message>> lease(std::string_view worker_id, size_t max_items,
                                     std::chrono::milliseconds visibility_timeout) override {
    if (worker_id.empty()) return invalid("worker_id is empty");
    if (max_items == 0 || max_items > kMaxLeaseItems) {
      return invalid("max_items must be 1 to " + std::to_string(kMaxLeaseItems));
    }
    if (visibility_timeout.count() <= 0) return invalid("visibility_timeout must be positive");
    return transaction<std::vector<Message>>(Sync::deferred, [&](int64_t now) -> Result<std::vector<Message>> {
      // A lease that expired on its last allowed attempt: the worker died or hung
      // every time. Handing the message out again would only repeat that.
      auto exhausted = Stmt::prepare(db_.get(),
                                     "UPDATE queue_messages SET state = 'dead', dead_at = ?1, lease_owner = NULL, "
                                     "last_error = 'visibility timeout expired on attempt ' || attempts || "
                                     "' (worker ' || IFNULL(lease_owner, '?') || ' died or took too long)' "
                                     "WHERE state = 'leased' AND visible_at <= ?1 AND attempts >= ?2");
      if (!exhausted) return exhausted.error();
      exhausted->bind(1, now);
      exhausted->bind(2, static_cast<int64_t>(options_.retry.max_attempts));
      if (exhausted->step() != SQLITE_DONE) return failure("cannot dead-letter expired messages");

      auto claim = Stmt::prepare(
          db_.get(),
          "UPDATE queue_messages SET state = 'leased', attempts = attempts + 1, lease_seq = lease_seq + 1, "
          "visible_at = ?2, lease_owner = ?3 WHERE id IN (SELECT id FROM queue_messages WHERE state != 'dead' "
          "AND visible_at <= ?1 ORDER BY visible_at, id LIMIT ?4) "
          "RETURNING id, lease_seq, idempotency_key, payload, source, attempts, enqueued_at, visible_at");
      if (!claim) return claim.error();
      claim->bind(1, now);
      claim->bind(2, now + visibility_timeout.count());
      claim->bind(3, worker_id);
      claim->bind(4, static_cast<int64_t>(max_items));
      std::vector<Message> messages;
      int rc = SQLITE_ROW;
      while ((rc = claim->step()) == SQLITE_ROW) {
        Message m;
        m.receipt = Receipt{claim->column_int64(0), claim->column_int64(1)};
        m.idempotency_key = claim->column_text(2);
        m.payload = claim->column_blob(3);
        m.source = source_from_json(claim->column_text(4));
        m.attempts = static_cast<int>(claim->column_int64(5));
        m.enqueued_at = from_ms(claim->column_int64(6));
        m.lease_until = from_ms(claim->column_int64(7));
        messages.push_back(std::move(m));
      }
      if (rc != SQLITE_DONE) return failure("cannot lease messages");
      std::sort(messages.begin(), messages.end(),
                [](const Message& a, const Message& b) { return a.receipt.id < b.receipt.id; });
      return messages;
    });
  }

  Result<void> ack(const Receipt& receipt) override {
    return transaction_void(Sync::deferred, [&](int64_t) -> Result<void> {
      auto lease = current_lease(receipt);
      if (!lease) return lease.error();
      return exec_bound("DELETE FROM queue_messages WHERE id = ?", {receipt.id}, "cannot ack the message");
    });
  }

  Result<NackOutcome> nack(const Receipt& receipt, std::string_view error) override {
    const std::string last_error(error.substr(0, kMaxErrorBytes));
    return transaction<NackOutcome>(Sync::deferred, [&](int64_t now) -> Result<NackOutcome> {
      auto attempts = current_lease(receipt);
      if (!attempts) return attempts.error();
      NackOutcome outcome;
      outcome.attempts = *attempts;
      if (*attempts >= options_.retry.max_attempts) {
        outcome.dead_lettered = true;
        auto stmt = Stmt::prepare(db_.get(),
                                  "UPDATE queue_messages SET state = 'dead', dead_at = ?, last_error = ?, "
                                  "lease_owner = NULL WHERE id = ?");
        if (!stmt) return stmt.error();
        stmt->bind(1, now);
        stmt->bind(2, last_error);
        stmt->bind(3, receipt.id);
        if (stmt->step() != SQLITE_DONE) return failure("cannot dead-letter the message");
        return outcome;
      }
      const int64_t retry_at = now + backoff_ms(*attempts);
      auto stmt = Stmt::prepare(db_.get(),
                                "UPDATE queue_messages SET state = 'ready', visible_at = ?, last_error = ?, "
                                "lease_owner = NULL WHERE id = ?");
      if (!stmt) return stmt.error();
      stmt->bind(1, retry_at);
      stmt->bind(2, last_error);
      stmt->bind(3, receipt.id);
      if (stmt->step() != SQLITE_DONE) return failure("cannot schedule the retry");
      outcome.retry_at = from_ms(retry_at);
      return outcome;
    });
  }

  Result<void> extend(const Receipt& receipt, std::chrono::milliseconds timeout) override {
    if (timeout.count() <= 0) return invalid("timeout must be positive");
    return transaction_void(Sync::deferred, [&](int64_t now) -> Result<void> {
      auto lease = current_lease(receipt);
      if (!lease) return lease.error();
      return exec_bound("UPDATE queue_messages SET visible_at = ? WHERE id = ?", {now + timeout.count(), receipt.id},
                        "cannot extend the lease");
    });
  }

  Result<void> release(const Receipt& receipt) override {
    return transaction_void(Sync::deferred, [&](int64_t now) -> Result<void> {
      auto lease = current_lease(receipt);
      if (!lease) return lease.error();
      return exec_bound("UPDATE queue_messages SET state = 'ready', visible_at = ?, lease_owner = NULL, "
                        "attempts = MAX(attempts - 1, 0) WHERE id = ?",
                        {now, receipt.id}, "cannot release the message");
    });
  }

  Result<QueueCounts> counts() override {
    std::lock_guard lock(mutex_);
    auto stmt = Stmt::prepare(db_.get(),
                              "SELECT IFNULL(SUM(state != 'dead' AND visible_at <= ?1), 0), "
                              "IFNULL(SUM(state = 'ready' AND visible_at > ?1), 0), "
                              "IFNULL(SUM(state = 'leased' AND visible_at > ?1), 0), "
                              "IFNULL(SUM(state = 'dead'), 0) FROM queue_messages");
    if (!stmt) return stmt.error();
    stmt->bind(1, to_ms(clock_->now()));
    if (stmt->step() != SQLITE_ROW) return failure("cannot count messages");
    return QueueCounts{stmt->column_int64(0), stmt->column_int64(1), stmt->column_int64(2), stmt->column_int64(3)};
  }

  Result<std::vector<DeadLetter>> list_dead(size_t limit) override {
    std::lock_guard lock(mutex_);
    auto stmt = Stmt::prepare(db_.get(),
                              "SELECT id, idempotency_key, payload, source, attempts, IFNULL(last_error, ''), "
                              "enqueued_at, IFNULL(dead_at, 0) FROM queue_messages WHERE state = 'dead' "
                              "ORDER BY id LIMIT ?");
    if (!stmt) return stmt.error();
    stmt->bind(1, limit == 0 ? int64_t{-1} : static_cast<int64_t>(limit));
    std::vector<DeadLetter> dead;
    int rc = SQLITE_ROW;
    while ((rc = stmt->step()) == SQLITE_ROW) {
      dead.push_back(DeadLetter{stmt->column_int64(0), stmt->column_text(1), stmt->column_blob(2),
                                source_from_json(stmt->column_text(3)), static_cast<int>(stmt->column_int64(4)),
                                stmt->column_text(5), from_ms(stmt->column_int64(6)),
                                from_ms(stmt->column_int64(7))});
    }
    if (rc != SQLITE_DONE) return failure("cannot list dead letters");
    return dead;
  }

  Result<void> redrive(int64_t id) override {
    return transaction_void(Sync::fsync, [&](int64_t now) -> Result<void> {
      auto r = exec_bound(
          "UPDATE queue_messages SET state = 'ready', attempts = 0, visible_at = ?, dead_at = NULL "
          "WHERE id = ? AND state = 'dead'",
          {now, id}, "cannot redrive the message");
      if (!r) return r;
      if (sqlite3_changes(db_.get()) == 0) {
        return make_error("queue.not_found", "message " + std::to_string(id) + " is not a dead letter");
      }
      return {};
    });
  }

  Result<int64_t> redrive_all() override {
    return transaction<int64_t>(Sync::fsync, [&](int64_t now) -> Result<int64_t> {
      auto r = exec_bound(
          "UPDATE queue_messages SET state = 'ready', attempts = 0, visible_at = ?, dead_at = NULL "
          "WHERE state = 'dead'",
          {now}, "cannot redrive dead letters");
      if (!r) return r.error();
      return static_cast<int64_t>(sqlite3_changes(db_.get()));
    });
  }

 private:
  // The refusal of a key or payload the queue never stores; nullopt when fine.
  std::optional<Result<EnqueueResult>> check_enqueue(std::string_view key, std::string_view payload) const {
    if (key.empty() || key.size() > kMaxKeyBytes) {
      return invalid("idempotency_key must be 1 to " + std::to_string(kMaxKeyBytes) + " bytes, got " +
                     std::to_string(key.size()));
    }
    if (payload.size() > options_.max_payload_bytes) {
      return invalid("payload is " + std::to_string(payload.size()) + " bytes; the limit is " +
                     std::to_string(options_.max_payload_bytes));
    }
    return std::nullopt;
  }

  struct Pending {
    std::string_view key;
    std::string_view payload;
    std::string source_json;
    std::optional<Result<EnqueueResult>> result;  // set by the leader, read after group_done_
  };

  // One transaction for the whole batch. A key repeated inside the batch is a
  // duplicate of its first occurrence, as it would be across two commits.
  void commit_enqueues(const std::vector<Pending*>& batch) {
    auto committed = transaction<bool>(Sync::fsync, [&](int64_t now) -> Result<bool> {
      purge_dedupe_.bind(1, now);
      const int purged = purge_dedupe_.step();
      purge_dedupe_.reset();
      if (purged != SQLITE_DONE) return failure("cannot expire old idempotency keys");
      for (Pending* p : batch) {
        auto one = enqueue_one(*p, now);
        if (!one) return one.error();
        p->result = std::move(one);
      }
      return true;
    });
    if (!committed) {
      for (Pending* p : batch) p->result = committed.error();
    }
  }

  Result<EnqueueResult> enqueue_one(const Pending& p, int64_t now) {
    find_dedupe_.bind(1, p.key);
    const int found = find_dedupe_.step();
    const int64_t existing = found == SQLITE_ROW ? find_dedupe_.column_int64(0) : 0;
    find_dedupe_.reset();
    if (found == SQLITE_ROW) return EnqueueResult{existing, true};
    if (found != SQLITE_DONE) return failure("cannot look up the idempotency key");
    insert_message_.bind(1, p.key);
    insert_message_.bind_blob(2, p.payload);
    insert_message_.bind(3, p.source_json);
    insert_message_.bind(4, now);
    insert_message_.bind(5, now);
    const int inserted = insert_message_.step();
    insert_message_.reset();
    if (inserted != SQLITE_DONE) return failure("cannot insert the message");
    const int64_t id = sqlite3_last_insert_rowid(db_.get());
    insert_dedupe_.bind(1, p.key);
    insert_dedupe_.bind(2, id);
    insert_dedupe_.bind(3, now + options_.dedupe_window.count());
    const int remembered = insert_dedupe_.step();
    insert_dedupe_.reset();
    if (remembered != SQLITE_DONE) return failure("cannot record the idempotency key");
    return EnqueueResult{id, false};
  }

  // How far a commit goes before the call returns (with Durability::full).
  // Only enqueue must be on disk before it returns: the HTTP 202 promises it.
  // A worker's lease, ack, nack, extend or release that a power cut loses can
  // only make a message be delivered again, which the engine recognises as
  // already decided; so those skip the fsync and become durable with the next
  // fsynced commit (WAL frames are synced in order). A process crash loses
  // nothing either way.
  enum class Sync { fsync, deferred };

  // Runs `body(now_ms)` inside BEGIN IMMEDIATE ... COMMIT under the mutex;
  // rolls back when the body fails or the commit does.
  template <typename T, typename F>
  Result<T> transaction(Sync sync, F&& body) {
    std::lock_guard lock(mutex_);
    const bool full = sync == Sync::fsync && options_.durability == Durability::full;
    if (full != synchronous_full_) {
      if (auto r = db_.exec(full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", "queue.sqlite"); !r) {
        return r.error();
      }
      synchronous_full_ = full;
    }
    if (auto r = db_.exec("BEGIN IMMEDIATE", "queue.sqlite"); !r) return r.error();
    Result<T> result = body(to_ms(clock_->now()));
    if (!result) {
      (void)db_.exec("ROLLBACK");
      return result;
    }
    if (auto r = db_.exec("COMMIT", "queue.sqlite"); !r) {
      (void)db_.exec("ROLLBACK");
      return r.error();
    }
    return result;
  }

  template <typename F>
  Result<void> transaction_void(Sync sync, F&& body) {
    auto r = transaction<bool>(sync, [&](int64_t now) -> Result<bool> {
      auto inner = body(now);
      if (!inner) return inner.error();
      return true;
    });
    if (!r) return r.error();
    return {};
  }

  Error failure(std::string_view what) { return sqlite_error(db_.get(), "queue.sqlite", what); }

  Result<void> exec_bound(const char* sql, std::initializer_list<int64_t> values, std::string_view what) {
    auto stmt = Stmt::prepare(db_.get(), sql);
    if (!stmt) return stmt.error();
    int index = 1;
    for (int64_t v : values) stmt->bind(index++, v);
    if (stmt->step() != SQLITE_DONE) return failure(what);
    return {};
  }

  // The attempts of the message when `receipt` names its current lease;
  // otherwise why not. Must run inside a transaction.
  Result<int> current_lease(const Receipt& receipt) {
    auto stmt = Stmt::prepare(db_.get(), "SELECT state, lease_seq, attempts FROM queue_messages WHERE id = ?");
    if (!stmt) return stmt.error();
    stmt->bind(1, receipt.id);
    const int rc = stmt->step();
    if (rc == SQLITE_DONE) {
      return make_error("queue.not_found",
                        "message " + std::to_string(receipt.id) + " is not in the queue (already acked?)");
    }
    if (rc != SQLITE_ROW) return failure("cannot read the message");
    if (stmt->column_text(0) != "leased" || stmt->column_int64(1) != receipt.lease) {
      return make_error("queue.stale_lease", "lease " + std::to_string(receipt.lease) + " of message " +
                                                 std::to_string(receipt.id) +
                                                 " is no longer current: it expired and the message was handed "
                                                 "out again, or it was already released or nacked");
    }
    return static_cast<int>(stmt->column_int64(2));
  }

  int64_t backoff_ms(int attempts) {
    const double base = static_cast<double>(options_.retry.base.count());
    const double cap = static_cast<double>(options_.retry.cap.count());
    const double exponential = base * std::pow(2.0, std::max(0, attempts - 1));
    const double delay = std::min(cap, exponential);
    const double jitter = std::clamp(options_.retry.jitter, 0.0, 1.0);
    const double u = std::clamp(options_.random(), 0.0, 1.0);
    return static_cast<int64_t>(std::llround(delay * (1.0 - jitter * u)));
  }

  QueueOptions options_;
  const Clock* clock_ = nullptr;
  std::mutex mutex_;  // guards db_ and the prepared statements
  Db db_;
  Stmt purge_dedupe_;
  Stmt find_dedupe_;
  Stmt insert_message_;
  Stmt insert_dedupe_;

  sqlite::GroupCommit<Pending> group_;
  bool synchronous_full_ = false;  // the connection's current PRAGMA synchronous; guarded by mutex_
};

namespace {

Result<void> ensure_schema(Db& db, const std::string& path) {
  if (auto r = db.exec("BEGIN IMMEDIATE", "queue.open"); !r) return r;
  auto rollback = [&](Error e) {
    (void)db.exec("ROLLBACK");
    return e;
  };
  auto exists = Stmt::prepare(db.get(), "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'queue_messages'");
  if (!exists) return rollback(exists.error());
  if (exists->step() != SQLITE_ROW) return rollback(sqlite_error(db.get(), "queue.open", "cannot read the schema"));
  const bool present = exists->column_int64(0) > 0;
  exists->reset();
  if (!present) {
    if (auto r = db.exec(kSchema, "queue.open"); !r) return rollback(r.error());
  } else {
    auto version = Stmt::prepare(db.get(), "SELECT version FROM fixgate_schema WHERE component = 'queue'");
    if (!version) return rollback(make_error("queue.open", path + " is not a fixgate queue: " + version.error().message));
    const int64_t v = version->step() == SQLITE_ROW ? version->column_int64(0) : 0;
    if (v != kSchemaVersion) {
      return rollback(make_error("queue.open", path + " has queue schema version " + std::to_string(v) +
                                                   "; this fixgate understands version " +
                                                   std::to_string(kSchemaVersion)));
    }
  }
  // Lets lease() find expired leases and counts() tally states without reading
  // every row (and its payload) of a long queue. Additive, so also created on
  // files made before it existed.
  if (auto r = db.exec("CREATE INDEX IF NOT EXISTS queue_messages_state ON queue_messages(state, visible_at)",
                       "queue.open");
      !r) {
    return rollback(r.error());
  }
  return db.exec("COMMIT", "queue.open");
}

}  // namespace

Result<std::unique_ptr<DurableQueue>> open_sqlite_queue(const std::string& path, QueueOptions options) {
  if (options.retry.max_attempts < 1) return invalid("retry.max_attempts must be at least 1");
  if (options.retry.base.count() < 0 || options.retry.cap < options.retry.base) {
    return invalid("retry.base must be >= 0 and retry.cap >= retry.base");
  }
  auto db = Db::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, "queue.open", "queue");
  if (!db) return db.error();
  sqlite3_busy_timeout(db->get(), options.busy_timeout_ms);
  // WAL lets readers run beside the single writer; synchronous=FULL fsyncs the
  // WAL at every commit, which is what makes "enqueue returned" mean durable.
  if (auto r = db->exec("PRAGMA journal_mode=WAL", "queue.open"); !r) return r.error();
  if (auto r = db->exec(options.durability == Durability::full ? "PRAGMA synchronous=FULL"
                                                                 : "PRAGMA synchronous=NORMAL",
                        "queue.open");
      !r) {
    return r.error();
  }
  if (auto r = ensure_schema(*db, path); !r) return r.error();
  auto queue = std::make_unique<SqliteQueue>(std::move(options), std::move(db).value());
  if (auto r = queue->prepare(); !r) return r.error();
  return std::unique_ptr<DurableQueue>(std::move(queue));
}

}  // namespace fixgate::queue
