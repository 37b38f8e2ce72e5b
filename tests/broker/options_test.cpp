// The `broker:` configuration section: defaults, every key, and errors naming the key.
#include <gtest/gtest.h>

#include "broker/broker_options.h"

namespace fixgate::broker {
namespace {

using nlohmann::json;

TEST(BrokerOptions, DefaultsWhenTheSectionIsAbsent) {
  Config config;
  auto options = broker_options_from_config(config);
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->scope, SessionScope::finding);
  EXPECT_EQ(options->refresh_skew, std::chrono::seconds(300));
  EXPECT_EQ(options->session_prefix, "fixgate-");
  EXPECT_EQ(options->max_cached_sessions, 10000u);
}

TEST(BrokerOptions, EveryKeyIsRead) {
  Config config;
  config.extra_sections["broker"] = {{"session_scope", "account"}, {"refresh_skew_seconds", 120},
                                     {"session_prefix", "fg-"}, {"max_cached_sessions", 50}};
  auto options = broker_options_from_config(config);
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_EQ(options->scope, SessionScope::account);
  EXPECT_EQ(options->refresh_skew, std::chrono::seconds(120));
  EXPECT_EQ(options->session_prefix, "fg-");
  EXPECT_EQ(options->max_cached_sessions, 50u);
}

TEST(BrokerOptions, ErrorsNameTheKey) {
  struct Case {
    json section;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{{"session_scope", "per-call"}}, "broker.session_scope must be finding or account"},
      {{{"session_scope", 3}}, "broker.session_scope"},
      {{{"refresh_skew_seconds", 900}}, "broker.refresh_skew_seconds must be 0..899"},
      {{{"refresh_skew_seconds", "5m"}}, "broker.refresh_skew_seconds must be an integer"},
      {{{"session_prefix", "bad prefix"}}, "broker.session_prefix"},
      {{{"session_prefix", std::string(21, 'a')}}, "broker.session_prefix"},
      {{{"max_cached_sessions", 0}}, "broker.max_cached_sessions"},
      {{{"sesion_scope", "finding"}}, "broker.sesion_scope is not a known key"},
      {json::array(), "broker must be a mapping"},
  };
  for (const Case& c : cases) {
    auto options = broker_options_from_json(c.section);
    ASSERT_FALSE(options.ok()) << c.section.dump();
    EXPECT_EQ(options.error().code, "broker.invalid_config");
    EXPECT_NE(options.error().message.find(c.expected), std::string::npos) << options.error().message;
  }
}

}  // namespace
}  // namespace fixgate::broker
