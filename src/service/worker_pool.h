// The workers of `fixgate serve`: threads that drain the durable queue through
// a handler and settle each message only after the handler has returned.
//
//   lease (batch) → handle → ok: ack          (the outcome is on record)
//                          → error: nack      (retry with backoff; dead letter
//                                              after max_attempts, by the queue)
//
// Visibility: a heartbeat thread extends the lease of every message a worker
// holds (being handled or waiting in its batch) each heartbeat_interval, so a
// long action never lets the message reappear to another worker. A worker that
// dies (kill -9) stops extending; its messages reappear after the timeout.
//
// Graceful stop: no new leases; the message being handled finishes and is
// settled; messages leased but not yet started are released (visible at once,
// not counted as an attempt). The heartbeat keeps extending until then.
//
// The heartbeat also samples queue counts into the fixgate_queue_messages gauge.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "logging/logger.h"
#include "metrics/registry.h"
#include "queue/durable_queue.h"

namespace fixgate::service {

// Processes one leased message. Returns a value once its outcome is on record
// (then the message is acked); an error sends it back for a retry. Called from
// the worker threads concurrently; must not throw.
using MessageHandler = std::function<Result<void>(const queue::Message& message)>;

struct WorkerPoolOptions {
  size_t workers = 2;
  size_t lease_batch = 8;
  // Added to each worker thread's nice value (Linux schedules threads
  // separately), so threads serving senders win the CPU from them. 0: none.
  int nice = 0;
  std::chrono::milliseconds visibility_timeout{60000};
  // 0: a third of the visibility timeout (so two beats may be missed).
  std::chrono::milliseconds heartbeat_interval{0};
  // How long an idle worker sleeps before looking again when nobody wake()s it.
  std::chrono::milliseconds idle_wait{250};
  std::string worker_id_prefix = "worker";
};

struct WorkerPoolStats {
  uint64_t acked = 0;
  uint64_t retried = 0;
  uint64_t dead_lettered = 0;
  uint64_t released = 0;
  uint64_t queue_errors = 0;  // lease/ack/nack/extend calls that failed
};

class WorkerPool {
 public:
  // Registers fixgate_worker_messages_total{result}, fixgate_worker_handle_seconds,
  // fixgate_queue_wait_seconds and fixgate_queue_messages{state} in `registry`
  // (errors are the registry's, e.g. "metrics.duplicate"). `queue` and
  // `registry` must outlive the pool.
  static Result<std::unique_ptr<WorkerPool>> create(queue::DurableQueue& queue, MessageHandler handler,
                                                    WorkerPoolOptions options, metrics::Registry& registry,
                                                    logging::Logger logger);
  ~WorkerPool();  // stop()s
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Starts the workers and the heartbeat. Idempotent.
  void start();
  // New work was queued: an idle worker looks now instead of after idle_wait.
  void wake();
  // Graceful stop as above; returns once every thread has joined. Idempotent.
  void stop();

  WorkerPoolStats stats() const;
  // Messages currently held by a worker (leased, not yet settled).
  size_t in_flight() const;

 private:
  struct Metrics;
  WorkerPool(queue::DurableQueue& queue, MessageHandler handler, WorkerPoolOptions options,
             std::unique_ptr<Metrics> metrics, logging::Logger logger);
  void run_worker(size_t index);
  void settle(const queue::Message& message, Result<void> handled);
  void heartbeat();
  void hold(const queue::Receipt& receipt);
  void drop(const queue::Receipt& receipt);

  queue::DurableQueue& queue_;
  MessageHandler handler_;
  WorkerPoolOptions options_;
  std::unique_ptr<Metrics> metrics_;
  logging::Logger logger_;

  mutable std::mutex mutex_;  // guards held_, started_, the wake flag and stats_
  std::condition_variable work_cv_;
  std::condition_variable beat_cv_;
  std::map<int64_t, queue::Receipt> held_;  // by message id
  bool started_ = false;
  bool woken_ = false;
  std::atomic<bool> stopping_{false};
  bool beat_stop_ = false;
  WorkerPoolStats stats_;
  std::vector<std::thread> workers_;
  std::thread heartbeat_;
};

}  // namespace fixgate::service
