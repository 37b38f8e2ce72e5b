// The approval life cycle end to end against the in-process cloud simulator:
// the request carries the dry-run plan and changes nothing; self-approval is
// refused; an expired request cannot be approved; approval runs the action
// after a fresh precheck (a resource fixed meanwhile is a recorded no-op); deny
// needs a reason; the runner's own approval_required (a recently used IAM key)
// also becomes a request and, once approved, runs without asking again. Every
// step is on the audit log.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "actions/aws_cloud_api.h"
#include "actions/runner.h"
#include "approvals/service.h"
#include "audit/memory_audit_log.h"
#include "aws/http.h"
#include "cloudsim/simulator.h"
#include "guardrails/guardrails.h"
#include "pipeline/decision_pipeline.h"

namespace fixgate::approvals {
namespace {

using namespace std::chrono;
constexpr const char* kAccount = "111111111111";
constexpr const char* kBastion = "sg-0bastion0000000000";

class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = cloudsim::Simulator::create_from_file(FIXGATE_SOURCE_DIR "/src/cloudsim/seeds/demo.json");
    ASSERT_TRUE(created.ok()) << created.error().to_string();
    sim = std::move(*created);
    ASSERT_TRUE(sim->start(0).ok());
    aws::ClientConfig platform;
    platform.region = "us-east-1";
    platform.endpoint_url = sim->endpoint();
    platform.transport = aws::make_curl_transport();
    platform.credentials = std::make_shared<aws::StaticCredentialsProvider>(
        aws::Credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", std::nullopt, "test"});
    sessions = std::make_unique<actions::AssumeRoleSessions>(platform, [](const std::string& account) {
      return Result<actions::RoleSpec>(
          actions::RoleSpec{"arn:aws:iam::" + account + ":role/fixgate-remediation", "demo-external-id", 900});
    });
    guardrails::GuardrailConfig rails_config;
    rails_config.rates = {.per_account_per_minute = 1000, .global_per_minute = 1000};
    rails = std::make_unique<guardrails::Guardrails>(rails_config, steady);
    actions::RunnerOptions options;
    options.retry.max_attempts = 1;
    runner = std::make_unique<actions::ActionRunner>(actions::builtin_actions(), *rails, *sessions, audit, rollbacks,
                                                     options);

    dir = std::filesystem::temp_directory_path() /
          ("fixgate-approvals-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto opened = ApprovalStore::open((dir / "approvals.db").string());
    ASSERT_TRUE(opened.ok()) << opened.error().to_string();
    store = std::move(*opened);
    ServiceOptions service_options;
    service_options.ttl = hours(4);
    service_options.clock = [this] { return now; };
    service_options.requested_by = "alice";
    service = std::make_unique<ApprovalService>(
        *store, audit, [this](const actions::RunRequest& r) { return runner->run(r); }, service_options);

    auto config_loaded = load_config(FIXGATE_SOURCE_DIR "/examples/fixgate.yaml");
    ASSERT_TRUE(config_loaded.ok());
    config = std::move(*config_loaded);
  }
  void TearDown() override {
    service.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }

  // The bastion SG finding, decided by the reference config: approval_required
  // (the catalog entry asks for approval in production).
  pipeline::DecidedFinding bastion() {
    std::ifstream in(FIXGATE_SOURCE_DIR "/examples/findings/wiz-sg-bastion-expired-waiver.json");
    const std::string payload((std::istreambuf_iterator<char>(in)), {});
    pipeline::PipelineOptions options;
    options.config = &config;
    options.clock = [this] { return now; };
    pipeline::DecisionPipeline pipeline(std::move(options));
    auto decided = pipeline.decide_payload(payload);
    EXPECT_TRUE(decided.ok());
    EXPECT_EQ(decided->size(), 1u);
    EXPECT_EQ(decided->at(0).decision.outcome, Outcome::approval_required);
    return decided->at(0);
  }

  int mutating_calls() {
    int n = 0;
    for (const auto& [op, count] : sim->call_counts()) {
      const std::string name = op.substr(op.find(':') + 1);
      if (name.rfind("Get", 0) != 0 && name.rfind("Describe", 0) != 0 && name.rfind("List", 0) != 0 &&
          name != "AssumeRole") {
        n += count;
      }
    }
    return n;
  }

  bool bastion_ssh_open() {
    bool open = false;
    sim->with_world([&](cloudsim::World& w) {
      for (const auto& g : w.find_account(kAccount)->security_groups) {
        if (g.group_id != kBastion) continue;
        for (const auto& r : g.rules) {
          open = open || (!r.egress && r.from_port <= 22 && r.to_port >= 22 && (r.source == "0.0.0.0/0" || r.source == "::/0"));
        }
      }
    });
    return open;
  }

  std::vector<std::string> approval_events(const std::string& correlation_id) {
    audit::AuditQuery q;
    q.kind = "approval";
    q.correlation_id = correlation_id;
    q.limit = 0;
    std::vector<std::string> events;
    const std::vector<audit::AuditRecord> records = audit.read(q).value();
    for (const auto& r : records) events.push_back(nlohmann::json::parse(r.body)["event"]);
    return events;
  }

  std::unique_ptr<cloudsim::Simulator> sim;
  guardrails::FakeClock steady;
  std::unique_ptr<guardrails::Guardrails> rails;
  audit::MemoryAuditLog audit;
  actions::MemoryRollbackStore rollbacks;
  std::unique_ptr<actions::AssumeRoleSessions> sessions;
  std::unique_ptr<actions::ActionRunner> runner;
  std::filesystem::path dir;
  std::unique_ptr<ApprovalStore> store;
  std::unique_ptr<ApprovalService> service;
  Config config;
  system_clock::time_point now = system_clock::now();
};

TEST_F(LifecycleTest, RequestCarriesTheDryRunPlanAndChangesNothing) {
  const auto item = bastion();
  auto asked = service->request_for_decision(item.finding, item.decision);
  ASSERT_TRUE(asked.ok()) << asked.error().to_string();
  ASSERT_TRUE(asked->request.has_value()) << asked->note;
  const ApprovalRequest& r = *asked->request;
  EXPECT_EQ(r.status, Status::pending);
  EXPECT_EQ(r.id.size(), 20u);
  EXPECT_EQ(r.correlation_id, item.decision.correlation_id);
  EXPECT_EQ(r.action, "aws.ec2.revoke_public_ingress");
  EXPECT_EQ(r.decision["outcome"], "approval_required");
  EXPECT_EQ(r.finding["resource_arn"], item.finding.resource_arn);
  EXPECT_EQ(r.requested_by, "alice");
  EXPECT_EQ(r.expires_at_ms - r.created_at_ms, 4 * 3600 * 1000);
  ASSERT_FALSE(r.plan.empty());
  EXPECT_NE(r.plan.dump().find("RevokeSecurityGroupIngress"), std::string::npos) << r.plan.dump();
  EXPECT_NE(r.why.find("approval"), std::string::npos) << r.why;
  EXPECT_EQ(mutating_calls(), 0);
  EXPECT_TRUE(bastion_ssh_open());
  EXPECT_EQ(approval_events(r.correlation_id), (std::vector<std::string>{"requested"}));

  // A redelivered finding finds the pending request instead of asking twice.
  auto again = service->request_for_decision(item.finding, item.decision);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->reused);
  EXPECT_EQ(again->request->id, r.id);
  EXPECT_EQ(service->list({.status = Status::pending})->size(), 1u);
}

TEST_F(LifecycleTest, SelfApprovalIsRefusedAndAudited) {
  const auto item = bastion();
  const std::string id = service->request_for_decision(item.finding, item.decision)->request->id;
  auto self = service->approve(id, "alice");
  ASSERT_FALSE(self.ok());
  EXPECT_EQ(self.error().code, "approvals.self_approval");
  EXPECT_EQ(service->get(id)->status, Status::pending);
  EXPECT_EQ(mutating_calls(), 0);
  EXPECT_EQ(approval_events(item.decision.correlation_id), (std::vector<std::string>{"requested", "refused"}));
}

TEST_F(LifecycleTest, ApprovalRunsTheActionAfterAFreshPrecheck) {
  const auto item = bastion();
  const std::string id = service->request_for_decision(item.finding, item.decision)->request->id;
  auto approved = service->approve(id, "bob", "change window CHG-42");
  ASSERT_TRUE(approved.ok()) << approved.error().to_string();
  EXPECT_EQ(approved->status, Status::approved);
  EXPECT_EQ(approved->decided_by, "bob");
  EXPECT_EQ(approved->note, "change window CHG-42");
  EXPECT_EQ(approved->result["status"], "succeeded") << approved->result.dump();
  EXPECT_FALSE(bastion_ssh_open());
  EXPECT_GT(mutating_calls(), 0);
  EXPECT_EQ(service->get(id)->result["status"], "succeeded");
  EXPECT_EQ(approval_events(item.decision.correlation_id),
            (std::vector<std::string>{"requested", "approved", "action_result"}));
  // The runner recorded the intent as approved, before the change.
  audit::AuditQuery q;
  q.kind = "action_intent";
  q.correlation_id = item.decision.correlation_id;
  const auto intents = audit.read(q).value();
  ASSERT_EQ(intents.size(), 1u);
  EXPECT_TRUE(nlohmann::json::parse(intents[0].body)["approved"].get<bool>());
  EXPECT_TRUE(audit.verify()->ok());
  // Decided once: a second approval (or a denial) is refused.
  EXPECT_EQ(service->approve(id, "carol").error().code, "approvals.not_pending");
  EXPECT_EQ(service->deny(id, "carol", "too late").error().code, "approvals.not_pending");
}

TEST_F(LifecycleTest, ResourceFixedMeanwhileIsARecordedNoop) {
  const auto item = bastion();
  const std::string id = service->request_for_decision(item.finding, item.decision)->request->id;
  // Someone closes SSH by hand while the request waits.
  sim->with_world([](cloudsim::World& w) {
    for (auto& g : w.find_account(kAccount)->security_groups) {
      if (g.group_id != kBastion) continue;
      std::erase_if(g.rules, [](const cloudsim::SgRule& r) {
        return !r.egress && (r.source == "0.0.0.0/0" || r.source == "::/0");
      });
    }
  });
  sim->clear_calls();
  auto approved = service->approve(id, "bob");
  ASSERT_TRUE(approved.ok()) << approved.error().to_string();
  EXPECT_EQ(approved->result["status"], "noop") << approved->result.dump();
  EXPECT_EQ(mutating_calls(), 0);
  EXPECT_GT(sim->call_count("ec2:DescribeSecurityGroups") + sim->call_count("ec2:DescribeSecurityGroupRules"), 0);
  audit::AuditQuery q;
  q.kind = "approval";
  q.correlation_id = item.decision.correlation_id;
  const auto records = audit.read(q).value();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(records[2].body)["status"], "noop");
}

