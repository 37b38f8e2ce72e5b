// "${NAME}" expansion: done at load; a missing variable fails only where the
// value is used (credential strings), or at load for strings every decision reads.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"

namespace fixgate {
namespace {

using ::testing::HasSubstr;

LoadOptions with_env(std::map<std::string, std::string> vars) {
  LoadOptions options;
  options.env = [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  return options;
}

const std::string kReference = FIXGATE_SHARED_DIR "/examples/fixgate.yaml";

TEST(ConfigEnv, ExpandsEveryVariableInAString) {
  const auto value = ExpandableString::expand("a-${ONE}-${TWO}-$HOME-${bad name}-$", [](std::string_view name) {
    return std::optional<std::string>(name == "ONE" ? "1" : "2");
  }, SourceRef{"f.yaml", 3, 7, "k"});
  ASSERT_TRUE(value.resolve().ok());
  EXPECT_EQ(value.resolve().value(), "a-1-2-$HOME-${bad name}-$");
  EXPECT_TRUE(value.has_variables());
}

TEST(ConfigEnv, MissingExternalIdLoadsAndFailsOnlyWhenUsed) {
  auto config = load_config(kReference, with_env({}));
  ASSERT_TRUE(config.ok()) << config.error().message;  // not a load error
  const auto& external = config->accounts.default_settings->external_id;
  ASSERT_TRUE(external.has_value());
  EXPECT_EQ(external->missing_variable(), "FIXGATE_EXTERNAL_ID");

  auto access = config->access_for("111111111111");
  ASSERT_FALSE(access.ok());
  EXPECT_EQ(access.error().code, "config.env_missing");
  EXPECT_THAT(access.error().message, HasSubstr("FIXGATE_EXTERNAL_ID"));
  EXPECT_THAT(access.error().message, HasSubstr(kReference + ":38:18"));
  EXPECT_THAT(access.error().message, HasSubstr("accounts.default.external_id"));
}

TEST(ConfigEnv, ResolvedExternalIdNeverAppearsInErrors) {
  auto config = load_config(kReference, with_env({{"FIXGATE_EXTERNAL_ID", "s3cr3t-value"}}));
  ASSERT_TRUE(config.ok());
  auto access = config->access_for("111111111111");
  ASSERT_TRUE(access.ok());
  EXPECT_EQ(access->external_id, "s3cr3t-value");
  auto bad = config->access_for("not-an-account");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "config.invalid_account");
  EXPECT_EQ(bad.error().message.find("s3cr3t"), std::string::npos);
}

TEST(ConfigEnv, PerAccountEntriesOverrideDefault) {
  const std::string text = R"(version: 1
accounts:
  default:
    role_arn: "arn:aws:iam::{account}:role/fixgate-remediation"
    external_id: "${EXT}"
    session_duration_s: 900
  "222222222222":
    role_arn: "arn:aws:iam::{account}:role/${ROLE_NAME}"
    session_duration_s: 1800
  "333333333333":
    external_id: "${OTHER_EXT}"
)";
  auto config = load_config_text(text, "accounts.yaml", with_env({{"EXT", "e1"}, {"ROLE_NAME", "custom"}}));
  ASSERT_TRUE(config.ok()) << config.error().message;
  auto one = config->access_for("111111111111");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->role_arn, "arn:aws:iam::111111111111:role/fixgate-remediation");
  EXPECT_EQ(one->external_id, "e1");
  EXPECT_EQ(one->session_duration_s, 900);
  auto two = config->access_for("222222222222");
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->role_arn, "arn:aws:iam::222222222222:role/custom");
  EXPECT_EQ(two->external_id, "e1");
  EXPECT_EQ(two->session_duration_s, 1800);
  auto three = config->access_for("333333333333");
  ASSERT_FALSE(three.ok());
  EXPECT_THAT(three.error().message, HasSubstr("OTHER_EXT"));
  EXPECT_THAT(three.error().message, HasSubstr("accounts.333333333333.external_id"));
}

TEST(ConfigEnv, NoDefaultMeansOnlyListedAccounts) {
  const std::string text = R"(version: 1
accounts:
  "222222222222":
    role_arn: "arn:aws:iam::222222222222:role/fixgate"
)";
  auto config = load_config_text(text, "accounts.yaml", with_env({}));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_TRUE(config->account_configured("222222222222"));
  EXPECT_FALSE(config->account_configured("111111111111"));
  auto access = config->access_for("111111111111");
  ASSERT_FALSE(access.ok());
  EXPECT_EQ(access.error().code, "config.account_not_configured");
  auto listed = config->access_for("222222222222");
  ASSERT_TRUE(listed.ok());
  EXPECT_FALSE(listed->external_id.has_value());
}

TEST(ConfigEnv, DecisionStringsExpandAtLoadAndAMissingOneIsALoadError) {
  const std::string text = "version: 1\nownership:\n  tags: [\"${OWNER_TAG}\", team]\n";
  auto ok = load_config_text(text, "own.yaml", with_env({{"OWNER_TAG", "custodian"}}));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->ownership_tags, (std::vector<std::string>{"custodian", "team"}));

  auto missing = load_config_text_detailed(text, "own.yaml", with_env({}));
  ASSERT_FALSE(missing.ok());
  ASSERT_EQ(missing.issues.size(), 1u);
  EXPECT_EQ(missing.issues[0].where.key, "ownership.tags[0]");
  EXPECT_EQ(missing.issues[0].where.line, 3);
  EXPECT_THAT(missing.issues[0].message, HasSubstr("OWNER_TAG is not set"));
}

TEST(ConfigEnv, ProcessEnvironmentIsTheDefault) {
  ::setenv("FIXGATE_CONFIG_TEST_EXT", "from-process", 1);
  const std::string text = R"(version: 1
accounts:
  default:
    role_arn: "arn:aws:iam::{account}:role/r"
    external_id: "${FIXGATE_CONFIG_TEST_EXT}"
)";
  auto config = load_config_text(text, "env.yaml");
  ::unsetenv("FIXGATE_CONFIG_TEST_EXT");
  ASSERT_TRUE(config.ok());
  auto access = config->access_for("111111111111");
  ASSERT_TRUE(access.ok());
  EXPECT_EQ(access->external_id, "from-process");
}

}  // namespace
}  // namespace fixgate
