// In-memory IntakeSink for tests and benchmarks: dedupes by key like the
// durable queue, can be made unhealthy or failing, and can hold each enqueue
// for a while to exercise in-flight requests.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/intake_sink.h"

namespace fixgate::server::testing {

class FakeSink final : public IntakeSink {
 public:
  struct Item {
    std::string key;
    std::string payload;
    IntakeMeta meta;
  };

  Result<EnqueueAck> enqueue(std::string key, std::string payload, IntakeMeta meta) override {
    calls_.fetch_add(1);
    if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
    if (failing_.load()) return make_error("queue.sqlite", "disk I/O error at /var/lib/fixgate/queue.db");
    std::lock_guard lock(mutex_);
    if (auto it = ids_.find(key); it != ids_.end()) return EnqueueAck{it->second, true};
    const std::string id = std::to_string(items_.size() + 1);
    ids_[key] = id;
    items_.push_back(Item{std::move(key), std::move(payload), std::move(meta)});
    return EnqueueAck{id, false};
  }
  bool healthy() const override { return healthy_.load(); }

  size_t stored() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }
  size_t calls() const { return calls_.load(); }
  std::vector<Item> items() const {
    std::lock_guard lock(mutex_);
    return items_;
  }
  void set_healthy(bool healthy) { healthy_.store(healthy); }
  void set_failing(bool failing) { failing_.store(failing); }
  void set_delay(std::chrono::milliseconds delay) { delay_ = delay; }  // set before serving

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::string> ids_;
  std::vector<Item> items_;
  std::atomic<size_t> calls_{0};
  std::atomic<bool> healthy_{true};
  std::atomic<bool> failing_{false};
  std::chrono::milliseconds delay_{0};
};

}  // namespace fixgate::server::testing
