// The runner's own guarantees beyond a single action: the guardrails it
// consults, fail-closed audit, approval routing, mixed security-group rules,
// concurrent duplicate delivery, parameter validation.
#include <gtest/gtest.h>

#include <thread>

#include "harness.h"

namespace fixgate::actions::testing {
namespace {

Finding sg_finding(const std::string& id = "sg-mixed") {
  Finding f;
  f.id = "wiz-issue-1";
  f.open = true;
  f.resource_type = "AWS::EC2::SecurityGroup";
  f.resource_arn = "arn:aws:ec2:us-east-1:111111111111:security-group/" + id;
  f.account = "111111111111";
  f.region = "us-east-1";
  f.raw = "{}";
  return f;
}

Finding user_finding() {
  Finding f;
  f.id = "iam-1";
  f.open = true;
  f.resource_type = "AWS::IAM::User";
  f.resource_arn = "arn:aws:iam::111111111111:user/bob";
  f.account = "111111111111";
  f.region = "us-east-1";
  f.raw = "{}";
  return f;
}

const char* kMixedGroup = R"([
  {"IpProtocol":"tcp","FromPort":22,"ToPort":22,
   "IpRanges":[{"CidrIp":"0.0.0.0/0","Description":"ssh from anywhere"},{"CidrIp":"10.0.0.0/8"}],
   "Ipv6Ranges":[{"CidrIpv6":"::/0"}],"UserIdGroupPairs":[],"PrefixListIds":[]},
  {"IpProtocol":"tcp","FromPort":443,"ToPort":443,
   "IpRanges":[{"CidrIp":"0.0.0.0/0"}],"Ipv6Ranges":[{"CidrIpv6":"::/0"}],"UserIdGroupPairs":[],"PrefixListIds":[]},
  {"IpProtocol":"tcp","FromPort":3000,"ToPort":4000,
   "IpRanges":[{"CidrIp":"0.0.0.0/0"}],"Ipv6Ranges":[],"UserIdGroupPairs":[],"PrefixListIds":[]},
  {"IpProtocol":"tcp","FromPort":8000,"ToPort":9000,
   "IpRanges":[{"CidrIp":"0.0.0.0/0"}],"Ipv6Ranges":[],"UserIdGroupPairs":[],"PrefixListIds":[]},
  {"IpProtocol":"tcp","FromPort":3389,"ToPort":3389,
   "IpRanges":[{"CidrIp":"192.168.0.0/16"}],"Ipv6Ranges":[],
   "UserIdGroupPairs":[{"GroupId":"sg-bastion","UserId":"111111111111"}],"PrefixListIds":[]},
  {"IpProtocol":"-1",
   "IpRanges":[{"CidrIp":"172.16.0.0/12"}],"Ipv6Ranges":[],"UserIdGroupPairs":[{"GroupId":"sg-self","UserId":"111111111111"}],"PrefixListIds":[]},
  {"IpProtocol":"udp","FromPort":0,"ToPort":65535,
   "IpRanges":[{"CidrIp":"0.0.0.0/0"}],"Ipv6Ranges":[],"UserIdGroupPairs":[],"PrefixListIds":[]},
  {"IpProtocol":"icmp","FromPort":-1,"ToPort":-1,
   "IpRanges":[{"CidrIp":"0.0.0.0/0"}],"Ipv6Ranges":[],"UserIdGroupPairs":[],"PrefixListIds":[]}
])";

TEST(RevokePublicIngress, MixedGroupKeepsEveryRuleThatIsNotPublicAdminAccess) {
  Harness h;
  h.cloud.security_groups["sg-mixed"] = nlohmann::json::parse(kMixedGroup);
  const RunReport report = h.runner.run({sg_finding(), "aws.ec2.revoke_public_ingress", {}, "c1"});
  ASSERT_EQ(report.status, RunStatus::succeeded) << report.reason;
  ASSERT_EQ(report.plan.size(), 1u);
  const auto revoked = report.plan[0].params.at("IpPermissions");
  // tcp/22 (v4 + v6), tcp/3000-4000 (covers 3389) and udp/0-65535 (covers both).
  ASSERT_EQ(revoked.size(), 3u);

  const nlohmann::json expected = nlohmann::json::parse(R"([
    {"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"10.0.0.0/8"}],
     "Ipv6Ranges":[],"UserIdGroupPairs":[],"PrefixListIds":[]},
    {"IpProtocol":"tcp","FromPort":443,"ToPort":443,
     "IpRanges":[{"CidrIp":"0.0.0.0/0"}],"Ipv6Ranges":[{"CidrIpv6":"::/0"}],"UserIdGroupPairs":[],"PrefixListIds":[]},
    {"IpProtocol":"tcp","FromPort":8000,"ToPort":9000,
     "IpRanges":[{"CidrIp":"0.0.0.0/0"}],"Ipv6Ranges":[],"UserIdGroupPairs":[],"PrefixListIds":[]},
    {"IpProtocol":"tcp","FromPort":3389,"ToPort":3389,
     "IpRanges":[{"CidrIp":"192.168.0.0/16"}],"Ipv6Ranges":[],
     "UserIdGroupPairs":[{"GroupId":"sg-bastion","UserId":"111111111111"}],"PrefixListIds":[]},
    {"IpProtocol":"-1",
     "IpRanges":[{"CidrIp":"172.16.0.0/12"}],"Ipv6Ranges":[],"UserIdGroupPairs":[{"GroupId":"sg-self","UserId":"111111111111"}],"PrefixListIds":[]},
    {"IpProtocol":"icmp","FromPort":-1,"ToPort":-1,
     "IpRanges":[{"CidrIp":"0.0.0.0/0"}],"Ipv6Ranges":[],"UserIdGroupPairs":[],"PrefixListIds":[]}
  ])");
  EXPECT_EQ(h.cloud.security_groups["sg-mixed"], expected);
}

