#include "guardrails/rate_limiter.h"

#include <gtest/gtest.h>

namespace fixgate::guardrails {
namespace {

using namespace std::chrono_literals;

TEST(TokenBucket, StartsFullAndRefillsContinuously) {
  FakeClock clock;
  TokenBucket bucket(3, 3 / 60.0, clock.now());
  EXPECT_TRUE(bucket.try_take(clock.now()));
  EXPECT_TRUE(bucket.try_take(clock.now()));
  EXPECT_TRUE(bucket.try_take(clock.now()));
  EXPECT_FALSE(bucket.try_take(clock.now()));
  EXPECT_EQ(bucket.wait_time(clock.now()), std::chrono::duration_cast<Duration>(20s));
  clock.advance(19s);
  EXPECT_FALSE(bucket.try_take(clock.now()));
  clock.advance(1s);
  EXPECT_TRUE(bucket.try_take(clock.now()));
}

TEST(TokenBucket, NeverExceedsCapacity) {
  FakeClock clock;
  TokenBucket bucket(2, 1.0, clock.now());
  clock.advance(1h);
  EXPECT_TRUE(bucket.try_take(clock.now()));
  EXPECT_TRUE(bucket.try_take(clock.now()));
  EXPECT_FALSE(bucket.try_take(clock.now()));
}

TEST(RateLimiter, PerAccountLimitDoesNotStarveOtherAccounts) {
  FakeClock clock;
  RateLimiter limiter({.per_account_per_minute = 2, .global_per_minute = 100}, clock);
  EXPECT_TRUE(limiter.try_acquire("111").allowed);
  EXPECT_TRUE(limiter.try_acquire("111").allowed);
  const RateDecision refused = limiter.try_acquire("111");
  EXPECT_FALSE(refused.allowed);
  EXPECT_NE(refused.reason.find("account rate limit"), std::string::npos);
  EXPECT_GT(refused.retry_after, Duration::zero());
  EXPECT_TRUE(limiter.try_acquire("222").allowed);
  clock.advance(30s);
  EXPECT_TRUE(limiter.try_acquire("111").allowed);
}

TEST(RateLimiter, GlobalLimitAppliesAcrossAccounts) {
  FakeClock clock;
  RateLimiter limiter({.per_account_per_minute = 10, .global_per_minute = 3}, clock);
  EXPECT_TRUE(limiter.try_acquire("a").allowed);
  EXPECT_TRUE(limiter.try_acquire("b").allowed);
  EXPECT_TRUE(limiter.try_acquire("c").allowed);
  const RateDecision refused = limiter.try_acquire("d");
  EXPECT_FALSE(refused.allowed);
  EXPECT_NE(refused.reason.find("global"), std::string::npos);
}

TEST(RateLimiter, RefusalByGlobalLimitCostsTheAccountNothing) {
  FakeClock clock;
  RateLimiter limiter({.per_account_per_minute = 1, .global_per_minute = 1}, clock);
  EXPECT_TRUE(limiter.try_acquire("a").allowed);
  EXPECT_FALSE(limiter.try_acquire("b").allowed);  // global empty; b's token must stay
  clock.advance(60s);
  EXPECT_TRUE(limiter.try_acquire("b").allowed);
}

}  // namespace
}  // namespace fixgate::guardrails
