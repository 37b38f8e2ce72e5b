// The durable work queue between intake and the workers of `fixgate serve`.
//
// At-least-once in: enqueue() returns only after the message is committed and
// fsynced, so the HTTP intake may acknowledge its source as soon as it returns.
// A redelivery carrying the same idempotency key within the dedupe window is
// reported as a duplicate and not queued again.
//
// Leases, not locks: lease() hands a message to one worker until a visibility
// deadline. A worker that dies simply never acks, and the message becomes
// visible again when the deadline passes. Every lease carries a Receipt; ack,
// nack, extend and release need the receipt of the *current* lease, so a slow
// worker whose lease expired cannot ack a message another worker now holds
// ("queue.stale_lease").
//
// Failures retry with exponential backoff and jitter; after max_attempts the
// message moves to the dead-letter state with its last error, from where an
// operator can list and redrive it.
//
// Only enqueue (and an operator's redrive) waits for the disk. Lease, ack,
// nack, extend and release are committed at once but fsynced with the next
// enqueue: a power cut can undo them, which only redelivers a message, and
// redeliveries are already recognised (the engine finds the decision on record).
//
// open_sqlite_queue() is the embedded implementation: one SQLite file in WAL
// mode, safe for many threads and many processes on that file (every change is
// one BEGIN IMMEDIATE transaction; busy_timeout waits for the other writer).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace fixgate::queue {

using TimePoint = std::chrono::system_clock::time_point;

// Where "now" comes from; replaceable so tests control visibility and backoff.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};
// The wall clock. Thread-safe; lives for the whole program.
const Clock& system_clock();

// Where a message came from, kept with it as evidence (e.g. source "webhook",
// attributes {"remote": "10.0.0.7", "sns_message_id": "..."}).
struct SourceMetadata {
  std::string source;
  std::map<std::string, std::string> attributes;
};

struct EnqueueResult {
  int64_t id = 0;          // the message id (the original one when duplicate)
  bool duplicate = false;  // the key was seen within the dedupe window; nothing was queued
};

// Names one lease of one message. `lease` increases with every lease of the message.
struct EnqueueRequest {
  std::string idempotency_key;
  std::string payload;
  SourceMetadata source;
};

struct Receipt {
  int64_t id = 0;
  int64_t lease = 0;
};

struct Message {
  Receipt receipt;
  std::string idempotency_key;
  std::string payload;
  SourceMetadata source;
  int attempts = 0;  // deliveries so far, this one included
  TimePoint enqueued_at;
  TimePoint lease_until;
};

struct DeadLetter {
  int64_t id = 0;
  std::string idempotency_key;
  std::string payload;
  SourceMetadata source;
  int attempts = 0;
  std::string last_error;
  TimePoint enqueued_at;
  TimePoint dead_at;
};

struct NackOutcome {
  bool dead_lettered = false;
  int attempts = 0;
  TimePoint retry_at;  // when the message becomes visible again (unset when dead-lettered)
};

// Counts for /metrics. ready: visible now (expired leases included); delayed:
// waiting for a retry; in_flight: leased and within the visibility deadline.
struct QueueCounts {
  int64_t ready = 0;
  int64_t delayed = 0;
  int64_t in_flight = 0;
  int64_t dead = 0;
  int64_t depth() const { return ready + delayed + in_flight; }
};

// Retry n (n = attempts so far) waits min(cap, base * 2^(n-1)) scaled by a
// random factor in (1 - jitter, 1], so a burst of failures does not retry in
// lock step yet never retries sooner than half the delay at the default jitter.
struct RetryPolicy {
  std::chrono::milliseconds base{1000};
  std::chrono::milliseconds cap{std::chrono::minutes(5)};
  double jitter = 0.5;   // 0: exact schedule; 1: "full jitter"
  int max_attempts = 5;  // deliveries before a message is dead-lettered
};

// How far a commit goes before enqueue() and the other calls return.
enum class Durability {
  full,    // synchronous=FULL: the WAL is fsynced at every commit; survives power loss
  normal,  // synchronous=NORMAL: survives a process crash, not power loss. Tests only.
};

struct QueueOptions {
  const Clock* clock = nullptr;  // nullptr: system_clock(). Must outlive the queue.
  Durability durability = Durability::full;
  RetryPolicy retry;
  std::chrono::milliseconds dedupe_window{std::chrono::hours(24)};
  size_t max_payload_bytes = 4u << 20;
  int busy_timeout_ms = 10000;
  // Uniform in [0, 1), for jitter. nullptr: a per-thread PRNG.
  std::function<double()> random;
};

// All calls are safe from any thread. Errors: "queue.invalid" (bad argument,
// naming it), "queue.not_found", "queue.stale_lease", "queue.sqlite" (sqlite's
// own message included).
class DurableQueue {
 public:
  virtual ~DurableQueue() = default;

  // Durably queues `payload` unless `idempotency_key` was seen within the dedupe
  // window. Returns only after the commit is on disk. Concurrent calls share
  // commits (group commit), so many intake threads cost few fsyncs.
  virtual Result<EnqueueResult> enqueue(std::string_view idempotency_key, std::string_view payload,
                                        const SourceMetadata& source) = 0;
  // Queues every request in one commit (one fsync for all of them), as if each
  // had been enqueue()d; results come in the order of `requests`. An invalid
  // request fails alone; a failed commit fails every request it carried.
  virtual std::vector<Result<EnqueueResult>> enqueue_batch(const std::vector<EnqueueRequest>& requests) = 0;
  // Up to max_items visible messages, oldest first, each leased to `worker_id`
  // until now + visibility_timeout. A message whose lease expired max_attempts
  // times is dead-lettered here instead of being handed out again.
  virtual Result<std::vector<Message>> lease(std::string_view worker_id, size_t max_items,
                                             std::chrono::milliseconds visibility_timeout) = 0;
  // Done: the message is removed (its key stays in the dedupe window).
  virtual Result<void> ack(const Receipt& receipt) = 0;
  // Failed: retry after backoff, or dead-letter with `error` after max_attempts.
  virtual Result<NackOutcome> nack(const Receipt& receipt, std::string_view error) = 0;
  // Still working: the lease now ends at now + timeout.
  virtual Result<void> extend(const Receipt& receipt, std::chrono::milliseconds timeout) = 0;
  // Giving it back unprocessed (graceful shutdown): visible again at once, and
  // this delivery does not count as an attempt.
  virtual Result<void> release(const Receipt& receipt) = 0;

  virtual Result<QueueCounts> counts() = 0;
  virtual Result<std::vector<DeadLetter>> list_dead(size_t limit) = 0;
  // Moves a dead letter back to ready with its attempts reset.
  virtual Result<void> redrive(int64_t id) = 0;
  // Redrives every dead letter; returns how many.
  virtual Result<int64_t> redrive_all() = 0;
};

// Opens (creating when absent) the queue stored at `path`.
Result<std::unique_ptr<DurableQueue>> open_sqlite_queue(const std::string& path, QueueOptions options = {});

}  // namespace fixgate::queue
