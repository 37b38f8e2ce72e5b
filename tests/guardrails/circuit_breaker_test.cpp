#include "guardrails/circuit_breaker.h"

#include <gtest/gtest.h>

namespace fixgate::guardrails {
namespace {

using namespace std::chrono_literals;

BreakerConfig config() {
  return {.consecutive_failures = 3, .window_failures = 4, .window = 10min, .cool_down = 5min};
}

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresAndOnlyForThatAccount) {
  FakeClock clock;
  CircuitBreakers breakers(config(), clock);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(breakers.try_begin("111"));
    breakers.record_failure("111");
  }
  EXPECT_EQ(breakers.state("111"), BreakerState::open);
  EXPECT_FALSE(breakers.try_begin("111"));
  EXPECT_TRUE(breakers.try_begin("222"));
}

TEST(CircuitBreaker, SuccessResetsTheConsecutiveCount) {
  FakeClock clock;
  CircuitBreakers breakers(config(), clock);
  breakers.record_failure("a");
  breakers.record_failure("a");
  breakers.record_success("a");
  breakers.record_failure("a");
  EXPECT_EQ(breakers.state("a"), BreakerState::closed);
}

TEST(CircuitBreaker, OpensOnFailuresWithinTheWindowDespiteSuccesses) {
  FakeClock clock;
  CircuitBreakers breakers(config(), clock);
  for (int i = 0; i < 3; ++i) {
    breakers.record_failure("a");
    breakers.record_success("a");
    clock.advance(1min);
  }
  EXPECT_EQ(breakers.state("a"), BreakerState::closed);
  breakers.record_failure("a");  // fourth failure within 10 minutes
  EXPECT_EQ(breakers.state("a"), BreakerState::open);
}

TEST(CircuitBreaker, OldFailuresLeaveTheWindow) {
  FakeClock clock;
  CircuitBreakers breakers(config(), clock);
  for (int i = 0; i < 3; ++i) {
    breakers.record_failure("a");
    breakers.record_success("a");
    clock.advance(6min);
  }
  breakers.record_failure("a");
  EXPECT_EQ(breakers.state("a"), BreakerState::closed);
}

TEST(CircuitBreaker, HalfOpenLetsOneProbeThroughAndClosesOnSuccess) {
  FakeClock clock;
  CircuitBreakers breakers(config(), clock);
  for (int i = 0; i < 3; ++i) breakers.record_failure("a");
  clock.advance(4min);
  EXPECT_FALSE(breakers.try_begin("a"));
  clock.advance(1min);
  EXPECT_EQ(breakers.state("a"), BreakerState::half_open);
  EXPECT_TRUE(breakers.try_begin("a"));
  EXPECT_FALSE(breakers.try_begin("a"));  // one probe at a time
  breakers.record_success("a");
  EXPECT_EQ(breakers.state("a"), BreakerState::closed);
  EXPECT_TRUE(breakers.try_begin("a"));
  EXPECT_TRUE(breakers.try_begin("a"));
}

TEST(CircuitBreaker, FailedProbeReopensForAnotherCoolDown) {
  FakeClock clock;
  CircuitBreakers breakers(config(), clock);
  for (int i = 0; i < 3; ++i) breakers.record_failure("a");
  clock.advance(5min);
  ASSERT_TRUE(breakers.try_begin("a"));
  breakers.record_failure("a");
  EXPECT_EQ(breakers.state("a"), BreakerState::open);
  clock.advance(4min);
  EXPECT_FALSE(breakers.try_begin("a"));
  clock.advance(1min);
  EXPECT_TRUE(breakers.try_begin("a"));
}

TEST(CircuitBreaker, AbandonedProbeFreesTheSlot) {
  FakeClock clock;
  CircuitBreakers breakers(config(), clock);
  for (int i = 0; i < 3; ++i) breakers.record_failure("a");
  clock.advance(5min);
  ASSERT_TRUE(breakers.try_begin("a"));
  breakers.abandon("a");
  EXPECT_TRUE(breakers.try_begin("a"));
}

}  // namespace
}  // namespace fixgate::guardrails