TEST_F(LifecycleTest, ExpiredRequestCannotBeApproved) {
  const auto item = bastion();
  const std::string id = service->request_for_decision(item.finding, item.decision)->request->id;
  now += hours(4);
  auto late = service->approve(id, "bob");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, "approvals.expired");
  EXPECT_NE(late.error().message.find("expired at"), std::string::npos) << late.error().message;
  EXPECT_EQ(service->get(id)->status, Status::expired);
  EXPECT_EQ(service->deny(id, "bob", "no").error().code, "approvals.expired");
  EXPECT_EQ(mutating_calls(), 0);
  EXPECT_TRUE(bastion_ssh_open());
  EXPECT_EQ(approval_events(item.decision.correlation_id), (std::vector<std::string>{"requested", "expired"}));
  // A new decision for the same finding asks afresh.
  auto again = service->request_for_decision(item.finding, item.decision);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->reused);
  EXPECT_NE(again->request->id, id);
}

TEST_F(LifecycleTest, ExpireDueMarksOnlyRequestsPastTheirTtl) {
  const auto item = bastion();
  const std::string old_id = service->request_for_decision(item.finding, item.decision)->request->id;
  now += hours(3);
  EXPECT_EQ(*service->expire_due(), 0u);
  now += hours(1);
  EXPECT_EQ(*service->expire_due(), 1u);
  EXPECT_EQ(service->get(old_id)->status, Status::expired);
  EXPECT_EQ(*service->expire_due(), 0u);
}

