#include "guardrails/loop_protection.h"

#include <gtest/gtest.h>

namespace fixgate::guardrails {
namespace {

using namespace std::chrono_literals;

TEST(LoopProtection, RecentChangeHoldsOffUntilTheWindowPasses) {
  FakeClock clock;
  LoopProtection loop(1h, "fixgate-", clock);
  const std::string arn = "arn:aws:s3:::bucket";
  EXPECT_FALSE(loop.check(arn, "{}").has_value());
  loop.record_change(arn);
  clock.advance(59min);
  ASSERT_TRUE(loop.check(arn, "{}").has_value());
  EXPECT_FALSE(loop.check("arn:aws:s3:::other", "{}").has_value());
  clock.advance(2min);
  EXPECT_FALSE(loop.check(arn, "{}").has_value());
}

TEST(LoopProtection, RecognisesFixgateSessionInEvidence) {
  FakeClock clock;
  LoopProtection loop(1h, "fixgate-", clock);
  const std::string cloudtrail =
      R"({"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111111111111:assumed-role/fixgate-remediation/fixgate-0d1c2b"}})";
  EXPECT_TRUE(loop.check("arn:x", cloudtrail).has_value());
  EXPECT_TRUE(loop.check("arn:x", R"({"sourceIdentity" : "fixgate-corr-1"})").has_value());
}

TEST(LoopProtection, OtherSessionsAndNamesThatMerelyContainThePrefixDoNotCount) {
  EXPECT_FALSE(LoopProtection::evidence_names_session(
      R"({"arn":"arn:aws:sts::1:assumed-role/fixgate-remediation/alice"})", "fixgate-"));
  EXPECT_FALSE(LoopProtection::evidence_names_session(R"({"bucket":"fixgate-logs"})", "fixgate-"));
  EXPECT_FALSE(LoopProtection::evidence_names_session(R"({"sourceIdentity":"alice"})", "fixgate-"));
  EXPECT_FALSE(LoopProtection::evidence_names_session("assumed-role/x/fixgate-1", ""));
}

}  // namespace
}  // namespace fixgate::guardrails
