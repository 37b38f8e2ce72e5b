// The built-in actions end to end over the real wire: fixgate's AWS client
// (SigV4, Query/EC2/REST-XML/JSON) assumes the member role through STS with the
// external ID and acts on the cloud simulator (src/cloudsim), started in-process
// on an ephemeral loopback port with the demo seed. Counts come from the
// simulator's own call counter; faults are injected by the simulator.
#include <gtest/gtest.h>

#include <functional>

#include "actions/aws_cloud_api.h"
#include "actions/runner.h"
#include "audit/memory_audit_log.h"
#include "aws/http.h"
#include "cloudsim/simulator.h"
#include "guardrails/guardrails.h"

namespace fixgate::actions {
namespace {

constexpr const char* kAccount = "111111111111";

class SimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = cloudsim::Simulator::create_from_file(FIXGATE_SOURCE_DIR "/src/cloudsim/seeds/demo.json");
    ASSERT_TRUE(created.ok()) << created.error().to_string();
    sim = std::move(*created);
    ASSERT_TRUE(sim->start(0).ok());
    sim->with_world([](cloudsim::World& w) {
      cloudsim::Ec2Snapshot snap;
      snap.snapshot_id = "snap-0public000000000";
      snap.create_volume_groups = {"all"};
      snap.create_volume_user_ids = {"222222222222"};
      w.find_account(kAccount)->ec2_snapshots.push_back(snap);
    });

    aws::ClientConfig platform;
    platform.region = "us-east-1";
    platform.endpoint_url = sim->endpoint();
    // S3 Control prefixes the host with the account id ("111111111111.<host>"), which
    // cannot be put in front of an IP address; curl resolves *.localhost to loopback.
    platform.endpoint_urls["S3 Control"] = "http://localhost:" + std::to_string(sim->port());
    platform.transport = aws::make_curl_transport();
    platform.credentials = std::make_shared<aws::StaticCredentialsProvider>(
        aws::Credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", std::nullopt, "test"});
    platform.retry.base_delay = std::chrono::milliseconds(1);
    platform.retry.max_backoff = std::chrono::milliseconds(5);
    sessions = std::make_unique<AssumeRoleSessions>(platform, [this](const std::string& account) -> Result<RoleSpec> {
      return RoleSpec{"arn:aws:iam::" + account + ":role/fixgate-remediation", external_id, 900};
    });
    guardrails::GuardrailConfig config;
    config.rates = {.per_account_per_minute = 1000, .global_per_minute = 1000};
    rails = std::make_unique<guardrails::Guardrails>(config, clock);
    RunnerOptions options;
    options.retry.max_attempts = 1;  // the AWS client retries
    runner = std::make_unique<ActionRunner>(builtin_actions(), *rails, *sessions, audit, rollbacks, options);
  }

  Finding finding(std::string type, std::string arn) {
    Finding f;
    f.id = "sim-" + arn;
    f.open = true;
    f.resource_type = std::move(type);
    f.resource_arn = std::move(arn);
    f.account = kAccount;
    f.region = "us-east-1";
    f.raw = "{}";
    return f;
  }

  nlohmann::json observe(const std::function<nlohmann::json(cloudsim::Account&)>& fn) {
    nlohmann::json out;
    sim->with_world([&](cloudsim::World& w) { out = fn(*w.find_account(kAccount)); });
    return out;
  }

  int mutating_calls() {
    int n = 0;
    for (const auto& [op, count] : sim->call_counts()) {
      const std::string name = op.substr(op.find(':') + 1);
      if (name.rfind("Get", 0) != 0 && name.rfind("Describe", 0) != 0 && name.rfind("List", 0) != 0 && name != "AssumeRole") {
        n += count;
      }
    }
    return n;
  }

