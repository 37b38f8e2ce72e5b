// The durable outbox: every routed notification is a row in SQLite before any
// delivery is tried, so a crash, a restart or a receiver that is down for a day
// loses nothing.
//
// A row is unique by its dedupe key "<correlation id>|<channel>|<outcome>": a
// finding delivered twice (at-least-once intake) is announced once per channel
// and outcome. Rows move pending → sent, or pending → failed after the last
// attempt; failed rows stay for review (list_failed) and can be re-armed.
//
// claim_due() hands a row to one worker by pushing its next attempt a lease into
// the future in the same statement, so two workers (threads or processes on one
// database) never deliver the same row at once, and a worker that dies mid-send
// only delays the row by the lease. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "sqlite/sqlite_db.h"

namespace fixgate::notify {

enum class OutboxState { pending, sent, failed };
const char* to_string(OutboxState state);

struct OutboxRow {
  int64_t id = 0;
  std::string dedupe_key;
  std::string correlation_id;
  std::string finding_id;
  std::string channel;
  std::string outcome;
  std::string message;  // the notification JSON (no secrets)
  OutboxState state = OutboxState::pending;
  int attempts = 0;
  int64_t next_attempt_ms = 0;  // unix ms
  int last_status = 0;          // HTTP status of the last attempt, 0 when none
  std::string last_error;
  int64_t created_ms = 0;
};

class Outbox {
 public:
  // Opens or creates the database at `path` (":memory:" for tests). Errors:
  // "notify.outbox" with SQLite's message.
  static Result<Outbox> open(const std::string& path);

  // Inserts a pending row due at `now_ms`. Returns true when inserted, false when
  // a row with the same dedupe key already exists (whatever its state).
  Result<bool> enqueue(const OutboxRow& row, int64_t now_ms);

  // Up to `limit` pending rows due at `now_ms`, oldest due first, each leased
  // until now_ms + lease_ms.
  Result<std::vector<OutboxRow>> claim_due(int64_t now_ms, int64_t lease_ms, size_t limit);

  // After an attempt: sent (final), failed (final), or pending again at next_ms.
  Result<void> mark_sent(int64_t id, int attempts, int status, int64_t now_ms);
  Result<void> mark_retry(int64_t id, int attempts, int status, const std::string& error, int64_t next_ms);
  Result<void> mark_failed(int64_t id, int attempts, int status, const std::string& error, int64_t now_ms);
  // Puts a failed row back to pending, attempts reset, due at now_ms (review done).
  Result<bool> rearm(int64_t id, int64_t now_ms);

  Result<std::vector<OutboxRow>> list(std::optional<OutboxState> state, size_t limit = 100);
  Result<std::optional<OutboxRow>> find(const std::string& dedupe_key);
  // Earliest next_attempt_ms of a pending row, or nullopt when none is pending.
  Result<std::optional<int64_t>> next_due();

  struct Depth {
    size_t pending = 0;  // waiting for a first attempt or a retry (including leased rows)
    size_t failed = 0;   // given up: waiting for review and `fixgate notify retry`
  };
  // Rows per unfinished state (the outbox depth metric).
  Result<Depth> depth();

 private:
  explicit Outbox(sqlite::Db db) : db_(std::move(db)), mutex_(std::make_unique<std::mutex>()) {}
  Result<void> update(const char* sql, int64_t id, int attempts, int status, const std::string& error, int64_t ms);

  sqlite::Db db_;
  std::unique_ptr<std::mutex> mutex_;
};

}  // namespace fixgate::notify
