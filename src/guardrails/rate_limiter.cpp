#include "guardrails/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace fixgate::guardrails {

TokenBucket::TokenBucket(double capacity, double refill_per_second, TimePoint now)
    : capacity_(capacity), refill_per_second_(refill_per_second), tokens_(capacity), last_(now) {}

void TokenBucket::refill(TimePoint now) {
  if (now <= last_) return;
  const double seconds = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(capacity_, tokens_ + seconds * refill_per_second_);
  last_ = now;
}

bool TokenBucket::available(TimePoint now) {
  refill(now);
  return tokens_ >= 1.0;
}

bool TokenBucket::try_take(TimePoint now) {
  if (!available(now)) return false;
  tokens_ -= 1.0;
  return true;
}

Duration TokenBucket::wait_time(TimePoint now) {
  refill(now);
  if (tokens_ >= 1.0 || refill_per_second_ <= 0) return Duration::zero();
  const double seconds = (1.0 - tokens_) / refill_per_second_;
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(std::ceil(seconds * 1000) / 1000));
}

RateLimiter::RateLimiter(RateLimits limits, const Clock& clock) : limits_(limits), clock_(clock) {
  limits_.per_account_per_minute = std::max(1, limits_.per_account_per_minute);
  limits_.global_per_minute = std::max(1, limits_.global_per_minute);
  global_.emplace(limits_.global_per_minute, limits_.global_per_minute / 60.0, clock_.now());
}

TokenBucket& RateLimiter::bucket_for(const std::string& account, TimePoint now) {
  auto it = per_account_.find(account);
  if (it == per_account_.end()) {
    it = per_account_
             .emplace(account, TokenBucket(limits_.per_account_per_minute,
                                           limits_.per_account_per_minute / 60.0, now))
             .first;
  }
  return it->second;
}

RateDecision RateLimiter::try_acquire(const std::string& account) {
  std::lock_guard lock(mutex_);
  const TimePoint now = clock_.now();
  TokenBucket& mine = bucket_for(account, now);
  if (!mine.available(now)) {
    return {false, "account rate limit of " + std::to_string(limits_.per_account_per_minute) +
                       " changes/minute reached for account " + account,
            mine.wait_time(now)};
  }
  if (!global_->available(now)) {
    return {false, "global rate limit of " + std::to_string(limits_.global_per_minute) +
                       " changes/minute reached",
            global_->wait_time(now)};
  }
  mine.try_take(now);
  global_->try_take(now);
  return {true, "", Duration::zero()};
}

}  // namespace fixgate::guardrails
