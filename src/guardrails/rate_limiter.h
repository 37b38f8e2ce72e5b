// Change rate limits: a token bucket per account and one for everything.
//
// Each bucket holds up to `per_minute` tokens and refills continuously at
// per_minute/60 tokens a second. A change is allowed only when BOTH the account's
// bucket and the global bucket hold a token; then one token is taken from each
// (never from just one, so a refused change costs nothing). Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "guardrails/clock.h"

namespace fixgate::guardrails {

class TokenBucket {
 public:
  // capacity > 0; the bucket starts full.
  TokenBucket(double capacity, double refill_per_second, TimePoint now);

  // True (and one token taken) when a token is available at `now`.
  bool try_take(TimePoint now);
  // True when a token would be available at `now`; takes nothing.
  bool available(TimePoint now);
  // How long until one token is available (zero when one is now).
  Duration wait_time(TimePoint now);

 private:
  void refill(TimePoint now);
  double capacity_;
  double refill_per_second_;
  double tokens_;
  TimePoint last_;
};

struct RateLimits {
  int per_account_per_minute = 10;
  int global_per_minute = 60;
};

struct RateDecision {
  bool allowed = false;
  std::string reason;      // empty when allowed; names which limit refused
  Duration retry_after{};  // a hint for the deferred work
};

class RateLimiter {
 public:
  RateLimiter(RateLimits limits, const Clock& clock);

  // Takes one token for `account` and one global token, or neither.
  RateDecision try_acquire(const std::string& account);

 private:
  TokenBucket& bucket_for(const std::string& account, TimePoint now);
  RateLimits limits_;
  const Clock& clock_;
  std::mutex mutex_;
  std::optional<TokenBucket> global_;
  std::map<std::string, TokenBucket> per_account_;
};

}  // namespace fixgate::guardrails
