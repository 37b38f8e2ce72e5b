#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "actions/registry.h"
#include "actions/resource_names.h"

namespace fixgate::actions {
namespace {

TEST(Registry, DeclaresTheTenBuiltinActionsCompletely) {
  const std::set<std::string> expected = {
      "aws.s3.block_public_access",         "aws.s3.enable_default_encryption", "aws.s3.remove_public_acl",
      "aws.ec2.revoke_public_ingress",      "aws.iam.deactivate_access_key",    "aws.ec2.enable_ebs_default_encryption",
      "aws.kms.enable_key_rotation",        "aws.rds.make_snapshot_private",    "aws.ec2.make_snapshot_private",
      "aws.cloudtrail.enable_log_validation"};
  std::set<std::string> names;
  const std::regex iam_action("^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$");
  for (const ActionSpec& spec : builtin_actions().all()) {
    names.insert(spec.name);
    EXPECT_FALSE(spec.description.empty()) << spec.name;
    EXPECT_FALSE(spec.resource_types.empty()) << spec.name;
    for (const auto* step : {&spec.permissions.precheck, &spec.permissions.apply, &spec.permissions.verify,
                             &spec.permissions.rollback}) {
      EXPECT_FALSE(step->empty()) << spec.name << " leaves a life-cycle step without permissions";
      for (const auto& permission : *step) EXPECT_TRUE(std::regex_match(permission, iam_action)) << permission;
    }
    EXPECT_NE(spec.make(), nullptr);
    // Defaults must pass their own validation.
    EXPECT_TRUE(validate_params(spec, nullptr).ok()) << spec.name;
  }
  EXPECT_EQ(names, expected);
}

TEST(Registry, ReadOnlyStepsNeedOnlyReadPermissions) {
  const std::regex read("^[a-z0-9-]+:(Get|Describe|List)[A-Za-z0-9]+$");
  for (const ActionSpec& spec : builtin_actions().all()) {
    for (const auto& p : spec.permissions.precheck) EXPECT_TRUE(std::regex_match(p, read)) << spec.name << " " << p;
    for (const auto& p : spec.permissions.verify) EXPECT_TRUE(std::regex_match(p, read)) << spec.name << " " << p;
  }
}

TEST(Registry, RejectsDuplicatesAndIncompleteSpecs) {
  ActionRegistry r;
  ActionSpec spec = *builtin_actions().find("aws.kms.enable_key_rotation");
  EXPECT_TRUE(r.add(spec).ok());
  EXPECT_EQ(r.add(spec).error().code, "actions.duplicate");
  spec.name = "x";
  spec.make = nullptr;
  EXPECT_FALSE(r.add(spec).ok());
}

TEST(ValidateParams, FillsDefaultsAndNamesTheBadField) {
  const ActionSpec& sg = *builtin_actions().find("aws.ec2.revoke_public_ingress");
  EXPECT_EQ(validate_params(sg, nullptr)->at("ports"), nlohmann::json({22, 3389}));
  EXPECT_EQ(validate_params(sg, {{"ports", {443}}})->at("ports"), nlohmann::json({443}));
  auto bad = validate_params(sg, {{"ports", {22, 70000}}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("params.ports[1]"), std::string::npos);
  EXPECT_NE(validate_params(sg, {{"ports", "22"}}).error().message.find("params.ports"), std::string::npos);
  EXPECT_NE(validate_params(sg, {{"port", {22}}}).error().message.find("params.port:"), std::string::npos);
  EXPECT_FALSE(validate_params(sg, {{"ports", nlohmann::json::array()}}).ok());
  EXPECT_FALSE(validate_params(sg, "ports").ok());

  const ActionSpec& iam = *builtin_actions().find("aws.iam.deactivate_access_key");
  EXPECT_EQ(validate_params(iam, {{"max_age_days", 30}})->at("recent_use_hours"), 24);
  EXPECT_FALSE(validate_params(iam, {{"max_age_days", 0}}).ok());
  EXPECT_FALSE(validate_params(iam, {{"max_age_days", 1.5}}).ok());
}

TEST(ResourceNames, ExtractsIdentifiersFromArnsAndIds) {
  Finding f;
  f.resource_arn = "arn:aws:s3:::my-bucket";
  EXPECT_EQ(*s3_bucket_name(f), "my-bucket");
  f.resource_arn = "";
  f.resource_id = "plain-bucket";
  EXPECT_EQ(*s3_bucket_name(f), "plain-bucket");

  f = Finding{};
  f.resource_arn = "arn:aws:iam::111111111111:user/division/team/alice";
  EXPECT_EQ(*resource_identifier(f, "user/"), "alice");
  EXPECT_EQ(resource_identifier(f, "role/").error().code, "actions.bad_resource");
  f.resource_arn = "arn:aws:rds:eu-west-1:111111111111:snapshot:rds:db-2024";
  EXPECT_EQ(*resource_identifier(f, "snapshot:"), "rds:db-2024");
  f.resource_arn = "arn:aws:ec2:us-east-1:111111111111:security-group/sg-123\x1b[31m";
  EXPECT_EQ(resource_identifier(f, "security-group/").error().code, "actions.bad_resource");
  f.resource_arn = "";
  f.resource_id = "sg-42";
  EXPECT_EQ(*resource_identifier(f, "security-group/"), "sg-42");
  f.account = "";
  f.resource_arn = "arn:aws:kms:us-east-1:222222222222:key/k";
  EXPECT_EQ(finding_account(f), "222222222222");
}

TEST(ResourceNames, ParsesAwsTimestamps) {
  using namespace std::chrono;
  const auto t = parse_aws_time("2024-05-01T12:30:05Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(format_aws_time(*t), "2024-05-01T12:30:05Z");
  EXPECT_EQ(parse_aws_time("2024-05-01T12:30:05.123Z"), t);
  EXPECT_EQ(parse_aws_time("2024-05-01T12:30:05+00:00"), t);
  EXPECT_FALSE(parse_aws_time("2024-02-30T00:00:00Z").has_value());
  EXPECT_FALSE(parse_aws_time("2024-05-01T12:30:05+02:00").has_value());
  EXPECT_FALSE(parse_aws_time("yesterday").has_value());
}

}  // namespace
}  // namespace fixgate::actions
