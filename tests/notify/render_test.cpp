#include "notify/render.h"

#include <gtest/gtest.h>

#include "aws/crypto.h"
#include "fixtures.h"
#include "notify/message.h"
#include "notify/router.h"
#include "schemas.h"

namespace fixgate::notify {
namespace {

using nlohmann::json;
using namespace fixgate::notify::testing;

const char* kHostile = "<!channel> & <https://evil.example|click to fix> {noformat} *now*\n\x1b[31m";

json plan_report(const std::string& bucket) {
  return {{"status", "dry_run"},
          {"reason", "dry run: plan recorded"},
          {"plan", json::array({{{"service", "s3"},
                                 {"operation", "PutPublicAccessBlock"},
                                 {"params", {{"Bucket", bucket}, {"BlockPublicAcls", true}}}}})}};
}

class RenderTest : public ::testing::Test {
 protected:
  Config config = reference_config_with("");
  json message_for(const std::string& file, const std::string& title = {}, json report = nullptr) {
    Decided d = decide_example(file, config);
    if (!title.empty()) d.finding.title = title;
    return build_message({d.finding, d.decision, {}, std::move(report)});
  }
};

TEST_F(RenderTest, MessageCarriesFindingDecisionOwnersAndPlan) {
  const json m = message_for("wiz-s3-public-bucket-production.json", "", plan_report("acme-public-reports"));
  EXPECT_TRUE(notification_problems(m).empty()) << notification_problems(m).front();
  EXPECT_EQ(m["outcome"], "remediate");
  EXPECT_EQ(m["finding"]["account"], "111111111111");
  EXPECT_EQ(m["finding"]["severity"], "CRITICAL");
  EXPECT_FALSE(m["owners"].empty());
  EXPECT_EQ(m["owners"][0]["owner"], m["owner"]);
  EXPECT_EQ(m["plan"][0]["operation"], "PutPublicAccessBlock");
  EXPECT_EQ(m["action_result"]["status"], "dry_run");
}

TEST_F(RenderTest, MessageForUnownedFindingHasNoOwnersAndNoPlan) {
  const json m = message_for("wiz-s3-public-no-owner.json");
  EXPECT_TRUE(notification_problems(m).empty());
  EXPECT_EQ(m["outcome"], "notify");
  EXPECT_EQ(m["reason"]["code"], "owner_missing");
  EXPECT_TRUE(m["owners"].empty());
  EXPECT_FALSE(m.contains("plan"));
}

TEST_F(RenderTest, SlackPayloadFollowsBlockKitAndEscapesHostileText) {
  const json m = message_for("wiz-s3-public-no-owner.json", kHostile, plan_report("b<&>"));
  const json p = slack_payload(m);
  const Problems problems = slack_problems(p);
  EXPECT_TRUE(problems.empty()) << problems.front();
  const std::string body = dump(p);
  EXPECT_EQ(body.find("<!channel>"), std::string::npos);
  EXPECT_NE(body.find("&lt;!channel&gt; &amp; &lt;https://evil.example|click to fix&gt;"), std::string::npos) << body;
  EXPECT_NE(body.find("PutPublicAccessBlock"), std::string::npos);
  EXPECT_NE(body.find("b&lt;&amp;&gt;"), std::string::npos);
}

TEST_F(RenderTest, SlackTextsStayWithinLimitsForHugeTitles) {
  const json m = message_for("wiz-s3-public-no-owner.json", std::string(5000, '&'));
  const Problems problems = slack_problems(slack_payload(m));
  EXPECT_TRUE(problems.empty()) << problems.front();
}

TEST_F(RenderTest, JiraV3IssueIsAdfAndV2IsWikiTextWithNoformatNeutralised) {
  Channel jira;
  jira.name = "sec-jira";
  jira.type = ChannelType::jira;
  jira.project = "SEC";
  jira.labels = {"cloud"};
  const json m = message_for("wiz-sg-ssh-open-production.json", std::string(300, 'x') + kHostile,
                             plan_report("sg-0123"));
  jira.api_version = 3;
  const json v3 = jira_issue(jira, m);
  Problems problems = jira_problems(v3, 3);
  EXPECT_TRUE(problems.empty()) << problems.front();
  EXPECT_EQ(v3["fields"]["project"]["key"], "SEC");
  EXPECT_EQ(v3["fields"]["issuetype"]["name"], "Task");
  EXPECT_EQ(char_count(v3["fields"]["summary"]), 255u);
  EXPECT_EQ(v3["fields"]["labels"], json({"fixgate", "fixgate-approval_required", "cloud"}));
  jira.api_version = 2;
  const json v2 = jira_issue(jira, m);
  problems = jira_problems(v2, 2);
  EXPECT_TRUE(problems.empty()) << problems.front();
  const std::string description = v2["fields"]["description"];
  // Every {noformat} left is one of ours: open/close pairs, nothing from the title.
  size_t tags = 0;
  for (size_t at = description.find("{noformat}"); at != std::string::npos; at = description.find("{noformat}", at + 1)) ++tags;
  EXPECT_EQ(tags, 4u) << description;
  EXPECT_NE(description.find("{ noformat}"), std::string::npos);
}

TEST_F(RenderTest, JiraAuthorizationIsBasicOrBearerFromTheEnvironment) {
  Channel jira;
  jira.name = "j";
  jira.type = ChannelType::jira;
  jira.url = "https://acme.atlassian.net";
  jira.project = "SEC";
  jira.email_env = "JIRA_EMAIL";
  jira.token_env = "JIRA_TOKEN";
  const json m = message_for("wiz-s3-public-no-owner.json");
  RenderContext ctx{[](std::string_view name) -> std::optional<std::string> {
                      if (name == "JIRA_EMAIL") return "bot@acme.example";
                      if (name == "JIRA_TOKEN") return "tok3n";
                      return std::nullopt;
                    },
                    test_now(), "ntf-1"};
  auto d = render(jira, m, ctx);
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->url, "https://acme.atlassian.net/rest/api/3/issue");
  EXPECT_EQ(d->headers.front().second, "Basic " + aws::base64_encode("bot@acme.example:tok3n"));
  jira.token_env = "JIRA_MISSING";
  auto missing = render(jira, m, ctx);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "notify.secret_missing");
  EXPECT_NE(missing.error().message.find("JIRA_MISSING"), std::string::npos);
}

