// The SQS worker loop: receive → handle → delete, with the visibility heartbeat.
//
// Guarantees (DESIGN.md invariants 3 and 4):
//  - a message is deleted only after its handler returned success, i.e. after
//    its outcome is on record; a handler error leaves it in the queue, where it
//    becomes visible again after the visibility timeout and, past the queue's
//    maxReceiveCount, SQS's redrive policy moves it to the dead-letter queue;
//  - while a handler runs, the heartbeat keeps extending the message's
//    visibility so no other consumer receives it mid-action;
//  - a stop request (SIGTERM) ends polling: messages already being handled
//    finish and are deleted; messages received but not started are released
//    (visibility 0) for another worker.
// Any number of workers (threads or processes) may consume one queue: SQS gives
// each message to one consumer at a time, and a duplicate after a lost delete or
// an expired visibility is a recorded no-op thanks to the action precheck.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "logging/logger.h"
#include "sqs/sqs_client.h"
#include "worker/heartbeat.h"

namespace fixgate::worker {

// Handles one message. Success means its outcome is durably recorded and the
// message may be deleted; an error means it must be delivered again. Called
// from several threads at once when concurrency > 1; must not throw.
using MessageHandler = std::function<Result<void>(const sqs::Message& message)>;

// A line-based log tap: level ("info" | "warn" | "error") and the JSON line.
// Thread-safe when given to a worker with concurrency > 1.
using LogSink = std::function<void(const char* level, const std::string& line)>;

// JSON lines on stderr, component "worker", a fresh run id, level info.
logging::Logger stderr_logger();

struct WorkerOptions {
  int concurrency = 1;                 // poller threads, each handling its batch in order
  sqs::ReceiveOptions receive{10, 20, 60};  // max messages, wait seconds, visibility timeout
  // How often the heartbeat re-extends in-flight messages; 0: a third of the visibility timeout.
  std::chrono::milliseconds heartbeat_interval{0};
  // Back-off after a failed receive: doubles from `error_backoff_min` up to `error_backoff_max`.
  std::chrono::milliseconds error_backoff_min{200};
  std::chrono::milliseconds error_backoff_max{20000};
  // Lines about messages and receives (message_id, receive_count, error code);
  // the redaction guard of `logger` applies to each.
  logging::Logger logger = stderr_logger();
  // When set, replaces `logger`'s destination: each line goes to this tap
  // instead (benchmarks pass one that drops them).
  LogSink log;
};

// Counts since start; read them after run() returns, or at any time (relaxed).
struct WorkerStats {
  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> handled{0};        // handler succeeded
  std::atomic<std::uint64_t> failed{0};         // handler failed: left for redelivery / the DLQ
  std::atomic<std::uint64_t> deleted{0};
  std::atomic<std::uint64_t> delete_failed{0};  // handled but not deleted: will come back, a no-op then
  std::atomic<std::uint64_t> released{0};       // received after stop, made visible again
  std::atomic<std::uint64_t> receive_errors{0};
};

class Worker {
 public:
  // `queue` and `handler` must outlive the worker. Fails with "sqs.invalid_option"
  // (naming the option) for out-of-range options; a visibility timeout is required
  // because the heartbeat must know what to extend to.
  static Result<std::unique_ptr<Worker>> create(sqs::SqsQueue& queue, MessageHandler handler, WorkerOptions options);

  // Polls on `concurrency` threads until `stop` becomes true, then returns after
  // in-flight messages are finished. Transient receive errors (network, 5xx,
  // throttling) are logged and retried with back-off; any other receive error
  // (no such queue, access denied, a bad option) stops every poller and is
  // returned, since retrying cannot fix it.
  Result<void> run(const std::atomic<bool>& stop);

  // One receive → handle → delete cycle on the calling thread. Returns how many
  // messages were received (0 after an empty long poll), or the receive error.
  Result<size_t> poll_once(const std::atomic<bool>& stop);

  const WorkerStats& stats() const { return stats_; }
  std::uint64_t heartbeat_extensions() const { return heartbeat_.extensions(); }

 private:
  Worker(sqs::SqsQueue& queue, MessageHandler handler, WorkerOptions options);
  void poller(const std::atomic<bool>& stop);
  bool stopping(const std::atomic<bool>& stop) const { return stop.load() || fatal_.load(); }
  void delete_handled(const std::vector<sqs::BatchEntry>& entries, const std::vector<std::string>& message_ids);

  sqs::SqsQueue& queue_;
  MessageHandler handler_;
  WorkerOptions options_;
  WorkerStats stats_;
  VisibilityHeartbeat heartbeat_;
  std::atomic<bool> fatal_{false};
  std::mutex fatal_mutex_;
  std::optional<Error> fatal_error_;
};

}  // namespace fixgate::worker