TEST_F(LifecycleTest, DenyNeedsAReasonAndRunsNothing) {
  const auto item = bastion();
  const std::string id = service->request_for_decision(item.finding, item.decision)->request->id;
  EXPECT_EQ(service->deny(id, "bob", " ").error().code, "approvals.reason_required");
  auto denied = service->deny(id, "bob", "bastion is being replaced next week");
  ASSERT_TRUE(denied.ok()) << denied.error().to_string();
  EXPECT_EQ(denied->status, Status::denied);
  EXPECT_EQ(denied->note, "bastion is being replaced next week");
  EXPECT_EQ(service->approve(id, "carol").error().code, "approvals.not_pending");
  EXPECT_EQ(mutating_calls(), 0);
  EXPECT_EQ(approval_events(item.decision.correlation_id), (std::vector<std::string>{"requested", "denied"}));
  EXPECT_EQ(service->get("apr-0000000000000000").error().code, "approvals.not_found");
}

TEST_F(LifecycleTest, AlreadyCompliantAtRequestTimeNeedsNoRequest) {
  const auto item = bastion();
  sim->with_world([](cloudsim::World& w) {
    for (auto& g : w.find_account(kAccount)->security_groups) {
      if (g.group_id == kBastion) std::erase_if(g.rules, [](const cloudsim::SgRule& r) { return !r.egress; });
    }
  });
  auto asked = service->request_for_decision(item.finding, item.decision);
  ASSERT_TRUE(asked.ok()) << asked.error().to_string();
  EXPECT_FALSE(asked->request.has_value());
  EXPECT_EQ(asked->plan_run.status, actions::RunStatus::noop);
  EXPECT_NE(asked->note.find("no approval needed"), std::string::npos);
  EXPECT_TRUE(service->list({})->empty());
}