TEST_F(RenderTest, PagerDutyEventUsesAllowedSeveritiesAndStableDedupKey) {
  for (const char* file : {"wiz-s3-public-bucket-production.json", "wiz-s3-public-no-owner.json",
                           "wiz-s3-unencrypted-low-severity.json", "wiz-malformed-missing-issue-id.json"}) {
    const json m = message_for(file, std::string(2000, 'y'));
    const json e = pagerduty_event("R0UTINGKEY0000000000000000000000", m);
    const Problems problems = pagerduty_problems(e);
    EXPECT_TRUE(problems.empty()) << file << ": " << problems.front();
    EXPECT_EQ(e["dedup_key"], m["correlation_id"].get<std::string>() + ":" + m["outcome"].get<std::string>());
    EXPECT_EQ(e["payload"]["custom_details"], m);
  }
  EXPECT_STREQ(pagerduty_severity("CRITICAL"), "critical");
  EXPECT_STREQ(pagerduty_severity("HIGH"), "error");
  EXPECT_STREQ(pagerduty_severity("MEDIUM"), "warning");
  EXPECT_STREQ(pagerduty_severity("LOW"), "info");
  EXPECT_STREQ(pagerduty_severity("UNKNOWN"), "info");
}

TEST_F(RenderTest, WebhookIsSignedOverTimestampAndBody) {
  Channel hook;
  hook.name = "soar";
  hook.type = ChannelType::webhook;
  hook.url = "https://soar.example/hook";
  hook.headers = {{"X-Team", "sec"}};
  hook.secret_env = "SOAR_SECRET";
  const json m = message_for("wiz-s3-public-no-owner.json");
  RenderContext ctx{[](std::string_view) -> std::optional<std::string> { return "s3cr3t"; }, test_now(), "ntf-abc"};
  auto d = render(hook, m, ctx);
  ASSERT_TRUE(d.ok());
  auto header = [&](const std::string& name) {
    for (const auto& [k, v] : d->headers) {
      if (k == name) return v;
    }
    return std::string();
  };
  const std::string ts = header("X-Fixgate-Timestamp");
  EXPECT_EQ(ts, "1795608000");  // 2026-11-25T12:00:00Z
  EXPECT_EQ(header("X-Fixgate-Signature"), "sha256=" + aws::hex_encode(aws::hmac_sha256("s3cr3t", ts + "." + d->body)));
  EXPECT_EQ(header("X-Fixgate-Delivery"), "ntf-abc");
  EXPECT_EQ(header("X-Team"), "sec");
  EXPECT_EQ(json::parse(d->body), m);
  EXPECT_EQ(d->body.find("s3cr3t"), std::string::npos);
}

TEST_F(RenderTest, SnsPublishHasAsciiSubjectWithinOneHundredChars) {
  const json m = message_for("wiz-s3-public-no-owner.json", "Bücket «öffentlich»\n" + std::string(200, 'z'));
  const std::string subject = sns_subject(m);
  EXPECT_LE(subject.size(), 100u);
  for (unsigned char c : subject) EXPECT_TRUE(c >= 0x20 && c <= 0x7e) << subject;
  EXPECT_EQ(subject.rfind("fixgate [HIGH] notify: B?cket ?", 0), 0u) << subject;
  Channel topic;
  topic.name = "t";
  topic.type = ChannelType::sns;
  topic.topic_arn = "arn:aws:sns:us-east-1:123456789012:sec";
  auto d = render(topic, m, RenderContext{});
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(d->sns.has_value());
  EXPECT_EQ(d->sns->name, "Publish");
  EXPECT_EQ(d->sns->service.api_version, "2010-03-31");
  EXPECT_EQ(d->sns->params[0], (std::pair<std::string, std::string>{"TopicArn", topic.topic_arn}));
  EXPECT_EQ(json::parse(d->sns->params[1].second), m);
  EXPECT_EQ(d->sns->params[2].first, "Subject");
}

TEST_F(RenderTest, SnsRefusesMessagesOverTheLimit) {
  Channel topic;
  topic.name = "t";
  topic.type = ChannelType::sns;
  topic.topic_arn = "arn:aws:sns:us-east-1:123456789012:sec";
  const json m = message_for("wiz-s3-public-no-owner.json", std::string(300000, 'q'));
  auto d = render(topic, m, RenderContext{});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, "notify.render");
}

TEST(TruncateChars, NeverSplitsAUtf8Sequence) {
  EXPECT_EQ(truncate_chars("héllo", 10), "héllo");
  EXPECT_EQ(truncate_chars("héllo", 5), "héllo");
  EXPECT_EQ(truncate_chars("héllo", 3), "hé…");
  EXPECT_EQ(truncate_chars("ééé", 2), "é…");
  EXPECT_EQ(truncate_chars("abc", 0), "");
}

}  // namespace
}  // namespace fixgate::notify
