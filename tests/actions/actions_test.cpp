// Every built-in action through the whole runner life cycle against FakeCloud:
// misconfigured → fixed → verified; compliant → recorded no-op; throttled →
// retried; access denied → audited failure; rollback → prior state restored;
// duplicate delivery → exactly one change.
#include <gtest/gtest.h>

#include <functional>

#include "harness.h"

namespace fixgate::actions::testing {
namespace {

constexpr const char* kAccount = "111111111111";

Finding finding(std::string type, std::string arn) {
  Finding f;
  f.source = FindingSource::wiz;
  f.id = "finding-" + arn;
  f.open = true;
  f.resource_type = std::move(type);
  f.resource_arn = std::move(arn);
  f.account = kAccount;
  f.region = "us-east-1";
  f.raw = R"({"id":"x"})";
  return f;
}

struct Case {
  std::string name;
  std::string action;
  Finding target;
  std::function<void(FakeCloud&)> misconfigure;
  std::function<void(FakeCloud&)> make_compliant;
  std::function<nlohmann::json(FakeCloud&)> observe;  // the resource's state in the fake
  std::string mutating_operation;
  nlohmann::json fixed;  // observe() after the fix
};

nlohmann::json pab(bool on) {
  return {{"BlockPublicAcls", on}, {"IgnorePublicAcls", on}, {"BlockPublicPolicy", on}, {"RestrictPublicBuckets", on}};
}

const nlohmann::json kAllUsersRead = {{"Grantee", {{"Type", "Group"}, {"URI", "http://acs.amazonaws.com/groups/global/AllUsers"}}},
                                      {"Permission", "READ"}};
const nlohmann::json kOwnerFull = {{"Grantee", {{"Type", "CanonicalUser"}, {"ID", "owner-canonical-id"}}},
                                   {"Permission", "FULL_CONTROL"}};

std::vector<Case> cases() {
  std::vector<Case> out;
  out.push_back({"s3_bucket_block_public_access", "aws.s3.block_public_access",
                 finding("AWS::S3::Bucket", "arn:aws:s3:::web-assets"),
                 [](FakeCloud& c) { c.buckets["web-assets"].public_access_block = nlohmann::json{
                   {"BlockPublicAcls", true}, {"IgnorePublicAcls", false}, {"BlockPublicPolicy", true},
                   {"RestrictPublicBuckets", false}}; },
                 [](FakeCloud& c) { c.buckets["web-assets"].public_access_block = pab(true); },
                 [](FakeCloud& c) { return c.buckets["web-assets"].public_access_block.value_or(nullptr); },
                 "PutPublicAccessBlock", pab(true)});
  out.push_back({"s3_bucket_without_configuration", "aws.s3.block_public_access",
                 finding("AWS::S3::Bucket", "arn:aws:s3:::logs"),
                 [](FakeCloud& c) { c.buckets["logs"]; },
                 [](FakeCloud& c) { c.buckets["logs"].public_access_block = pab(true); },
                 [](FakeCloud& c) { return c.buckets["logs"].public_access_block.value_or(nullptr); },
                 "PutPublicAccessBlock", pab(true)});
  out.push_back({"s3_account_block_public_access", "aws.s3.block_public_access",
                 finding("AWS::::Account", "AWS::::Account:111111111111"),
                 [](FakeCloud& c) { c.account_public_access_block.reset(); },
                 [](FakeCloud& c) { c.account_public_access_block = pab(true); },
                 [](FakeCloud& c) { return c.account_public_access_block.value_or(nullptr); },
                 "PutPublicAccessBlock", pab(true)});
  out.push_back({"s3_default_encryption", "aws.s3.enable_default_encryption",
                 finding("AWS::S3::Bucket", "arn:aws:s3:::data"),
                 [](FakeCloud& c) { c.buckets["data"]; },
                 [](FakeCloud& c) {
                   c.buckets["data"].encryption = nlohmann::json::parse(
                       R"({"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms"}}]})");
                 },
                 [](FakeCloud& c) { return c.buckets["data"].encryption.value_or(nullptr); },
                 "PutBucketEncryption",
                 nlohmann::json::parse(R"({"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]})")});
  out.push_back({"s3_remove_public_acl", "aws.s3.remove_public_acl", finding("AWS::S3::Bucket", "arn:aws:s3:::shared"),
                 [](FakeCloud& c) { c.buckets["shared"].grants = {kOwnerFull, kAllUsersRead}; },
                 [](FakeCloud& c) { c.buckets["shared"].grants = {kOwnerFull}; },
                 [](FakeCloud& c) { return c.buckets["shared"].grants; }, "PutBucketAcl", nlohmann::json::array({kOwnerFull})});
  out.push_back({"ec2_revoke_public_ingress", "aws.ec2.revoke_public_ingress",
                 finding("AWS::EC2::SecurityGroup", "arn:aws:ec2:us-east-1:111111111111:security-group/sg-0a1"),
                 [](FakeCloud& c) {
                   c.security_groups["sg-0a1"] = nlohmann::json::parse(
                       R"([{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"0.0.0.0/0"}],"Ipv6Ranges":[],"UserIdGroupPairs":[],"PrefixListIds":[]}])");
                 },
                 [](FakeCloud& c) {
                   c.security_groups["sg-0a1"] = nlohmann::json::parse(
                       R"([{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"10.0.0.0/8"}],"Ipv6Ranges":[],"UserIdGroupPairs":[],"PrefixListIds":[]}])");
                 },
                 [](FakeCloud& c) { return c.security_groups["sg-0a1"]; }, "RevokeSecurityGroupIngress", nlohmann::json::array()});
  out.push_back({"iam_deactivate_access_key", "aws.iam.deactivate_access_key",
                 finding("AWS::IAM::User", "arn:aws:iam::111111111111:user/ops/alice"),
                 [](FakeCloud& c) { c.users["alice"] = {{"AKIAOLD", "Active", "2025-01-01T00:00:00Z", "2026-10-01T08:00:00Z"}}; },
                 [](FakeCloud& c) { c.users["alice"] = {{"AKIANEW", "Active", "2026-11-01T00:00:00Z", "2026-11-25T11:00:00Z"}}; },
                 [](FakeCloud& c) {
                   nlohmann::json out = nlohmann::json::array();
                   for (const auto& k : c.users["alice"]) out.push_back({k.id, k.status});
                   return out;
                 },
                 "UpdateAccessKey", nlohmann::json::array({nlohmann::json::array({"AKIAOLD", "Inactive"})})});
  out.push_back({"ebs_default_encryption", "aws.ec2.enable_ebs_default_encryption",
                 finding("AWS::::Account", "AWS::::Account:111111111111"),
                 [](FakeCloud& c) { c.ebs_default_encryption = false; }, [](FakeCloud& c) { c.ebs_default_encryption = true; },
                 [](FakeCloud& c) { return nlohmann::json(c.ebs_default_encryption); }, "EnableEbsEncryptionByDefault", true});
  out.push_back({"kms_key_rotation", "aws.kms.enable_key_rotation",
                 finding("AWS::KMS::Key", "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
                 [](FakeCloud& c) { c.kms_rotation["1234abcd-12ab-34cd-56ef-1234567890ab"] = false; },
                 [](FakeCloud& c) { c.kms_rotation["1234abcd-12ab-34cd-56ef-1234567890ab"] = true; },
                 [](FakeCloud& c) { return nlohmann::json(c.kms_rotation["1234abcd-12ab-34cd-56ef-1234567890ab"]); },
                 "EnableKeyRotation", true});
  out.push_back({"rds_snapshot_private", "aws.rds.make_snapshot_private",
                 finding("AWS::RDS::DBSnapshot", "arn:aws:rds:us-east-1:111111111111:snapshot:db-snap-1"),
                 [](FakeCloud& c) { c.rds_restore["db-snap-1"] = {"all", "222222222222"}; },
                 [](FakeCloud& c) { c.rds_restore["db-snap-1"] = {"222222222222"}; },
                 [](FakeCloud& c) { return nlohmann::json(c.rds_restore["db-snap-1"]); }, "ModifyDBSnapshotAttribute",
                 nlohmann::json::array({"222222222222"})});
  out.push_back({"ec2_snapshot_private", "aws.ec2.make_snapshot_private",
                 finding("AWS::EC2::Snapshot", "arn:aws:ec2:us-east-1:111111111111:snapshot/snap-0f1"),
                 [](FakeCloud& c) { c.ec2_snapshot_public["snap-0f1"] = true; },
                 [](FakeCloud& c) { c.ec2_snapshot_public["snap-0f1"] = false; },
                 [](FakeCloud& c) { return nlohmann::json(c.ec2_snapshot_public["snap-0f1"]); }, "ModifySnapshotAttribute", false});
  out.push_back({"cloudtrail_log_validation", "aws.cloudtrail.enable_log_validation",
                 finding("AWS::CloudTrail::Trail", "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail"),
                 [](FakeCloud& c) { c.trail_validation["org-trail"] = false; },
                 [](FakeCloud& c) { c.trail_validation["org-trail"] = true; },
                 [](FakeCloud& c) { return nlohmann::json(c.trail_validation["org-trail"]); }, "UpdateTrail", true});
  return out;
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class EveryAction : public ::testing::TestWithParam<Case> {
 protected:
  RunRequest request() const {
    return RunRequest{GetParam().target, GetParam().action, nlohmann::json::object(), "corr-1", false};
  }
  Harness h;
};

TEST_P(EveryAction, MisconfiguredIsFixedVerifiedAndAuditedIntentBeforeResult) {
  GetParam().misconfigure(h.cloud);
  const RunReport report = h.runner.run(request());
  ASSERT_EQ(report.status, RunStatus::succeeded) << report.reason;
  EXPECT_EQ(GetParam().observe(h.cloud), GetParam().fixed);
  EXPECT_EQ(h.cloud.mutating_calls(), 1);
  EXPECT_FALSE(report.action_id.empty());
  EXPECT_FALSE(report.request_ids.empty());
  EXPECT_FALSE(report.before.is_null());
  EXPECT_FALSE(report.after.is_null());

  const auto records = h.records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].kind, "action_intent");
  EXPECT_EQ(records[1].kind, "action_result");
  const auto intent = nlohmann::json::parse(records[0].body);
  const auto result = nlohmann::json::parse(records[1].body);
  EXPECT_EQ(intent.at("plan").size(), report.plan.size());
  EXPECT_EQ(intent.at("plan")[0].at("operation"), GetParam().mutating_operation);
  EXPECT_EQ(intent.at("prior_state"), report.before);
  EXPECT_EQ(result.at("status"), "succeeded");
  EXPECT_EQ(result.at("request_ids"), nlohmann::json(report.request_ids));
  EXPECT_EQ(result.at("action_id"), intent.at("action_id"));
  EXPECT_TRUE(h.audit.verify()->ok());
}

TEST_P(EveryAction, AlreadyCompliantIsARecordedNoop) {
  GetParam().make_compliant(h.cloud);
  const nlohmann::json before = GetParam().observe(h.cloud);
  const RunReport report = h.runner.run(request());
  EXPECT_EQ(report.status, RunStatus::noop) << report.reason;
  EXPECT_EQ(h.cloud.mutating_calls(), 0);
  EXPECT_EQ(GetParam().observe(h.cloud), before);
  const auto records = h.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].kind, "action_result");
  EXPECT_EQ(nlohmann::json::parse(records[0].body).at("status"), "noop");
}

