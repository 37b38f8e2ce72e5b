// Adapts the durable SQLite queue (queue/durable_queue.h) to the intake's
// IntakeSink, so `fixgate serve` acknowledges a finding only after the queue
// committed it to disk.
//
// enqueue_async() hands the finding to one writer thread, which queues
// everything that arrived during the previous commit in the next one
// (DurableQueue::enqueue_batch: one transaction, one fsync) and then calls
// every finding's `done`. That is group commit without a sleeping thread per
// request: at thousands of findings per second the commit is shared by
// dozens of them and the HTTP event loops never wait.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "queue/durable_queue.h"
#include "server/intake_sink.h"

namespace fixgate::server {

struct QueueIntakeSinkOptions {
  // Health is re-probed (DurableQueue::counts()) at most once per
  // probe_interval; between probes the outcome of the latest enqueue decides.
  std::chrono::milliseconds probe_interval = std::chrono::seconds(5);
  // Findings waiting for the writer beyond this are refused at once
  // ("queue.overloaded", the server answers 503 + Retry-After) instead of
  // growing memory and latency without bound while the disk falls behind.
  size_t max_waiting = 20000;
  // Findings per commit at most, so one commit's latency stays bounded.
  size_t max_batch = 1000;
};

class QueueIntakeSink final : public IntakeSink {
 public:
  // `queue` must outlive the sink.
  explicit QueueIntakeSink(queue::DurableQueue& queue, QueueIntakeSinkOptions options = {});
  // Commits every finding still waiting (each gets its answer), then joins the writer.
  ~QueueIntakeSink() override;
  QueueIntakeSink(const QueueIntakeSink&) = delete;
  QueueIntakeSink& operator=(const QueueIntakeSink&) = delete;

  // Queues under `idempotency_key` with SourceMetadata{meta.source, attributes:
  // request_id, remote, content_type, received_at (RFC 3339 UTC) and, for SNS,
  // sns_topic_arn and sns_message_id}. EnqueueAck::id is the queue's numeric id
  // in decimal. Errors are the queue's ("queue.sqlite", "queue.invalid").
  Result<EnqueueAck> enqueue(std::string idempotency_key, std::string payload, IntakeMeta meta) override;
  // As enqueue(), through the writer thread; also "queue.overloaded".
  void enqueue_async(std::string idempotency_key, std::string payload, IntakeMeta meta, EnqueueDone done) override;

  bool healthy() const override;

 private:
  struct Waiting {
    queue::EnqueueRequest request;
    EnqueueDone done;
  };
  void write_loop();
  Result<EnqueueAck> settle(Result<queue::EnqueueResult> result);

  queue::DurableQueue& queue_;
  const QueueIntakeSinkOptions options_;
  mutable std::mutex probe_mutex_;
  mutable std::chrono::steady_clock::time_point last_probe_{};
  mutable std::atomic<bool> healthy_{true};

  std::mutex waiting_mutex_;
  std::condition_variable work_;
  std::deque<Waiting> waiting_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace fixgate::server
