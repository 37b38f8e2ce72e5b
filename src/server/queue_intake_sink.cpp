#include "server/queue_intake_sink.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace fixgate::server {

namespace {

std::string rfc3339(std::chrono::system_clock::time_point at) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[64];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

queue::SourceMetadata source_for(const IntakeMeta& meta) {
  queue::SourceMetadata source;
  source.source = meta.source;
  source.attributes["request_id"] = meta.request_id;
  source.attributes["remote"] = meta.remote_addr;
  source.attributes["content_type"] = meta.content_type;
  source.attributes["received_at"] = rfc3339(meta.received_at);
  if (!meta.sns_topic_arn.empty()) source.attributes["sns_topic_arn"] = meta.sns_topic_arn;
  if (!meta.sns_message_id.empty()) source.attributes["sns_message_id"] = meta.sns_message_id;
  return source;
}

}  // namespace

QueueIntakeSink::QueueIntakeSink(queue::DurableQueue& queue, QueueIntakeSinkOptions options)
    : queue_(queue), options_(options) {
  writer_ = std::thread([this] { write_loop(); });
}

QueueIntakeSink::~QueueIntakeSink() {
  {
    std::lock_guard lock(waiting_mutex_);
    stopping_ = true;
  }
  work_.notify_one();
  writer_.join();
}

Result<EnqueueAck> QueueIntakeSink::settle(Result<queue::EnqueueResult> result) {
  if (!result) {
    // A payload the queue rejects as invalid says nothing about its health.
    if (result.error().code != "queue.invalid") healthy_.store(false);
    return result.error();
  }
  healthy_.store(true);
  return EnqueueAck{std::to_string(result->id), result->duplicate};
}

Result<EnqueueAck> QueueIntakeSink::enqueue(std::string idempotency_key, std::string payload, IntakeMeta meta) {
  return settle(queue_.enqueue(idempotency_key, payload, source_for(meta)));
}

void QueueIntakeSink::enqueue_async(std::string idempotency_key, std::string payload, IntakeMeta meta,
                                    EnqueueDone done) {
  queue::EnqueueRequest request{std::move(idempotency_key), std::move(payload), source_for(meta)};
  {
    std::lock_guard lock(waiting_mutex_);
    if (!stopping_ && waiting_.size() < options_.max_waiting) {
      waiting_.push_back(Waiting{std::move(request), std::move(done)});
      // Only the first arrival wakes the writer; later ones join the batch it
      // will take (it re-checks before sleeping).
      if (waiting_.size() == 1) work_.notify_one();
      return;
    }
  }
  done(make_error("queue.overloaded", "more than " + std::to_string(options_.max_waiting) +
                                          " findings are waiting for the disk; retry later"));
}

void QueueIntakeSink::write_loop() {
  std::vector<queue::EnqueueRequest> requests;
  std::vector<EnqueueDone> callbacks;
  for (;;) {
    {
      std::unique_lock lock(waiting_mutex_);
      work_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
      if (waiting_.empty()) return;  // stopping, and everything was answered
      const size_t take = std::min(waiting_.size(), options_.max_batch);
      requests.clear();
      callbacks.clear();
      for (size_t i = 0; i < take; ++i) {
        requests.push_back(std::move(waiting_.front().request));
        callbacks.push_back(std::move(waiting_.front().done));
        waiting_.pop_front();
      }
    }
    auto results = queue_.enqueue_batch(requests);
    for (size_t i = 0; i < callbacks.size(); ++i) callbacks[i](settle(std::move(results[i])));
    // A callback may own its caller's connection: let it go now, not at the next batch.
    callbacks.clear();
  }
}

bool QueueIntakeSink::healthy() const {
  std::unique_lock lock(probe_mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return healthy_.load();  // a probe is running; use the latest answer
  const auto now = std::chrono::steady_clock::now();
  if (last_probe_ == std::chrono::steady_clock::time_point{} || now - last_probe_ >= options_.probe_interval) {
    last_probe_ = now;
    healthy_.store(queue_.counts().ok());
  }
  return healthy_.load();
}

}  // namespace fixgate::server
