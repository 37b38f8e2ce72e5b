// The AWS SDKs' "standard" retry mode.
//
// At most max_attempts attempts (3). Only throttling, transient (5xx, timeouts,
// connection failures) errors are retried; each retry first takes tokens from a
// shared quota (5, or 10 after a timeout; 500 to start), so a failing service gets
// fewer retries rather than more load. A success returns the tokens its retry took,
// or 1 token when it needed no retry. Delays use exponential backoff with full
// jitter: random(0,1) × base × 2^retries, capped at 20 s.
#pragma once

#include <chrono>
#include <mutex>

#include "aws/errors.h"

namespace fixgate::aws {

struct RetryConfig {
  int max_attempts = 3;
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds max_backoff{20000};
  int initial_quota = 500;
  int retry_cost = 5;
  int timeout_retry_cost = 10;
  int no_retry_increment = 1;
};

// Shared token bucket of retry capacity. Thread-safe.
class RetryQuota {
 public:
  explicit RetryQuota(int capacity) : capacity_(capacity), available_(capacity) {}
  // Takes `cost` tokens; false (and nothing taken) when fewer are left.
  bool try_acquire(int cost);
  // Returns tokens, never above the capacity.
  void release(int amount);
  int available() const;

 private:
  const int capacity_;
  mutable std::mutex mutex_;
  int available_;
};

// Throttling and transient errors (incl. timeouts and connection failures).
bool is_retryable(const AwsError& error);

// Delay before retry number `retries_so_far + 1`; random01 in [0, 1).
std::chrono::milliseconds backoff_delay(const RetryConfig& config, int retries_so_far, double random01);

}  // namespace fixgate::aws
