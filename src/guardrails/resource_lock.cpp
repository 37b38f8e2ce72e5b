#include "guardrails/resource_lock.h"

namespace fixgate::guardrails {

ResourceLockGuard::ResourceLockGuard(ResourceLockGuard&& other) noexcept
    : owner_(other.owner_), key_(std::move(other.key_)) {
  other.owner_ = nullptr;
}

ResourceLockGuard::~ResourceLockGuard() {
  if (owner_ != nullptr) owner_->unlock(key_);
}

std::optional<ResourceLockGuard> ResourceLocks::try_lock(const std::string& key, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const bool got = released_.wait_for(lock, timeout, [&] { return held_.count(key) == 0; });
  if (!got) return std::nullopt;
  held_.insert(key);
  return ResourceLockGuard(this, key);
}

bool ResourceLocks::is_locked(const std::string& key) {
  std::lock_guard lock(mutex_);
  return held_.count(key) != 0;
}

void ResourceLocks::unlock(const std::string& key) {
  {
    std::lock_guard lock(mutex_);
    held_.erase(key);
  }
  released_.notify_all();
}

}  // namespace fixgate::guardrails
