#include "guardrails/guardrail_config.h"

#include <gtest/gtest.h>

namespace fixgate::guardrails {
namespace {

TEST(GuardrailConfig, AbsentSectionGivesDefaults) {
  auto config = guardrail_config_from_json(nullptr);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->rates.per_account_per_minute, GuardrailConfig{}.rates.per_account_per_minute);
  EXPECT_EQ(config->session_prefix, "fixgate-");
}

TEST(GuardrailConfig, ReadsEverySetting) {
  auto config = guardrail_config_from_json(nlohmann::json::parse(R"({
    "rate_limits": {"per_account_per_minute": 5, "global_per_minute": 50},
    "circuit_breaker": {"consecutive_failures": 2, "window_failures": 4, "window_s": 120, "cool_down_s": 30},
    "kill_switch": true, "kill_switch_file": "/tmp/KILL", "loop_window_s": 900,
    "session_prefix": "fg-", "lock_timeout_ms": 250})"));
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  EXPECT_EQ(config->rates.per_account_per_minute, 5);
  EXPECT_EQ(config->rates.global_per_minute, 50);
  EXPECT_EQ(config->breaker.consecutive_failures, 2);
  EXPECT_EQ(config->breaker.window_failures, 4);
  EXPECT_EQ(config->breaker.window, std::chrono::seconds(120));
  EXPECT_EQ(config->breaker.cool_down, std::chrono::seconds(30));
  EXPECT_TRUE(config->kill_switch);
  EXPECT_EQ(config->kill_switch_file, "/tmp/KILL");
  EXPECT_EQ(config->loop_window, std::chrono::seconds(900));
  EXPECT_EQ(config->session_prefix, "fg-");
  EXPECT_EQ(config->lock_timeout, std::chrono::milliseconds(250));
}

TEST(GuardrailConfig, ErrorsNameTheKey) {
  auto e = guardrail_config_from_json(nlohmann::json::parse(R"({"rate_limits": {"global_per_minute": 0}})"));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, "guardrails.invalid_config");
  EXPECT_NE(e.error().message.find("guardrails.rate_limits.global_per_minute"), std::string::npos);
  EXPECT_NE(guardrail_config_from_json(nlohmann::json::parse(R"({"rate_limit": {}})")).error().message.find("guardrails.rate_limit:"),
            std::string::npos);
  EXPECT_FALSE(guardrail_config_from_json(nlohmann::json::parse(R"({"kill_switch": "yes"})")).ok());
  EXPECT_FALSE(guardrail_config_from_json(nlohmann::json::parse(R"({"circuit_breaker": {"cool_down_s": "5m"}})")).ok());
  EXPECT_FALSE(guardrail_config_from_json(nlohmann::json::array()).ok());
}

}  // namespace
}  // namespace fixgate::guardrails
