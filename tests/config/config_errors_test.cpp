// Falco-style error gathering: every problem is reported with file, line,
// column, key path, message and the offending source line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config.h"

namespace fixgate {
namespace {

using ::testing::HasSubstr;

LoadOptions no_env() {
  LoadOptions options;
  options.env = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  return options;
}

// A minimal valid file; tests append or replace lines to break one thing.
const std::string kValid = R"(version: 1
mode: enforce
allowed_actions: [aws.s3.block_public_access]
catalog:
  - id: s3-public-access
    controls: [S3.1]
    resource_types: ["AWS::S3::Bucket"]
    action: aws.s3.block_public_access
    min_severity: HIGH
)";

std::vector<ConfigIssue> issues_of(const std::string& text) {
  auto load = load_config_text_detailed(text, "inline.yaml", no_env());
  EXPECT_FALSE(load.ok()) << "expected errors in:\n" << text;
  return load.issues;
}

const ConfigIssue* find_key(const std::vector<ConfigIssue>& issues, const std::string& key) {
  for (const auto& issue : issues) {
    if (issue.where.key == key) return &issue;
  }
  ADD_FAILURE() << "no issue for key " << key << "; got:\n" << issues_to_text(issues);
  return nullptr;
}

TEST(ConfigErrors, ValidBaselineLoads) {
  auto load = load_config_text_detailed(kValid, "inline.yaml", no_env());
  ASSERT_TRUE(load.ok()) << issues_to_text(load.issues);
  EXPECT_EQ(load.config->catalog.size(), 1u);
}

TEST(ConfigErrors, InvalidSeverityNamesFileLineKeyAndSnippet) {
  std::string text = kValid;
  text.replace(text.find("min_severity: HIGH"), 18, "min_severity: HGIH");
  const auto issues = issues_of(text);
  ASSERT_EQ(issues.size(), 1u);
  const ConfigIssue& issue = issues[0];
  EXPECT_EQ(issue.where.file, "inline.yaml");
  EXPECT_EQ(issue.where.line, 9);
  EXPECT_EQ(issue.where.column, 19);
  EXPECT_EQ(issue.where.key, "catalog[0].min_severity");
  EXPECT_THAT(issue.message, HasSubstr("unknown severity \"HGIH\""));
  EXPECT_THAT(issue.message, HasSubstr("did you mean \"HIGH\""));
  EXPECT_EQ(issue.snippet, "    min_severity: HGIH");
  EXPECT_EQ(issue.to_text(),
            "inline.yaml:9:19: catalog[0].min_severity: " + issue.message +
                "\n        min_severity: HGIH\n                      ^\n");
  const auto json = issue.to_json();
  EXPECT_EQ(json["line"], 9);
  EXPECT_EQ(json["key"], "catalog[0].min_severity");
  EXPECT_EQ(json["snippet"], "    min_severity: HGIH");
}

TEST(ConfigErrors, EveryErrorIsGatheredAndTheResultListsThemAll) {
  const std::string text = R"(version: 1
mode: yolo
environments:
  from_tag: [env]
  accounts:
    "12345": production
  policy:
    production: automatic
  unknown: auto
exceptions:
  waivers:
    - id: W-1
      controls: [c1]
      status: approved
      expires: 2030-02-30
    - id: W-1
      accounts: ["111111111111"]
      status: maybe
    - id: W-2
      status: approved
allowed_actions: [a.b]
catalog:
  - id: one
    controls: [c1]
    resource_types: ["AWS::S3::Bucket"]
    action: a.b
    min_severity: HIGH
    enviroments: {production: approval}
  - id: one
    controls: [c2]
    resource_types: ["AWS::S3::Bucket"]
    action: a.b
    min_severity: HIGH
  - id: three
    controls: []
    resource_types: ["AWS::S3::Bucket"]
    action: a.b
    min_severity: HIGH
    environments: {prodution: approval}
  - controls: [c3]
    resource_types: ["AWS::S3::Bucket"]
    action: a.b
    min_severity: LOW
)";
  auto load = load_config_text_detailed(text, "bad.yaml", no_env());
  ASSERT_FALSE(load.ok());
  const auto& issues = load.issues;

