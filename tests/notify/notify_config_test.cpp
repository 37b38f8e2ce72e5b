#include "notify/notify_config.h"

#include <gtest/gtest.h>

#include "fixtures.h"

namespace fixgate::notify {
namespace {

using nlohmann::json;
using testing::reference_config_with;

const char* kSection = R"yaml(
notifications:
  delivery: {max_attempts: 4, initial_backoff_ms: 1000, max_backoff_ms: 8000}
  channels:
    security-slack: {type: slack, url_env: SLACK_SECURITY_WEBHOOK}
    web-slack: {type: slack, url_env: SLACK_TEAM_WEB}
    sec-jira:
      type: jira
      base_url: "https://acme.atlassian.net/"
      project: SEC
      api_version: 2
      labels: [cloud]
      auth: {email_env: JIRA_EMAIL, token_env: JIRA_API_TOKEN}
    oncall: {type: pagerduty, routing_key_env: PD_ROUTING_KEY}
    soar: {type: webhook, url: "https://soar.example/hook?src=fixgate", headers: {X-Team: sec}, secret_env: SOAR_SECRET}
    sec-topic: {type: sns, topic_arn: "arn:aws:sns:eu-west-1:123456789012:security-findings"}
  owner_channels: {Team-Web: web-slack}
  default_owner_channel: security-slack
  routes:
    - outcomes: [notify, reject]
      channels: ["@owner", sec-jira]
    - outcomes: [approval_required]
      environments: [restricted-production]
      min_severity: HIGH
      channels: [oncall, soar, sec-topic]
)yaml";

TEST(NotifyConfig, ReadsEveryChannelTypeFromTheConfigExtraSection) {
  auto parsed = load_notify_config(reference_config_with(kSection));
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  const NotifyConfig& c = *parsed;
  EXPECT_TRUE(c.enabled);
  EXPECT_EQ(c.delivery.max_attempts, 4);
  EXPECT_EQ(c.delivery.initial_backoff, std::chrono::milliseconds(1000));
  ASSERT_EQ(c.channels.size(), 6u);
  EXPECT_EQ(c.channels.at("security-slack").type, ChannelType::slack);
  EXPECT_EQ(c.channels.at("security-slack").url_env, "SLACK_SECURITY_WEBHOOK");
  const Channel& jira = c.channels.at("sec-jira");
  EXPECT_EQ(jira.url, "https://acme.atlassian.net");  // trailing slash dropped
  EXPECT_EQ(jira.api_version, 2);
  EXPECT_EQ(jira.issue_type, "Task");
  EXPECT_EQ(jira.email_env, "JIRA_EMAIL");
  EXPECT_EQ(c.channels.at("oncall").url, "https://events.pagerduty.com/v2/enqueue");
  EXPECT_EQ(c.channels.at("soar").headers.at("X-Team"), "sec");
  EXPECT_EQ(c.channels.at("sec-topic").sns_region, "eu-west-1");
  EXPECT_EQ(c.owner_channels.at("team-web"), "web-slack");  // owners compare case-insensitively
  ASSERT_EQ(c.routes.size(), 2u);
  EXPECT_EQ(c.routes[0].outcomes, (std::vector<Outcome>{Outcome::notify, Outcome::reject}));
  EXPECT_EQ(c.routes[1].min_severity, Severity::high);
}

TEST(NotifyConfig, AbsentSectionIsDisabledNotAnError) {
  auto parsed = load_notify_config(reference_config_with(""));
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->enabled);
  EXPECT_TRUE(parsed->routes.empty());
}

TEST(NotifyConfig, ReportsEveryProblemWithItsKeyPath) {
  const json section = json::parse(R"({
    "channels": {
      "a": {"type": "slack", "url": "https://hooks.slack.com/services/T0/B0/secret"},
      "b": {"type": "teams"},
      "c": {"type": "jira", "base_url": "ftp://x", "project": "SEC", "auth": {"email_env": "E"}},
      "d": {"type": "pagerduty", "routing_key_env": "not a name"},
      "e": {"type": "sns", "topic_arn": "arn:aws:sqs:us-east-1:123456789012:q"},
      "f": {"type": "webhook", "url": "https://x", "headers": {"Bad Header": "v"}, "colour": "red"}
    },
    "routes": [{"outcomes": ["notify", "maybe"], "min_severity": "HGIH", "channels": ["nope"]}]
  })");
  auto parsed = parse_notify_config(section, "fixgate.yaml:120:1");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, "notify.config");
  const std::string& m = parsed.error().message;
  EXPECT_NE(m.find("(fixgate.yaml:120:1)"), std::string::npos) << m;
  for (const char* expected : {
           "notifications.channels.a.url: is a secret; name an environment variable with url_env",
           "notifications.channels.a.url_env: required",
           "notifications.channels.b.type: unknown channel type \"teams\"",
           "notifications.channels.c.base_url: must be an http(s) URL",
           "notifications.channels.c.auth: give either email_env and token_env, or bearer_env",
           "notifications.channels.d.routing_key_env: must name an environment variable",
           "notifications.channels.e.topic_arn: must be an SNS topic ARN",
           "notifications.channels.f.colour: unknown key",
           "notifications.channels.f.headers.Bad Header: is not a valid HTTP header name",
           "notifications.routes[0].outcomes: unknown outcome \"maybe\"",
           "notifications.routes[0].min_severity: unknown severity \"HGIH\"",
           "notifications.routes[0].channels: unknown channel \"nope\"",
       }) {
    EXPECT_NE(m.find(expected), std::string::npos) << "missing: " << expected << "\nin:\n" << m;
  }
  // The secret written literally is never echoed back.
  EXPECT_EQ(m.find("B0/secret"), std::string::npos);
}

TEST(NotifyConfig, RoutesAndChannelsAreRequired) {
  auto parsed = parse_notify_config(json::object());
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("notifications.channels: required"), std::string::npos);
  EXPECT_NE(parsed.error().message.find("notifications.routes: required"), std::string::npos);
}

TEST(NotifyConfig, DeliveryBoundsAreChecked) {
  auto parsed = parse_notify_config(json::parse(R"({"channels": {}, "routes": [],
      "delivery": {"max_attempts": 0, "initial_backoff_ms": 5000, "max_backoff_ms": 10}})"));
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("notifications.delivery.max_attempts: must be an integer in 1..100"),
            std::string::npos);
  EXPECT_NE(parsed.error().message.find("notifications.delivery.max_backoff_ms: must be at least initial_backoff_ms"),
            std::string::npos);
}

}  // namespace
}  // namespace fixgate::notify