TEST_P(EveryAction, ThrottledCallIsRetried) {
  GetParam().misconfigure(h.cloud);
  h.cloud.fail_next(GetParam().mutating_operation, "Throttling", 2);
  const RunReport report = h.runner.run(request());
  ASSERT_EQ(report.status, RunStatus::succeeded) << report.reason;
  EXPECT_EQ(report.retries, 2);
  EXPECT_EQ(h.cloud.calls(GetParam().mutating_operation), 3);
  ASSERT_EQ(h.slept.size(), 2u);
  EXPECT_LT(h.slept[0], h.slept[1]);  // back-off grows
  EXPECT_EQ(GetParam().observe(h.cloud), GetParam().fixed);
}

TEST_P(EveryAction, AccessDeniedIsAnAuditedFailureAndChangesNothing) {
  GetParam().misconfigure(h.cloud);
  const nlohmann::json before = GetParam().observe(h.cloud);
  h.cloud.deny(GetParam().mutating_operation);
  const RunReport report = h.runner.run(request());
  EXPECT_EQ(report.status, RunStatus::failed);
  EXPECT_EQ(report.error_code, "aws.AccessDenied");
  EXPECT_EQ(h.cloud.calls(GetParam().mutating_operation), 1);  // not retried
  EXPECT_EQ(GetParam().observe(h.cloud), before);
  const auto results = h.records("action_result");
  ASSERT_EQ(results.size(), 1u);
  const auto body = nlohmann::json::parse(results[0].body);
  EXPECT_EQ(body.at("status"), "failed");
  EXPECT_EQ(body.at("error_code"), "aws.AccessDenied");
  EXPECT_NE(body.at("reason").get<std::string>().find("not authorized"), std::string::npos);
  EXPECT_EQ(h.records("action_intent").size(), 1u);  // the intent was recorded before the attempt
}