  const auto* mode = find_key(issues, "mode");
  ASSERT_NE(mode, nullptr);
  EXPECT_EQ(mode->where.line, 2);
  EXPECT_THAT(mode->message, HasSubstr("enforce or dry_run"));
  EXPECT_EQ(mode->snippet, "mode: yolo");

  const auto* typo = find_key(issues, "environments.from_tag");
  ASSERT_NE(typo, nullptr);
  EXPECT_EQ(typo->where.line, 4);
  EXPECT_EQ(typo->where.column, 3);
  EXPECT_THAT(typo->message, HasSubstr("did you mean \"from_tags\""));

  const auto* account = find_key(issues, "environments.accounts.12345");
  ASSERT_NE(account, nullptr);
  EXPECT_THAT(account->message, HasSubstr("12 digits"));
  EXPECT_EQ(account->where.line, 6);

  const auto* policy = find_key(issues, "environments.policy.production");
  ASSERT_NE(policy, nullptr);
  EXPECT_THAT(policy->message, HasSubstr("\"automatic\""));
  EXPECT_EQ(policy->snippet, "    production: automatic");

  const auto* unknown = find_key(issues, "environments.unknown");
  ASSERT_NE(unknown, nullptr);
  EXPECT_THAT(unknown->message, HasSubstr("fail closed"));

  const auto* date = find_key(issues, "exceptions.waivers[0].expires");
  ASSERT_NE(date, nullptr);
  EXPECT_EQ(date->where.line, 15);
  EXPECT_THAT(date->message, HasSubstr("YYYY-MM-DD"));

  const auto* status = find_key(issues, "exceptions.waivers[1].status");
  ASSERT_NE(status, nullptr);
  EXPECT_THAT(status->message, HasSubstr("\"maybe\""));

  const auto* scope = find_key(issues, "exceptions.waivers[2]");
  ASSERT_NE(scope, nullptr);
  EXPECT_THAT(scope->message, HasSubstr("scope"));
  EXPECT_EQ(scope->where.line, 19);

  const auto* enviroments = find_key(issues, "catalog[0].enviroments");
  ASSERT_NE(enviroments, nullptr);
  EXPECT_THAT(enviroments->message, HasSubstr("did you mean \"environments\""));
  EXPECT_EQ(enviroments->where.line, 28);

  const auto* empty_controls = find_key(issues, "catalog[2].controls");
  ASSERT_NE(empty_controls, nullptr);
  EXPECT_THAT(empty_controls->message, HasSubstr("at least one"));

  const auto* missing_id = find_key(issues, "catalog[3].id");
  ASSERT_NE(missing_id, nullptr);
  EXPECT_THAT(missing_id->message, HasSubstr("missing required key"));
  EXPECT_EQ(missing_id->where.line, 40);

  // The folded Result names the count and carries every issue's text.
  auto result = load_config_text(text, "bad.yaml", no_env());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, "config.invalid");
  EXPECT_THAT(result.error().message, HasSubstr(std::to_string(issues.size()) + " errors in bad.yaml:"));
  for (const auto& issue : issues) EXPECT_THAT(result.error().message, HasSubstr(issue.to_text()));
}

TEST(ConfigErrors, DuplicateCatalogIdIsReportedAtTheSecondOne) {
  std::string text = kValid + R"(  - id: s3-public-access
    controls: [S3.2]
    resource_types: ["AWS::S3::Bucket"]
    action: aws.s3.block_public_access
    min_severity: CRITICAL
)";
  const auto issues = issues_of(text);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].where.key, "catalog[1].id");
  EXPECT_EQ(issues[0].where.line, 10);
  EXPECT_THAT(issues[0].message, HasSubstr("duplicate catalog id \"s3-public-access\""));
}

TEST(ConfigErrors, CatalogOverrideMustNameAKnownEnvironment) {
  std::string text = R"(version: 1
environments:
  aliases: {prod: production}
  policy: {production: auto}
catalog:
  - id: x
    controls: [c]
    resource_types: ["AWS::S3::Bucket"]
    action: a
    min_severity: HIGH
    environments: {PROD: approval, prodution: notify}
)";
  const auto issues = issues_of(text);
  ASSERT_EQ(issues.size(), 1u) << issues_to_text(issues);
  EXPECT_EQ(issues[0].where.key, "catalog[0].environments.prodution");
  EXPECT_THAT(issues[0].message, HasSubstr("did you mean \"production\""));
  // Without the typo the alias-folded override lands on the table's name.
  text.replace(text.find(", prodution: notify"), 19, "");
  auto config = load_config_text(text, "inline.yaml", no_env());
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->catalog[0].environments,
            (std::map<std::string, EnvironmentPolicy>{{"production", EnvironmentPolicy::approval}}));
}

