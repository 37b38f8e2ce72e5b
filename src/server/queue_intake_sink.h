// Adapts the durable SQLite queue (queue/durable_queue.h) to the intake's
// IntakeSink, so `fixgate serve` acknowledges a finding only after the queue
// committed it to disk.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>

#include "queue/durable_queue.h"
#include "server/intake_sink.h"

namespace fixgate::server {

class QueueIntakeSink final : public IntakeSink {
 public:
  // `queue` must outlive the sink. Health is re-probed (DurableQueue::counts())
  // at most once per `probe_interval`; between probes the outcome of the latest
  // enqueue decides.
  explicit QueueIntakeSink(queue::DurableQueue& queue,
                           std::chrono::milliseconds probe_interval = std::chrono::seconds(5));

  // Queues under `idempotency_key` with SourceMetadata{meta.source, attributes:
  // request_id, remote, content_type, received_at (RFC 3339 UTC) and, for SNS,
  // sns_topic_arn and sns_message_id}. EnqueueAck::id is the queue's numeric id
  // in decimal. Errors are the queue's ("queue.sqlite", "queue.invalid").
  Result<EnqueueAck> enqueue(std::string idempotency_key, std::string payload, IntakeMeta meta) override;

  bool healthy() const override;

 private:
  queue::DurableQueue& queue_;
  const std::chrono::milliseconds probe_interval_;
  mutable std::mutex probe_mutex_;
  mutable std::chrono::steady_clock::time_point last_probe_{};
  mutable std::atomic<bool> healthy_{true};
};

}  // namespace fixgate::server