TEST_P(EveryAction, RollbackRestoresThePriorState) {
  GetParam().misconfigure(h.cloud);
  const nlohmann::json before = GetParam().observe(h.cloud);
  const RunReport fixed = h.runner.run(request());
  ASSERT_EQ(fixed.status, RunStatus::succeeded) << fixed.reason;
  const RunReport undone = h.runner.rollback(fixed.action_id, "corr-rollback");
  ASSERT_EQ(undone.status, RunStatus::rolled_back) << undone.reason;
  EXPECT_EQ(GetParam().observe(h.cloud), before);
  EXPECT_EQ(undone.after, fixed.before);
  EXPECT_EQ(h.rollbacks.get(fixed.action_id)->status, "rolled_back");
  EXPECT_EQ(h.records("rollback_intent").size(), 1u);
  EXPECT_EQ(h.records("rollback_result").size(), 1u);
}

TEST_P(EveryAction, DuplicateDeliveryMakesExactlyOneChange) {
  GetParam().misconfigure(h.cloud);
  const RunReport first = h.runner.run(request());
  ASSERT_EQ(first.status, RunStatus::succeeded) << first.reason;
  // The copy arrives after the loop-protection window: the precheck alone must stop it.
  h.clock.advance(std::chrono::hours(2));
  const RunReport second = h.runner.run(request());
  EXPECT_EQ(second.status, RunStatus::noop) << second.reason;
  EXPECT_EQ(h.cloud.mutating_calls(), 1);
}

TEST_P(EveryAction, KillSwitchPlansButChangesNothing) {
  GetParam().misconfigure(h.cloud);
  const nlohmann::json before = GetParam().observe(h.cloud);
  h.rails.kill_switch().set_engaged(true);
  const RunReport report = h.runner.run(request());
  EXPECT_EQ(report.status, RunStatus::dry_run);
  EXPECT_EQ(report.guardrail, "kill_switch");
  ASSERT_FALSE(report.plan.empty());
  EXPECT_EQ(report.plan[0].operation, GetParam().mutating_operation);
  EXPECT_EQ(h.cloud.mutating_calls(), 0);
  EXPECT_EQ(GetParam().observe(h.cloud), before);
}

INSTANTIATE_TEST_SUITE_P(Builtin, EveryAction, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

}  // namespace
}  // namespace fixgate::actions::testing