TEST(ConfigErrors, AccountsSectionValidation) {
  const auto issues = issues_of(R"(version: 1
accounts:
  defualt:
    role_arn: "arn:aws:iam::{account}:role/x"
  "111111111111":
    external_id: abc
    session_duration_s: 60
    region: us-east-1
  "222222222222":
    role_arn: "not-an-arn"
)");
  const auto* typo = find_key(issues, "accounts.defualt");
  ASSERT_NE(typo, nullptr);
  EXPECT_THAT(typo->message, HasSubstr("did you mean \"default\""));
  const auto* duration = find_key(issues, "accounts.111111111111.session_duration_s");
  ASSERT_NE(duration, nullptr);
  EXPECT_THAT(duration->message, HasSubstr("900 and 43200"));
  const auto* region = find_key(issues, "accounts.111111111111.region");
  ASSERT_NE(region, nullptr);
  const auto* no_role = find_key(issues, "accounts.111111111111.role_arn");
  ASSERT_NE(no_role, nullptr);
  EXPECT_THAT(no_role->message, HasSubstr("no default"));
  const auto* arn = find_key(issues, "accounts.222222222222.role_arn");
  ASSERT_NE(arn, nullptr);
  EXPECT_THAT(arn->message, HasSubstr("IAM role ARN"));
}

TEST(ConfigErrors, YamlSyntaxErrorHasItsPosition) {
  const auto issues = issues_of("version: 1\ncatalog:\n  - id: [unclosed\n");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_THAT(issues[0].message, HasSubstr("YAML syntax error"));
  EXPECT_GE(issues[0].where.line, 3);
  EXPECT_FALSE(issues[0].snippet.empty());
}

TEST(ConfigErrors, StructuralProblems) {
  EXPECT_THAT(issues_of("")[0].message, HasSubstr("empty"));
  EXPECT_THAT(issues_of("- 1\n- 2\n")[0].message, HasSubstr("mapping"));
  const auto missing_version = issues_of("mode: enforce\n");
  ASSERT_EQ(missing_version.size(), 1u);
  EXPECT_EQ(missing_version[0].where.key, "version");
  const auto version2 = issues_of("version: 2\n");
  EXPECT_THAT(version2[0].message, HasSubstr("unsupported version 2"));
  const auto dup = issues_of("version: 1\nmode: enforce\nmode: dry_run\n");
  ASSERT_EQ(dup.size(), 1u);
  EXPECT_EQ(dup[0].where.line, 3);
  EXPECT_THAT(dup[0].message, HasSubstr("duplicate"));
  // A near-miss of a known section is a typo, not another component's section.
  const auto typo = issues_of("version: 1\ncatalgo: []\n");
  ASSERT_EQ(typo.size(), 1u);
  EXPECT_THAT(typo[0].message, HasSubstr("did you mean \"catalog\""));
}

TEST(ConfigErrors, UnreadableFile) {
  auto result = load_config("/nonexistent/fixgate.yaml");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, "config.io");
  EXPECT_THAT(result.error().message, HasSubstr("/nonexistent/fixgate.yaml: cannot read the file"));
}

TEST(ConfigErrors, HostileSnippetIsEscapedInText) {
  const auto issues = issues_of("version: 1\nmode: \"\x1b[31mred\"\n");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].to_text().find('\x1b'), std::string::npos);
  EXPECT_THAT(issues[0].to_text(), HasSubstr("\\x1b[31mred"));
}

TEST(ConfigErrors, ClosestMatch) {
  EXPECT_EQ(closest_match("from_tag", {"from_tags", "accounts"}), "from_tags");
  EXPECT_EQ(closest_match("zzzzzz", {"from_tags", "accounts"}), "");
}

}  // namespace
}  // namespace fixgate
