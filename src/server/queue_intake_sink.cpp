#include "server/queue_intake_sink.h"

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

}  // namespace

QueueIntakeSink::QueueIntakeSink(queue::DurableQueue& queue, std::chrono::milliseconds probe_interval)
    : queue_(queue), probe_interval_(probe_interval) {}

Result<EnqueueAck> QueueIntakeSink::enqueue(std::string idempotency_key, std::string payload, IntakeMeta meta) {
  queue::SourceMetadata source;
  source.source = meta.source;
  source.attributes["request_id"] = meta.request_id;
  source.attributes["remote"] = meta.remote_addr;
  source.attributes["content_type"] = meta.content_type;
  source.attributes["received_at"] = rfc3339(meta.received_at);
  if (!meta.sns_topic_arn.empty()) source.attributes["sns_topic_arn"] = meta.sns_topic_arn;
  if (!meta.sns_message_id.empty()) source.attributes["sns_message_id"] = meta.sns_message_id;
  auto result = queue_.enqueue(idempotency_key, payload, source);
  if (!result) {
    // A payload the queue rejects as invalid says nothing about its health.
    if (result.error().code != "queue.invalid") healthy_.store(false);
    return result.error();
  }
  healthy_.store(true);
  return EnqueueAck{std::to_string(result->id), result->duplicate};
}

bool QueueIntakeSink::healthy() const {
  std::unique_lock lock(probe_mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return healthy_.load();  // a probe is running; use the latest answer
  const auto now = std::chrono::steady_clock::now();
  if (last_probe_ == std::chrono::steady_clock::time_point{} || now - last_probe_ >= probe_interval_) {
    last_probe_ = now;
    healthy_.store(queue_.counts().ok());
  }
  return healthy_.load();
}

}  // namespace fixgate::server
