// The reference configuration (shared/examples/fixgate.yaml) loads exactly as
// written, and every key carries the meaning its comments give.
#include <gtest/gtest.h>

#include "config/config.h"

namespace fixgate {
namespace {

const std::string kReference = FIXGATE_SHARED_DIR "/examples/fixgate.yaml";

LoadOptions with_env(std::map<std::string, std::string> vars) {
  LoadOptions options;
  options.env = [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  return options;
}

Config reference(const LoadOptions& options = with_env({{"FIXGATE_EXTERNAL_ID", "ext-123"}})) {
  auto loaded = load_config(kReference, options);
  if (!loaded.ok()) ADD_FAILURE() << loaded.error().message;
  return std::move(loaded).value();
}

TEST(ConfigReference, TopLevel) {
  const Config config = reference();
  EXPECT_EQ(config.source, kReference);
  EXPECT_EQ(config.version, 1);
  EXPECT_EQ(config.mode, Mode::enforce);
  EXPECT_TRUE(config.extra_sections.empty());
}

TEST(ConfigReference, Environments) {
  const Config config = reference();
  const auto& env = config.environments;
  EXPECT_EQ(env.from_tags, (std::vector<std::string>{"environment", "env", "stage"}));
  EXPECT_EQ(env.accounts, (std::map<std::string, std::string>{{"111111111111", "production"},
                                                              {"222222222222", "staging"},
                                                              {"333333333333", "restricted-production"}}));
  EXPECT_EQ(env.aliases, (std::map<std::string, std::string>{{"prod", "production"},
                                                             {"prd", "production"},
                                                             {"stg", "staging"},
                                                             {"dev", "development"},
                                                             {"restricted", "restricted-production"}}));
  EXPECT_EQ(env.policy, (std::map<std::string, EnvironmentPolicy>{
                            {"restricted-production", EnvironmentPolicy::approval},
                            {"production", EnvironmentPolicy::auto_remediate},
                            {"staging", EnvironmentPolicy::auto_remediate},
                            {"development", EnvironmentPolicy::auto_remediate}}));
  EXPECT_EQ(env.unknown, EnvironmentPolicy::notify);
  // Aliases fold case-insensitively; unlisted values stay as they are.
  EXPECT_EQ(env.fold("PROD"), "production");
  EXPECT_EQ(env.fold("Restricted"), "restricted-production");
  EXPECT_EQ(env.fold("qa"), "qa");
  std::string name;
  ASSERT_NE(env.find_policy("Production", &name), nullptr);
  EXPECT_EQ(name, "production");
  EXPECT_EQ(env.find_policy("qa"), nullptr);
}

TEST(ConfigReference, AccountsDefault) {
  const Config config = reference();
  ASSERT_TRUE(config.accounts.default_settings.has_value());
  const auto& settings = *config.accounts.default_settings;
  ASSERT_TRUE(settings.role_arn.has_value());
  EXPECT_EQ(settings.role_arn->raw(), "arn:aws:iam::{account}:role/fixgate-remediation");
  ASSERT_TRUE(settings.external_id.has_value());
  EXPECT_EQ(settings.external_id->raw(), "${FIXGATE_EXTERNAL_ID}");
  EXPECT_EQ(settings.session_duration_s, 900);
  EXPECT_TRUE(config.accounts.by_id.empty());
  EXPECT_TRUE(config.account_configured("999999999999"));  // default covers every account
  EXPECT_FALSE(config.account_configured(""));

  auto access = config.access_for("222222222222");
  ASSERT_TRUE(access.ok()) << access.error().message;
  EXPECT_EQ(access->account, "222222222222");
  EXPECT_EQ(access->role_arn, "arn:aws:iam::222222222222:role/fixgate-remediation");
  EXPECT_EQ(access->external_id, "ext-123");
  EXPECT_EQ(access->session_duration_s, 900);
}

TEST(ConfigReference, OwnershipAndExceptions) {
  const Config config = reference();
  EXPECT_EQ(config.ownership_tags, (std::vector<std::string>{"owner", "team", "app:owner"}));
  EXPECT_EQ(config.exceptions.suppression_tags, (std::vector<std::string>{"fixgate:skip", "security-exception"}));
  ASSERT_EQ(config.exceptions.waivers.size(), 3u);

  const Waiver& w1042 = config.exceptions.waivers[0];
  EXPECT_EQ(w1042.id, "WVR-1042");
  EXPECT_EQ(w1042.controls, std::vector<std::string>{"wc-s3-public-bucket"});
  EXPECT_EQ(w1042.resources, std::vector<std::string>{"arn:aws:s3:::public-website-assets"});
  EXPECT_TRUE(w1042.accounts.empty());
  EXPECT_EQ(w1042.status, WaiverStatus::approved);
  ASSERT_TRUE(w1042.expires.has_value());
  EXPECT_EQ(format_date(*w1042.expires), "2030-06-30");
  EXPECT_EQ(w1042.reason, "Static website; reviewed by security");
  EXPECT_EQ(w1042.where.line, 50);

  const Waiver& w0999 = config.exceptions.waivers[1];
  EXPECT_EQ(w0999.id, "WVR-0999");
  EXPECT_EQ(w0999.controls, std::vector<std::string>{"wc-sg-ssh-open"});
  EXPECT_EQ(w0999.resources,
            std::vector<std::string>{"arn:aws:ec2:us-east-1:111111111111:security-group/sg-0bastion0000000000"});
  EXPECT_EQ(w0999.status, WaiverStatus::approved);
  EXPECT_EQ(format_date(*w0999.expires), "2025-01-31");
  EXPECT_EQ(w0999.reason, "Bastion migration window");

  const Waiver& w1100 = config.exceptions.waivers[2];
  EXPECT_EQ(w1100.id, "WVR-1100");
  EXPECT_EQ(w1100.controls, std::vector<std::string>{"wc-ebs-unencrypted"});
  EXPECT_EQ(w1100.accounts, std::vector<std::string>{"222222222222"});
  EXPECT_TRUE(w1100.resources.empty());
  EXPECT_EQ(w1100.status, WaiverStatus::pending);
  EXPECT_FALSE(w1100.expires.has_value());
  EXPECT_EQ(w1100.reason, "Awaiting review");
}

TEST(ConfigReference, AllowedActions) {
  const Config config = reference();
  EXPECT_EQ(config.allowed_actions,
            (std::vector<std::string>{"aws.s3.block_public_access", "aws.s3.enable_default_encryption",
                                      "aws.ec2.revoke_public_ingress", "aws.iam.deactivate_access_key",
                                      "aws.ec2.enable_ebs_default_encryption"}));
  EXPECT_TRUE(config.action_allowed("aws.s3.block_public_access"));
  EXPECT_FALSE(config.action_allowed("aws.rds.make_snapshot_private"));
}

TEST(ConfigReference, Catalog) {
  const Config config = reference();
  ASSERT_EQ(config.catalog.size(), 6u);
  struct Expected {
    const char* id;
    std::vector<std::string> controls;
    const char* type;
    const char* action;
    Severity min;
    const char* params;
  };
  const std::vector<Expected> expected = {
      {"s3-public-access", {"wc-s3-public-bucket", "S3.1", "S3.2", "S3.3", "S3.8"}, "AWS::S3::Bucket",
       "aws.s3.block_public_access", Severity::high, "{}"},
      {"s3-default-encryption", {"wc-s3-unencrypted", "S3.4"}, "AWS::S3::Bucket", "aws.s3.enable_default_encryption",
       Severity::high, "{}"},
      {"sg-admin-ports-open", {"wc-sg-ssh-open", "wc-sg-rdp-open", "EC2.13", "EC2.14", "EC2.19"},
       "AWS::EC2::SecurityGroup", "aws.ec2.revoke_public_ingress", Severity::high, R"({"ports":[22,3389]})"},
      {"iam-stale-access-key", {"wc-iam-stale-key", "IAM.3"}, "AWS::IAM::User", "aws.iam.deactivate_access_key",
       Severity::high, R"({"max_age_days":90})"},
      {"ebs-default-encryption", {"wc-ebs-unencrypted", "EC2.7"}, "AWS::::Account",
       "aws.ec2.enable_ebs_default_encryption", Severity::medium, "{}"},
      {"rds-public-snapshot", {"wc-rds-public-snapshot", "RDS.1"}, "AWS::RDS::DBSnapshot",
       "aws.rds.make_snapshot_private", Severity::high, "{}"},
  };
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(expected[i].id);
    const CatalogEntry& entry = config.catalog[i];
    EXPECT_EQ(entry.id, expected[i].id);
    EXPECT_EQ(entry.controls, expected[i].controls);
    EXPECT_EQ(entry.resource_types, std::vector<std::string>{expected[i].type});
    EXPECT_EQ(entry.action, expected[i].action);
    EXPECT_EQ(entry.min_severity, expected[i].min);
    EXPECT_EQ(entry.params, nlohmann::json::parse(expected[i].params));
    EXPECT_EQ(entry.environments.empty(), std::string(expected[i].id) != "sg-admin-ports-open");
  }
  const CatalogEntry* sg = config.find_catalog_entry("sg-admin-ports-open");
  ASSERT_NE(sg, nullptr);
  EXPECT_EQ(sg->environments, (std::map<std::string, EnvironmentPolicy>{{"production", EnvironmentPolicy::approval}}));
  EXPECT_EQ(sg->where.line, 90);
  EXPECT_EQ(config.find_catalog_entry("nope"), nullptr);
}

TEST(ConfigReference, ExtraTopLevelSectionsAreKeptAsJson) {
  const std::string text = R"(version: 1
guardrails:
  rate_limits: {per_account_per_minute: 10, global_per_minute: 60}
  breaker: {failure_ratio: 0.5, open_seconds: 300}
notifications:
  slack_webhook: "${SLACK_URL}"
  enabled: true
  quiet: ~
  codes: ["007", 7]
)";
  auto config = load_config_text(text, "extra.yaml", with_env({}));
  ASSERT_TRUE(config.ok()) << config.error().message;
  ASSERT_EQ(config->extra_sections.size(), 2u);
  EXPECT_EQ(config->extra_sections.at("guardrails"),
            nlohmann::json::parse(R"({"rate_limits":{"per_account_per_minute":10,"global_per_minute":60},
                                      "breaker":{"failure_ratio":0.5,"open_seconds":300}})"));
  const auto& notifications = config->extra_sections.at("notifications");
  EXPECT_EQ(notifications["slack_webhook"], "${SLACK_URL}");  // raw: the owning component expands it
  EXPECT_EQ(notifications["enabled"], true);
  EXPECT_TRUE(notifications["quiet"].is_null());
  EXPECT_EQ(notifications["codes"], nlohmann::json::parse(R"(["007", 7])"));
  EXPECT_EQ(config->extra_section_locations.at("notifications").line, 5);
}

}  // namespace
}  // namespace fixgate