TEST_F(LifecycleTest, OnlyApprovalRequiredDecisionsAsk) {
  auto item = bastion();
  item.decision.outcome = Outcome::remediate;
  EXPECT_EQ(service->request_for_decision(item.finding, item.decision).error().code, "approvals.not_required");
}

TEST_F(LifecycleTest, RunnerApprovalRequiredBecomesARequestAndApprovedRunDoesNotLoop) {
  // payments-service's stale key was used three hours ago: the precheck asks for a person.
  Finding f;
  f.id = "wiz-iam-recent-key";
  f.open = true;
  f.resource_type = "AWS::IAM::User";
  f.resource_arn = "arn:aws:iam::111111111111:user/payments-service";
  f.account = kAccount;
  f.region = "us-east-1";
  f.raw = "{}";
  Decision d;
  d.finding_id = f.id;
  d.outcome = Outcome::remediate;
  d.action = "aws.iam.deactivate_access_key";
  d.params = {{"max_age_days", 90}};
  d.correlation_id = correlation_id_for(f);

  actions::RunRequest run{f, d.action, d.params, d.correlation_id};
  const actions::RunReport stopped = runner->run(run);
  ASSERT_EQ(stopped.status, actions::RunStatus::approval_required) << stopped.reason;
  ASSERT_FALSE(stopped.plan.empty());  // the approver sees the exact calls
  EXPECT_EQ(mutating_calls(), 0);

  auto asked = service->request_for_run(f, d, stopped);
  ASSERT_TRUE(asked.ok()) << asked.error().to_string();
  const ApprovalRequest r = *asked->request;
  EXPECT_NE(r.why.find("used within the last"), std::string::npos) << r.why;
  EXPECT_NE(r.plan.dump().find("UpdateAccessKey"), std::string::npos);

  auto approved = service->approve(r.id, "bob");
  ASSERT_TRUE(approved.ok()) << approved.error().to_string();
  EXPECT_EQ(approved->result["status"], "succeeded") << approved->result.dump();
  std::string key_status;
  sim->with_world([&](cloudsim::World& w) {
    for (const auto& u : w.find_account(kAccount)->users) {
      if (u.name == "payments-service") key_status = u.access_keys.at(0).status;
    }
  });
  EXPECT_EQ(key_status, "Inactive");
}

}  // namespace
}  // namespace fixgate::approvals