TEST(RevokePublicIngress, AllTrafficFromAnywhereCoversTheAdminPorts) {
  Harness h;
  h.cloud.security_groups["sg-all"] = nlohmann::json::parse(
      R"([{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"},{"CidrIp":"10.1.0.0/16"}],"Ipv6Ranges":[],"UserIdGroupPairs":[],"PrefixListIds":[]}])");
  const RunReport report = h.runner.run({sg_finding("sg-all"), "aws.ec2.revoke_public_ingress", {}, "c1"});
  ASSERT_EQ(report.status, RunStatus::succeeded) << report.reason;
  EXPECT_FALSE(report.plan[0].params.at("IpPermissions")[0].contains("FromPort"));
  EXPECT_EQ(h.cloud.security_groups["sg-all"][0]["IpRanges"], nlohmann::json::parse(R"([{"CidrIp":"10.1.0.0/16"}])"));
}

TEST(RevokePublicIngress, PortsParameterNarrowsTheScope) {
  Harness h;
  h.cloud.security_groups["sg-mixed"] = nlohmann::json::parse(kMixedGroup);
  const RunReport report = h.runner.run({sg_finding(), "aws.ec2.revoke_public_ingress", {{"ports", {3500}}}, "c1"});
  ASSERT_EQ(report.status, RunStatus::succeeded) << report.reason;
  const auto revoked = report.plan[0].params.at("IpPermissions");
  ASSERT_EQ(revoked.size(), 2u);  // tcp 3000-4000 and udp 0-65535; port 22 untouched
  EXPECT_EQ(h.cloud.security_groups["sg-mixed"][0]["IpRanges"].size(), 2u);
}

TEST(DeactivateAccessKey, RecentlyUsedStaleKeyNeedsApprovalWithEvidence) {
  Harness h;
  h.cloud.users["bob"] = {{"AKIASTALE", "Active", "2024-01-01T00:00:00Z", "2026-11-25T06:30:00Z", "ec2"},
                          {"AKIAFRESH", "Active", "2026-11-20T00:00:00Z", "", "s3"}};
  const RunReport report = h.runner.run({user_finding(), "aws.iam.deactivate_access_key", {{"max_age_days", 90}}, "c1"});
  EXPECT_EQ(report.status, RunStatus::approval_required);
  EXPECT_EQ(h.cloud.mutating_calls(), 0);
  EXPECT_NE(report.reason.find("2026-11-25T06:30:00Z"), std::string::npos);
  EXPECT_EQ(report.evidence.at("recently_used")[0].at("AccessKeyId"), "AKIASTALE");
  EXPECT_EQ(report.evidence.at("recently_used")[0].at("ServiceName"), "ec2");
  const auto results = h.records("action_result");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(results[0].body).at("status"), "approval_required");
}

TEST(DeactivateAccessKey, OnlyStaleActiveKeysAreDeactivated) {
  Harness h;
  h.cloud.users["bob"] = {{"AKIASTALE", "Active", "2024-01-01T00:00:00Z", "2026-06-01T00:00:00Z"},
                          {"AKIAFRESH", "Active", "2026-11-20T00:00:00Z", "2026-11-25T11:59:00Z"},
                          {"AKIAOFF", "Inactive", "2020-01-01T00:00:00Z", ""}};
  const RunReport report = h.runner.run({user_finding(), "aws.iam.deactivate_access_key", {}, "c1"});
  ASSERT_EQ(report.status, RunStatus::succeeded) << report.reason;
  EXPECT_EQ(h.cloud.users["bob"][0].status, "Inactive");
  EXPECT_EQ(h.cloud.users["bob"][1].status, "Active");
  EXPECT_EQ(h.cloud.calls("UpdateAccessKey"), 1);
}

