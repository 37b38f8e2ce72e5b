#include "worker/heartbeat.h"

#include <vector>

namespace fixgate::worker {

VisibilityHeartbeat::VisibilityHeartbeat(sqs::SqsQueue& queue, int visibility_s, std::chrono::milliseconds interval,
                                         logging::Logger logger)
    : queue_(queue), visibility_s_(visibility_s), interval_(interval), logger_(std::move(logger)) {
  thread_ = std::thread([this] { loop(); });
}

VisibilityHeartbeat::~VisibilityHeartbeat() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::uint64_t VisibilityHeartbeat::track(const std::string& receipt_handle, const std::string& message_id) {
  std::lock_guard lock(mutex_);
  const std::uint64_t token = next_token_++;
  tracked_[token] = Tracked{receipt_handle, message_id};
  return token;
}

void VisibilityHeartbeat::untrack(std::uint64_t token) {
  std::lock_guard lock(mutex_);
  tracked_.erase(token);
}

std::uint64_t VisibilityHeartbeat::extensions() const {
  std::lock_guard lock(mutex_);
  return extensions_;
}

void VisibilityHeartbeat::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    if (stopping_) break;
    std::vector<std::pair<std::uint64_t, Tracked>> due(tracked_.begin(), tracked_.end());
    lock.unlock();
    std::uint64_t extended = 0;
    for (const auto& [token, item] : due) {
      auto changed = queue_.change_visibility(item.receipt_handle, visibility_s_);
      if (changed.ok()) {
        ++extended;
        continue;
      }
      // A message finished (and deleted) while this tick ran is no failure.
      bool still_tracked = false;
      {
        std::lock_guard check(mutex_);
        still_tracked = tracked_.count(token) > 0;
      }
      if (still_tracked) {
        logger_.warn("could not extend a message's visibility; retrying at the next tick",
                     {{"message_id", item.message_id}, {"visibility_s", visibility_s_},
                      {"error_code", changed.error().code}, {"error", changed.error().message}});
      }
    }
    lock.lock();
    extensions_ += extended;
  }
}

}  // namespace fixgate::worker
