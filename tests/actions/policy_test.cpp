// The generated least-privilege policy and member-role templates.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <regex>
#include <set>

#include "actions/policy.h"
#include "config/config.h"

namespace fixgate::actions {
namespace {

// IAM policy grammar (the subset fixgate emits, checked strictly): Version,
// Statement[] of {Sid?, Effect, Action, Resource, Condition?} with no other keys.
void expect_policy_grammar(const nlohmann::json& policy) {
  ASSERT_TRUE(policy.is_object());
  for (const auto& [key, value] : policy.items()) EXPECT_TRUE(key == "Version" || key == "Statement" || key == "Id") << key;
  EXPECT_EQ(policy.at("Version"), "2012-10-17");
  ASSERT_TRUE(policy.at("Statement").is_array());
  const std::regex sid("^[A-Za-z0-9]+$");
  const std::regex action("^[a-z0-9-]+:[A-Za-z0-9*]+$");
  for (const auto& st : policy.at("Statement")) {
    for (const auto& [key, value] : st.items()) {
      EXPECT_TRUE(key == "Sid" || key == "Effect" || key == "Action" || key == "Resource" || key == "Principal" ||
                  key == "Condition")
          << key;
    }
    if (st.contains("Sid")) {
      EXPECT_TRUE(std::regex_match(st.at("Sid").get<std::string>(), sid));
    }
    EXPECT_TRUE(st.at("Effect") == "Allow" || st.at("Effect") == "Deny");
    const auto& actions = st.at("Action");
    ASSERT_TRUE(actions.is_array() || actions.is_string());
    for (const auto& a : actions.is_array() ? actions : nlohmann::json::array({actions})) {
      EXPECT_TRUE(std::regex_match(a.get<std::string>(), action)) << a;
    }
  }
}

std::set<std::string> granted(const nlohmann::json& policy) {
  std::set<std::string> out;
  for (const auto& st : policy.at("Statement")) {
    for (const auto& a : st.at("Action")) out.insert(a.get<std::string>());
  }
  return out;
}

Config reference_config() {
  auto config = load_config(FIXGATE_SHARED_DIR "/examples/fixgate.yaml");
  if (!config.ok()) ADD_FAILURE() << config.error().to_string();
  return config.ok() ? *config : Config{};
}

std::vector<std::string> enabled(const Config& config) {
  std::vector<std::string> catalog;
  for (const auto& entry : config.catalog) catalog.push_back(entry.action);
  return enabled_actions(config.allowed_actions, catalog);
}

TEST(LeastPrivilegePolicy, ReferenceConfigEnablesCatalogActionsThatAreAllowed) {
  const auto actions = enabled(reference_config());
  EXPECT_EQ(actions, (std::vector<std::string>{"aws.s3.block_public_access", "aws.s3.enable_default_encryption",
                                               "aws.ec2.revoke_public_ingress", "aws.iam.deactivate_access_key",
                                               "aws.ec2.enable_ebs_default_encryption"}));
}

TEST(LeastPrivilegePolicy, GrantsExactlyTheDeclaredPermissions) {
  const auto actions = enabled(reference_config());
  auto policy = least_privilege_policy(builtin_actions(), actions);
  ASSERT_TRUE(policy.ok());
  expect_policy_grammar(*policy);
  std::set<std::string> declared;
  for (const auto& name : actions) {
    for (const auto& p : builtin_actions().find(name)->permissions.all()) declared.insert(p);
  }
  EXPECT_EQ(granted(*policy), declared);
  EXPECT_EQ(policy->at("Statement").size(), actions.size());
  EXPECT_EQ(granted(*policy).count("rds:ModifyDBSnapshotAttribute"), 0u);  // not allowed in the config
  EXPECT_EQ(granted(*policy).count("iam:DeleteAccessKey"), 0u);            // never declared
  for (const auto& st : policy->at("Statement")) EXPECT_EQ(st.at("Resource"), "*");
}

TEST(LeastPrivilegePolicy, UnknownActionIsAnErrorAndEmptyIsEmpty) {
  EXPECT_EQ(least_privilege_policy(builtin_actions(), {"aws.s3.delete_bucket"}).error().code, "actions.unknown_action");
  auto empty = least_privilege_policy(builtin_actions(), {});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->at("Statement").empty());
}

TEST(MemberRole, CloudFormationParsesAsJsonAndYamlWithTheExpectedResources) {
  auto policy = least_privilege_policy(builtin_actions(), enabled(reference_config()));
  ASSERT_TRUE(policy.ok());
  MemberRoleOptions options;
  options.platform_account = "999999999999";
  auto text = member_role_cloudformation(*policy, options);
  ASSERT_TRUE(text.ok()) << text.error().to_string();
  const auto tmpl = nlohmann::json::parse(*text);
  EXPECT_EQ(tmpl.at("AWSTemplateFormatVersion"), "2010-09-09");
  EXPECT_EQ(tmpl.at("Parameters").at("PlatformAccountId").at("Default"), "999999999999");
  EXPECT_EQ(tmpl.at("Parameters").at("ExternalId").at("NoEcho"), true);
  const auto& role = tmpl.at("Resources").at("FixgateRemediationRole");
  EXPECT_EQ(role.at("Type"), "AWS::IAM::Role");
  const auto& trust = role.at("Properties").at("AssumeRolePolicyDocument");
  expect_policy_grammar(trust);
  EXPECT_EQ(trust.at("Statement")[0].at("Condition").at("StringEquals").at("sts:ExternalId"),
            nlohmann::json({{"Ref", "ExternalId"}}));
  EXPECT_EQ(trust.at("Statement")[0].at("Condition").at("StringLike").at("sts:RoleSessionName"), "fixgate-*");
  const auto& rp = tmpl.at("Resources").at("FixgateRemediationPolicy");
  EXPECT_EQ(rp.at("Type"), "AWS::IAM::RolePolicy");
  EXPECT_EQ(rp.at("Properties").at("PolicyDocument"), *policy);
  EXPECT_EQ(rp.at("Properties").at("RoleName"), nlohmann::json({{"Ref", "FixgateRemediationRole"}}));

  const YAML::Node yaml = YAML::Load(*text);
  EXPECT_EQ(yaml["Resources"]["FixgateRemediationRole"]["Type"].as<std::string>(), "AWS::IAM::Role");
  EXPECT_EQ(yaml["Resources"]["FixgateRemediationPolicy"]["Type"].as<std::string>(), "AWS::IAM::RolePolicy");
}

TEST(MemberRole, RejectsBadOptions) {
  const nlohmann::json policy = {{"Version", "2012-10-17"}, {"Statement", nlohmann::json::array()}};
  MemberRoleOptions options;
  options.platform_account = "12345";
  EXPECT_EQ(member_role_cloudformation(policy, options).error().code, "actions.invalid_option");
  options.platform_account = "";
  options.role_name = "bad name";
  EXPECT_EQ(member_role_terraform(policy, options).error().code, "actions.invalid_option");
}

// The jsonencode(...) argument after `marker`, up to its matching parenthesis.
std::string jsonencode_argument(const std::string& hcl, const std::string& marker) {
  size_t start = hcl.find(marker);
  if (start == std::string::npos) return "";
  start += marker.size();
  int depth = 1;
  for (size_t i = start; i < hcl.size(); ++i) {
    if (hcl[i] == '(') ++depth;
    if (hcl[i] == ')' && --depth == 0) return hcl.substr(start, i - start);
  }
  return "";
}

TEST(MemberRole, TerraformHasRoleAndPolicyWithExternalIdCondition) {
  auto policy = least_privilege_policy(builtin_actions(), enabled(reference_config()));
  ASSERT_TRUE(policy.ok());
  MemberRoleOptions options;
  options.platform_account = "999999999999";
  auto hcl = member_role_terraform(*policy, options);
  ASSERT_TRUE(hcl.ok());
  EXPECT_NE(hcl->find("resource \"aws_iam_role\" \"fixgate_remediation\" {"), std::string::npos);
  EXPECT_NE(hcl->find("resource \"aws_iam_role_policy\" \"fixgate_remediation\" {"), std::string::npos);
  EXPECT_NE(hcl->find("\"sts:ExternalId\": var.external_id"), std::string::npos);
  EXPECT_NE(hcl->find("sensitive   = true"), std::string::npos);
  EXPECT_NE(hcl->find("default     = \"999999999999\""), std::string::npos);
  int depth = 0;
  for (char c : *hcl) {
    depth += c == '{' ? 1 : c == '}' ? -1 : 0;
    ASSERT_GE(depth, 0);
  }
  EXPECT_EQ(depth, 0);
  // The permissions policy is embedded as JSON (valid HCL) and is exactly the generated one.
  EXPECT_EQ(nlohmann::json::parse(jsonencode_argument(*hcl, "policy = jsonencode(")), *policy);
}

}  // namespace
}  // namespace fixgate::actions