TEST(Runner, AuditIntentFailureMeansNothingIsChanged) {
  struct BrokenAudit final : audit::AuditSink {
    Result<audit::AuditRecord> append(const audit::AuditEntry&) override { return make_error("audit.io", "disk full"); }
    Result<std::vector<audit::AuditRecord>> append_batch(const std::vector<audit::AuditEntry>&) override {
      return make_error("audit.io", "disk full");
    }
    Result<audit::VerifyReport> verify(const audit::VerifyOptions&) override { return audit::VerifyReport{}; }
    Result<std::vector<audit::AuditRecord>> read(const audit::AuditQuery&) override { return std::vector<audit::AuditRecord>{}; }
  } broken;
  guardrails::FakeClock clock;
  guardrails::Guardrails rails(roomy_guardrails(), clock);
  FakeCloud cloud;
  cloud.kms_rotation["k1"] = false;
  SharedSessions sessions(cloud);
  MemoryRollbackStore rollbacks;
  ActionRunner runner(builtin_actions(), rails, sessions, broken, rollbacks);
  Finding f;
  f.id = "kms-1";
  f.resource_type = "AWS::KMS::Key";
  f.resource_arn = "arn:aws:kms:us-east-1:111111111111:key/k1";
  f.region = "us-east-1";
  const RunReport report = runner.run({f, "aws.kms.enable_key_rotation", {}, "c1"});
  EXPECT_EQ(report.status, RunStatus::failed);
  EXPECT_EQ(report.error_code, "audit.io");
  EXPECT_EQ(cloud.mutating_calls(), 0);
  EXPECT_FALSE(cloud.kms_rotation["k1"]);
  EXPECT_FALSE(report.audit_error.empty());  // and the result could not be written either: reported
}

TEST(Runner, ConcurrentDuplicateDeliveryMakesExactlyOneChange) {
  Harness h;
  h.cloud.set_latency(std::chrono::microseconds(2000));  // widen the race window
  h.cloud.buckets["race"];
  Finding f;
  f.id = "dup";
  f.resource_type = "AWS::S3::Bucket";
  f.resource_arn = "arn:aws:s3:::race";
  f.account = "111111111111";
  f.region = "us-east-1";
  std::vector<RunReport> reports(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] { reports[i] = h.runner.run({f, "aws.s3.block_public_access", {}, "c" + std::to_string(i)}); });
  }
  for (auto& t : threads) t.join();
  int succeeded = 0;
  for (const auto& r : reports) {
    if (r.status == RunStatus::succeeded) {
      ++succeeded;
    } else {
      EXPECT_TRUE(r.status == RunStatus::noop || r.status == RunStatus::deferred) << to_string(r.status);
    }
  }
  EXPECT_EQ(succeeded, 1);
  EXPECT_EQ(h.cloud.calls("PutPublicAccessBlock"), 1);
}

TEST(Runner, OpenCircuitBreakerDefersAndRateLimitDefers) {
  guardrails::GuardrailConfig config = roomy_guardrails();
  config.breaker.consecutive_failures = 2;
  config.rates.per_account_per_minute = 3;
  Harness h(config);
  for (const char* key : {"k1", "k2", "k3", "k4"}) h.cloud.kms_rotation[key] = false;
  h.cloud.deny("EnableKeyRotation");
  auto kms = [](const std::string& key) {
    Finding f;
    f.id = key;
    f.resource_type = "AWS::KMS::Key";
    f.resource_arn = "arn:aws:kms:us-east-1:111111111111:key/" + key;
    f.account = "111111111111";
    f.region = "us-east-1";
    return RunRequest{f, "aws.kms.enable_key_rotation", {}, "c-" + key};
  };
  EXPECT_EQ(h.runner.run(kms("k1")).status, RunStatus::failed);
  EXPECT_EQ(h.runner.run(kms("k2")).status, RunStatus::failed);
  const RunReport deferred = h.runner.run(kms("k3"));
  EXPECT_EQ(deferred.status, RunStatus::deferred);
  EXPECT_EQ(deferred.guardrail, "circuit_breaker");
  EXPECT_EQ(h.cloud.calls("EnableKeyRotation"), 2);

  h.clock.advance(config.breaker.cool_down);
  const RunReport probe = h.runner.run(kms("k3"));  // half-open: one probe goes through
  EXPECT_EQ(probe.status, RunStatus::failed);       // it fails, so the breaker opens again
  EXPECT_EQ(h.runner.run(kms("k4")).guardrail, "circuit_breaker");
}