  std::unique_ptr<cloudsim::Simulator> sim;
  std::string external_id = "demo-external-id";
  guardrails::FakeClock clock;
  std::unique_ptr<guardrails::Guardrails> rails;
  audit::MemoryAuditLog audit;
  MemoryRollbackStore rollbacks;
  std::unique_ptr<AssumeRoleSessions> sessions;
  std::unique_ptr<ActionRunner> runner;
};

struct SimCase {
  std::string name;
  std::string action;
  std::string type;
  std::string arn;
  std::function<nlohmann::json(cloudsim::Account&)> observe;
  nlohmann::json fixed;
};

cloudsim::Bucket& bucket(cloudsim::Account& a, const std::string& name) {
  for (auto& b : a.buckets) {
    if (b.name == name) return b;
  }
  throw std::runtime_error("no bucket " + name);
}

nlohmann::json pab_json(const std::optional<cloudsim::PublicAccessBlock>& p) {
  if (!p) return nullptr;
  return {p->block_public_acls, p->ignore_public_acls, p->block_public_policy, p->restrict_public_buckets};
}

nlohmann::json sg_rules(cloudsim::Account& a, const std::string& id) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& g : a.security_groups) {
    if (g.group_id != id) continue;
    for (const auto& r : g.rules) {
      if (!r.egress) out.push_back({r.protocol, r.from_port, r.to_port, r.source_kind, r.source, r.description});
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<SimCase> sim_cases() {
  const nlohmann::json all_on = {true, true, true, true};
  return {
      {"bucket_public_access_block", "aws.s3.block_public_access", "AWS::S3::Bucket", "arn:aws:s3:::public-website-assets",
       [](cloudsim::Account& a) { return pab_json(bucket(a, "public-website-assets").public_access_block); }, all_on},
      {"account_public_access_block", "aws.s3.block_public_access", "AWS::::Account", "AWS::::Account:111111111111",
       [](cloudsim::Account& a) { return pab_json(a.account_public_access_block); }, all_on},
      {"default_encryption", "aws.s3.enable_default_encryption", "AWS::S3::Bucket", "arn:aws:s3:::production-customer-exports",
       [](cloudsim::Account& a) -> nlohmann::json {
         const auto& e = bucket(a, "production-customer-exports").encryption;
         return e ? nlohmann::json(e->algorithm) : nlohmann::json(nullptr);
       },
       "AES256"},
      {"remove_public_acl", "aws.s3.remove_public_acl", "AWS::S3::Bucket", "arn:aws:s3:::production-customer-exports",
       [](cloudsim::Account& a) {
         nlohmann::json grants = nlohmann::json::array();
         for (const auto& g : bucket(a, "production-customer-exports").grants) grants.push_back({g.grantee_type, g.uri, g.permission});
         return grants;
       },
       nlohmann::json::array({nlohmann::json::array({"CanonicalUser", "", "FULL_CONTROL"})})},
      {"revoke_public_ingress", "aws.ec2.revoke_public_ingress", "AWS::EC2::SecurityGroup",
       "arn:aws:ec2:us-east-1:111111111111:security-group/sg-01a000000000000001",
       [](cloudsim::Account& a) { return sg_rules(a, "sg-01a000000000000001"); },
       nlohmann::json::parse(R"json([["tcp",443,443,"cidr_ipv4","0.0.0.0/0","HTTPS from anywhere"],
                                  ["tcp",443,443,"cidr_ipv6","::/0","HTTPS from anywhere (v6)"]])json")},
      {"deactivate_access_key", "aws.iam.deactivate_access_key", "AWS::IAM::User", "arn:aws:iam::111111111111:user/ci-deployer",
       [](cloudsim::Account& a) {
         for (const auto& u : a.users) {
           if (u.name == "ci-deployer") return nlohmann::json(u.access_keys.at(0).status);
         }
         return nlohmann::json(nullptr);
       },
       "Inactive"},
      {"ebs_default_encryption", "aws.ec2.enable_ebs_default_encryption", "AWS::::Account", "AWS::::Account:111111111111",
       [](cloudsim::Account& a) { return nlohmann::json(a.ebs_encryption_by_default["us-east-1"]); }, true},
      {"kms_key_rotation", "aws.kms.enable_key_rotation", "AWS::KMS::Key",
       "arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555",
       [](cloudsim::Account& a) {
         for (const auto& k : a.kms_keys) {
           if (k.key_id == "11111111-2222-3333-4444-555555555555") return nlohmann::json(k.rotation_enabled);
         }
         return nlohmann::json(nullptr);
       },
       true},
      {"rds_snapshot_private", "aws.rds.make_snapshot_private", "AWS::RDS::DBSnapshot",
       "arn:aws:rds:us-east-1:111111111111:snapshot:production-db-public-snapshot",
       [](cloudsim::Account& a) {
         for (const auto& s : a.rds_snapshots) {
           if (s.identifier == "production-db-public-snapshot") return nlohmann::json(s.restore);
         }
         return nlohmann::json(nullptr);
       },
       nlohmann::json::array()},
      {"ec2_snapshot_private", "aws.ec2.make_snapshot_private", "AWS::EC2::Snapshot",
       "arn:aws:ec2:us-east-1:111111111111:snapshot/snap-0public000000000",
       [](cloudsim::Account& a) {
         for (const auto& s : a.ec2_snapshots) {
           if (s.snapshot_id == "snap-0public000000000") return nlohmann::json{s.create_volume_groups, s.create_volume_user_ids};
         }
         return nlohmann::json(nullptr);
       },
       nlohmann::json::array({nlohmann::json::array(), nlohmann::json::array({"222222222222"})})},
      {"cloudtrail_log_validation", "aws.cloudtrail.enable_log_validation", "AWS::CloudTrail::Trail",
       "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-audit-trail",
       [](cloudsim::Account& a) { return nlohmann::json(a.trails.at(0).log_file_validation); }, true},
  };
}

void PrintTo(const SimCase& c, std::ostream* os) { *os << c.name; }

class EveryActionOnSimulator : public SimTest, public ::testing::WithParamInterface<SimCase> {};

TEST_P(EveryActionOnSimulator, FixVerifyNoopOnRedeliveryAndRollback) {
  const SimCase& c = GetParam();
  const Finding f = finding(c.type, c.arn);
  const nlohmann::json before = observe(c.observe);
  ASSERT_NE(before, c.fixed) << "the seed must start misconfigured";

  const RunReport fixed = runner->run({f, c.action, {}, "corr-sim-1"});
  ASSERT_EQ(fixed.status, RunStatus::succeeded) << fixed.reason;
  EXPECT_EQ(observe(c.observe), c.fixed);
  EXPECT_EQ(mutating_calls(), 1);
  ASSERT_FALSE(fixed.request_ids.empty());
  EXPECT_FALSE(fixed.request_ids[0].empty());

  clock.advance(std::chrono::hours(2));  // past loop protection: only the precheck stops the copy
  const RunReport again = runner->run({f, c.action, {}, "corr-sim-2"});
  EXPECT_EQ(again.status, RunStatus::noop) << again.reason;
  EXPECT_EQ(mutating_calls(), 1);

  const RunReport undone = runner->rollback(fixed.action_id, "corr-sim-3");
  ASSERT_EQ(undone.status, RunStatus::rolled_back) << undone.reason;
  EXPECT_EQ(observe(c.observe), before);
  EXPECT_TRUE(audit.verify()->ok());
}

INSTANTIATE_TEST_SUITE_P(Builtin, EveryActionOnSimulator, ::testing::ValuesIn(sim_cases()),
                         [](const ::testing::TestParamInfo<SimCase>& info) { return info.param.name; });

TEST_F(SimTest, MixedSecurityGroupKeepsGroupReferencesPrivateCidrsAndPrefixLists) {
  const nlohmann::json before = observe([](cloudsim::Account& a) { return sg_rules(a, "sg-01a000000000000002"); });
  const RunReport r = runner->run({finding("AWS::EC2::SecurityGroup", "arn:aws:ec2:us-east-1:111111111111:security-group/sg-01a000000000000002"),
                                   "aws.ec2.revoke_public_ingress", {}, "corr"});
  ASSERT_EQ(r.status, RunStatus::succeeded) << r.reason;
  nlohmann::json expected = nlohmann::json::array();
  for (const auto& rule : before) {
    if (!(rule[1] == 3389 && rule[4] == "0.0.0.0/0")) expected.push_back(rule);
  }
  EXPECT_EQ(expected.size(), before.size() - 1);
  EXPECT_EQ(observe([](cloudsim::Account& a) { return sg_rules(a, "sg-01a000000000000002"); }), expected);
}

TEST_F(SimTest, ThrottledApplyIsRetriedByTheClient) {
  sim->add_fault({"ec2:RevokeSecurityGroupIngress", "*", cloudsim::FaultKind::kThrottle, 2, 0});
  const RunReport r = runner->run({finding("AWS::EC2::SecurityGroup", "arn:aws:ec2:us-east-1:111111111111:security-group/sg-0bastion0000000000"),
                                   "aws.ec2.revoke_public_ingress", {}, "corr"});
  ASSERT_EQ(r.status, RunStatus::succeeded) << r.reason;
  EXPECT_EQ(sim->call_count("ec2:RevokeSecurityGroupIngress"), 3);
}

TEST_F(SimTest, AccessDeniedIsAnAuditedFailure) {
  sim->add_fault({"kms:EnableKeyRotation", "*", cloudsim::FaultKind::kDeny, -1, 0});
  const RunReport r = runner->run({finding("AWS::KMS::Key", "arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555"),
                                   "aws.kms.enable_key_rotation", {}, "corr"});
  EXPECT_EQ(r.status, RunStatus::failed);
  EXPECT_EQ(r.error_code, "aws.AccessDeniedException");
  EXPECT_EQ(sim->call_count("kms:EnableKeyRotation"), 1);
  audit::AuditQuery q;
  q.kind = "action_result";
  const auto results = audit.read(q);
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->size(), 1u);
  const auto body = nlohmann::json::parse(results->at(0).body);
  EXPECT_EQ(body.at("status"), "failed");
  EXPECT_EQ(body.at("error_code"), "aws.AccessDeniedException");
}

TEST_F(SimTest, RecentlyUsedKeyNeedsApproval) {
  const RunReport r = runner->run({finding("AWS::IAM::User", "arn:aws:iam::111111111111:user/payments-service"),
                                   "aws.iam.deactivate_access_key", {}, "corr"});
  EXPECT_EQ(r.status, RunStatus::approval_required) << r.reason;
  EXPECT_EQ(r.evidence.at("recently_used")[0].at("ServiceName"), "dynamodb");
  EXPECT_EQ(mutating_calls(), 0);
}

TEST_F(SimTest, WrongExternalIdFailsClosed) {
  external_id = "not-the-external-id";
  const RunReport r = runner->run({finding("AWS::KMS::Key", "arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555"),
                                   "aws.kms.enable_key_rotation", {}, "corr"});
  EXPECT_EQ(r.status, RunStatus::failed);
  EXPECT_EQ(r.error_code.rfind("sts.", 0), 0u) << r.error_code;
  EXPECT_EQ(mutating_calls(), 0);
}

}  // namespace
}  // namespace fixgate::actions
