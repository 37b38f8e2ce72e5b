#include "guardrails/guardrails.h"

#include <gtest/gtest.h>

namespace fixgate::guardrails {
namespace {

using namespace std::chrono_literals;

IntendedChange change(std::string account = "111111111111", std::string arn = "arn:aws:s3:::b") {
  return {account, arn, "aws.s3.block_public_access", "{}"};
}

GuardrailConfig small_config() {
  GuardrailConfig config;
  config.rates = {.per_account_per_minute = 2, .global_per_minute = 10};
  config.breaker = {.consecutive_failures = 2, .window_failures = 5, .window = 10min, .cool_down = 1min};
  config.loop_window = 30min;
  return config;
}

TEST(Guardrails, AllowsAnOrdinaryChange) {
  FakeClock clock;
  Guardrails rails(small_config(), clock);
  const GuardrailDecision d = rails.evaluate(change());
  EXPECT_EQ(d.verdict, Verdict::allow);
  EXPECT_TRUE(d.reason.empty());
}

TEST(Guardrails, KillSwitchTurnsEverythingIntoDryRunAndTakesPrecedence) {
  FakeClock clock;
  Guardrails rails(small_config(), clock);
  rails.loop_protection().record_change("arn:aws:s3:::b");
  rails.kill_switch().set_engaged(true);
  const GuardrailDecision d = rails.evaluate(change());
  EXPECT_EQ(d.verdict, Verdict::dry_run);
  EXPECT_EQ(d.guardrail, "kill_switch");
}

TEST(Guardrails, RecordedChangeDefersTheNextFindingOnTheResource) {
  FakeClock clock;
  Guardrails rails(small_config(), clock);
  ASSERT_EQ(rails.evaluate(change()).verdict, Verdict::allow);
  rails.record_outcome(change(), ChangeOutcome::changed);
  const GuardrailDecision d = rails.evaluate(change());
  EXPECT_EQ(d.verdict, Verdict::defer);
  EXPECT_EQ(d.guardrail, "loop_protection");
  clock.advance(31min);
  EXPECT_EQ(rails.evaluate(change()).verdict, Verdict::allow);
}

TEST(Guardrails, FailuresOpenTheBreakerAndDeferOnlyThatAccount) {
  FakeClock clock;
  Guardrails rails(small_config(), clock);
  rails.record_outcome(change("a"), ChangeOutcome::failed);
  rails.record_outcome(change("a"), ChangeOutcome::failed);
  const GuardrailDecision d = rails.evaluate(change("a"));
  EXPECT_EQ(d.verdict, Verdict::defer);
  EXPECT_EQ(d.guardrail, "circuit_breaker");
  EXPECT_EQ(rails.evaluate(change("b")).verdict, Verdict::allow);
}

TEST(Guardrails, RateLimitDefersAndDoesNotConsumeTheHalfOpenProbe) {
  FakeClock clock;
  GuardrailConfig config = small_config();
  config.rates.per_account_per_minute = 1;
  Guardrails rails(config, clock);
  ASSERT_EQ(rails.evaluate(change("a", "arn:1")).verdict, Verdict::allow);
  rails.record_outcome(change("a", "arn:1"), ChangeOutcome::failed);
  rails.record_outcome(change("a", "arn:1"), ChangeOutcome::failed);
  clock.advance(1min);  // breaker half-open; the bucket has refilled exactly one token
  ASSERT_EQ(rails.evaluate(change("a", "arn:2")).verdict, Verdict::allow);  // the probe
  rails.record_outcome(change("a", "arn:2"), ChangeOutcome::no_change);       // probe released
  const GuardrailDecision d = rails.evaluate(change("a", "arn:3"));
  EXPECT_EQ(d.verdict, Verdict::defer);
  EXPECT_EQ(d.guardrail, "rate_limit");
  clock.advance(1min);
  EXPECT_EQ(rails.evaluate(change("a", "arn:3")).verdict, Verdict::allow);
}

TEST(Guardrails, LockIsPerResource) {
  FakeClock clock;
  GuardrailConfig config = small_config();
  config.lock_timeout = 1ms;
  Guardrails rails(config, clock);
  auto held = rails.lock_resource("arn:1");
  ASSERT_TRUE(held.has_value());
  EXPECT_FALSE(rails.lock_resource("arn:1").has_value());
  EXPECT_TRUE(rails.lock_resource("arn:2").has_value());
}

}  // namespace
}  // namespace fixgate::guardrails
