#include "aws/retry.h"

#include <algorithm>
#include <cmath>

namespace fixgate::aws {

bool RetryQuota::try_acquire(int cost) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (available_ < cost) return false;
  available_ -= cost;
  return true;
}

void RetryQuota::release(int amount) {
  std::lock_guard<std::mutex> lock(mutex_);
  available_ = std::min(capacity_, available_ + amount);
}

int RetryQuota::available() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return available_;
}

bool is_retryable(const AwsError& error) {
  return error.timeout || error.kind == ErrorKind::throttling || error.kind == ErrorKind::transient;
}

std::chrono::milliseconds backoff_delay(const RetryConfig& config, int retries_so_far, double random01) {
  const double r = std::clamp(random01, 0.0, 1.0);
  const double exp = std::ldexp(1.0, std::clamp(retries_so_far, 0, 30));
  const double ms = std::min(static_cast<double>(config.max_backoff.count()),
                             r * exp * static_cast<double>(config.base_delay.count()));
  return std::chrono::milliseconds(static_cast<long long>(ms));
}

}  // namespace fixgate::aws
