// Session names, SourceIdentity and session tags from attacker-controlled ids
// always satisfy STS's rules, and stay distinct when they had to be shortened.
#include <gtest/gtest.h>

#include "broker/session_naming.h"

namespace fixgate::broker {
namespace {

TEST(SessionName, PlainCorrelationIdIsKeptAsIs) {
  EXPECT_EQ(session_name("fixgate-", "c0ffee1234"), "fixgate-c0ffee1234");
  EXPECT_TRUE(valid_session_name("fixgate-c0ffee1234"));
}

TEST(SessionName, ForbiddenCharactersAreReplacedAndHashed) {
  const std::string name = session_name("fixgate-", "a b\nc/d;\xe2\x80\xae");
  EXPECT_TRUE(valid_session_name(name)) << name;
  EXPECT_EQ(name.rfind("fixgate-a-b-c-d-", 0), 0u) << name;
  // Two ids that differ only in a replaced character do not collide.
  EXPECT_NE(session_name("fixgate-", "a b"), session_name("fixgate-", "a/b"));
}

TEST(SessionName, LongIdsAreTruncatedToSixtyFourAndStayDistinct) {
  const std::string a = session_name("fixgate-", std::string(100, 'x') + "1");
  const std::string b = session_name("fixgate-", std::string(100, 'x') + "2");
  EXPECT_EQ(a.size(), kMaxSessionName);
  EXPECT_TRUE(valid_session_name(a));
  EXPECT_NE(a, b);
}

TEST(SessionName, TooShortIsPadded) {
  EXPECT_EQ(session_name("", ""), "00");
  EXPECT_TRUE(valid_session_name(session_name("", "x")));
  EXPECT_FALSE(valid_session_name("x"));
  EXPECT_FALSE(valid_session_name(std::string(65, 'a')));
  EXPECT_FALSE(valid_session_name("a:b"));
}

TEST(TagValue, SecurityHubArnsPassUnchanged) {
  const std::string arn =
      "arn:aws:securityhub:us-east-1:111111111111:subscription/aws-foundational-security-best-practices/v/1.0.0/S3.8/"
      "finding/6d2f7b4e-0b55-4d0e-9c0a-1f9e2f3f1a11";
  EXPECT_EQ(tag_value(arn), arn);
  EXPECT_TRUE(valid_tag_value(arn));
}

TEST(TagValue, AttackerTextIsSanitisedAndBounded) {
  const std::string v = tag_value("id\n<script>\"x\";rm -rf /\x1b[31m\xc3\xa9");
  EXPECT_TRUE(valid_tag_value(v)) << v;
  EXPECT_EQ(v.find('\n'), std::string::npos);
  const std::string long_a = tag_value(std::string(300, 'a') + "1");
  const std::string long_b = tag_value(std::string(300, 'a') + "2");
  EXPECT_EQ(long_a.size(), kMaxTagValue);
  EXPECT_TRUE(valid_tag_value(long_a));
  EXPECT_NE(long_a, long_b);
  EXPECT_TRUE(valid_tag_value(tag_value("")));
}

TEST(TagKey, RulesOfSts) {
  EXPECT_TRUE(valid_tag_key("fixgate:finding-id"));
  EXPECT_FALSE(valid_tag_key(""));
  EXPECT_FALSE(valid_tag_key("aws:reserved"));
  EXPECT_FALSE(valid_tag_key(std::string(129, 'k')));
  EXPECT_FALSE(valid_tag_key("semi;colon"));
}

TEST(FindingTags, CarryFindingAndCorrelationIds) {
  const auto tags = finding_tags("wiz-issue\n42", "c0ffee");
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[0].first, "fixgate:finding-id");
  EXPECT_EQ(tags[0].second, "wiz-issue_42");
  EXPECT_EQ(tags[1], (std::pair<std::string, std::string>{"fixgate:correlation-id", "c0ffee"}));
  for (const auto& [k, v] : tags) EXPECT_TRUE(valid_tag_key(k) && valid_tag_value(v));
  EXPECT_EQ(finding_tags("", "c").size(), 1u);
}

}  // namespace
}  // namespace fixgate::broker