TEST(Runner, RateLimitDefersWithoutTouchingTheCloud) {
  guardrails::GuardrailConfig config = roomy_guardrails();
  config.rates.per_account_per_minute = 1;
  Harness h(config);
  h.cloud.kms_rotation["a"] = false;
  h.cloud.kms_rotation["b"] = false;
  auto kms = [](const std::string& key) {
    Finding f;
    f.id = key;
    f.resource_type = "AWS::KMS::Key";
    f.resource_arn = "arn:aws:kms:us-east-1:111111111111:key/" + key;
    f.account = "111111111111";
    f.region = "us-east-1";
    return RunRequest{f, "aws.kms.enable_key_rotation", {}, "c-" + key};
  };
  EXPECT_EQ(h.runner.run(kms("a")).status, RunStatus::succeeded);
  const int calls = h.cloud.total_calls();
  const RunReport second = h.runner.run(kms("b"));
  EXPECT_EQ(second.status, RunStatus::deferred);
  EXPECT_EQ(second.guardrail, "rate_limit");
  EXPECT_EQ(h.cloud.total_calls(), calls);
  EXPECT_EQ(h.records("action_result").size(), 2u);
}

TEST(Runner, FindingThatEchoesFixgatesOwnSessionIsDeferred) {
  Harness h;
  h.cloud.kms_rotation["k"] = false;
  Finding f;
  f.id = "echo";
  f.resource_type = "AWS::KMS::Key";
  f.resource_arn = "arn:aws:kms:us-east-1:111111111111:key/k";
  f.region = "us-east-1";
  f.raw = R"({"actor":{"arn":"arn:aws:sts::111111111111:assumed-role/fixgate-remediation/fixgate-corr-9"}})";
  const RunReport report = h.runner.run({f, "aws.kms.enable_key_rotation", {}, "c"});
  EXPECT_EQ(report.status, RunStatus::deferred);
  EXPECT_EQ(report.guardrail, "loop_protection");
  EXPECT_EQ(h.cloud.total_calls(), 0);
}

TEST(Runner, DecisionDryRunPlansOnly) {
  Harness h;
  h.cloud.trail_validation["t"] = false;
  Finding f;
  f.id = "t";
  f.resource_type = "AWS::CloudTrail::Trail";
  f.resource_arn = "arn:aws:cloudtrail:us-east-1:111111111111:trail/t";
  f.region = "us-east-1";
  const RunReport report = h.runner.run({f, "aws.cloudtrail.enable_log_validation", {}, "c", true});
  EXPECT_EQ(report.status, RunStatus::dry_run);
  ASSERT_EQ(report.plan.size(), 1u);
  EXPECT_EQ(report.plan[0].params, nlohmann::json::parse(R"({"Name":"t","EnableLogFileValidation":true})"));
  EXPECT_FALSE(h.cloud.trail_validation["t"]);
}

TEST(Runner, RejectsBadInputBeforeAnyCall) {
  Harness h;
  Finding bucket;
  bucket.id = "b";
  bucket.resource_type = "AWS::S3::Bucket";
  bucket.resource_arn = "arn:aws:s3:::b";
  RunReport r = h.runner.run({bucket, "aws.nope", {}, "c"});
  EXPECT_EQ(r.error_code, "actions.unknown_action");
  r = h.runner.run({bucket, "aws.ec2.revoke_public_ingress", {}, "c"});
  EXPECT_EQ(r.error_code, "actions.unsupported_resource_type");
  r = h.runner.run({bucket, "aws.s3.enable_default_encryption", {{"algorithm", "rot13"}}, "c"});
  EXPECT_EQ(r.error_code, "actions.invalid_params");
  EXPECT_NE(r.reason.find("params.algorithm"), std::string::npos);
  EXPECT_EQ(h.cloud.total_calls(), 0);
  EXPECT_EQ(h.records("action_result").size(), 3u);
}

TEST(Runner, FailedRoleAssumptionIsAnAuditedFailure) {
  Harness h;
  h.sessions.fail_assume_role(true);
  Finding f;
  f.id = "k";
  f.resource_type = "AWS::KMS::Key";
  f.resource_arn = "arn:aws:kms:us-east-1:111111111111:key/k";
  const RunReport report = h.runner.run({f, "aws.kms.enable_key_rotation", {}, "c"});
  EXPECT_EQ(report.status, RunStatus::failed);
  EXPECT_EQ(report.error_code, "sts.AccessDenied");
  EXPECT_EQ(h.records("action_result").size(), 1u);
}

TEST(Runner, RollbackOfUnknownActionIdFails) {
  Harness h;
  const RunReport report = h.runner.rollback("act-0000000000000000", "c");
  EXPECT_EQ(report.status, RunStatus::failed);
  EXPECT_EQ(report.error_code, "actions.rollback_not_found");
}

}  // namespace
}  // namespace fixgate::actions::testing
