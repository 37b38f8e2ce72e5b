// Per-resource locks: two findings never change one resource at the same time.
//
// Locks are keyed by the resource's ARN (Finding::resource_key()). try_lock waits
// up to `timeout` for the holder to finish and returns a guard that releases the
// lock when destroyed, or nullopt when the wait timed out (the caller defers the
// work). Locks are process-local; the distributed deployment keys the same ARNs
// in its shared store. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace fixgate::guardrails {

class ResourceLocks;

class ResourceLockGuard {
 public:
  ResourceLockGuard(ResourceLockGuard&& other) noexcept;
  ResourceLockGuard& operator=(ResourceLockGuard&&) = delete;
  ResourceLockGuard(const ResourceLockGuard&) = delete;
  ~ResourceLockGuard();
  const std::string& key() const { return key_; }

 private:
  friend class ResourceLocks;
  ResourceLockGuard(ResourceLocks* owner, std::string key) : owner_(owner), key_(std::move(key)) {}
  ResourceLocks* owner_;
  std::string key_;
};

class ResourceLocks {
 public:
  std::optional<ResourceLockGuard> try_lock(const std::string& key, std::chrono::milliseconds timeout);
  bool is_locked(const std::string& key);

 private:
  friend class ResourceLockGuard;
  void unlock(const std::string& key);
  std::mutex mutex_;
  std::condition_variable released_;
  std::set<std::string> held_;
};

}  // namespace fixgate::guardrails
