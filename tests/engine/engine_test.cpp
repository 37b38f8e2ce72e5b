#include "engine/engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "support/engine_harness.h"
#include "support/temp_dir.h"

namespace fixgate::engine {
namespace {

using testing::example_finding;

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cloud = testing::start_cloud("demo.json");
    ASSERT_TRUE(cloud.ok()) << cloud.error().to_string();
    cloud_ = std::move(cloud).value();
    sim = cloud_.sim.get();
    // The example finding's bucket, public and unprotected.
    sim->with_world([](cloudsim::World& world) {
      cloudsim::Bucket bucket;
      bucket.name = "acme-customer-exports";
      world.find_account("111111111111")->buckets.push_back(bucket);
    });
    auto opened = testing::open_engine(cloud_, {.state_dir = state_.path()});
    ASSERT_TRUE(opened.ok()) << opened.error().to_string();
    engine = std::move(opened).value();
  }

  bool bucket_blocked() {
    bool blocked = false;
    sim->with_world([&](cloudsim::World& world) {
      const auto* bucket = world.find_bucket("acme-customer-exports");
      blocked = bucket && bucket->public_access_block && bucket->public_access_block->block_public_acls &&
                bucket->public_access_block->restrict_public_buckets;
    });
    return blocked;
  }

  // Destroyed in reverse order: the engine stops before the cloud it calls and the dir it writes.
  testing::TempDir state_;
  testing::SimulatedCloud cloud_;
  cloudsim::Simulator* sim = nullptr;
  std::unique_ptr<Engine> engine;
};

TEST_F(EngineTest, RemediatesVerifiesAndRecordsDecisionBeforeAction) {
  auto outcomes = engine->handle_payload(example_finding("wiz-s3-public-bucket-production.json"));
  ASSERT_TRUE(outcomes.ok()) << outcomes.error().to_string();
  ASSERT_EQ(outcomes->size(), 1u);
  const FindingOutcome& outcome = outcomes->front();
  EXPECT_EQ(outcome.decided.decision.outcome, Outcome::remediate);
  ASSERT_TRUE(outcome.action.has_value());
  EXPECT_EQ(outcome.action->status, actions::RunStatus::succeeded) << outcome.action->reason;
  EXPECT_FALSE(outcome.needs_review);
  EXPECT_TRUE(bucket_blocked());

  audit::AuditQuery query;
  query.correlation_id = outcome.decided.decision.correlation_id;
  auto records = engine->audit().read(query);
  ASSERT_TRUE(records.ok());
  std::vector<std::string> kinds;
  for (const auto& record : *records) kinds.push_back(record.kind);
  // role_session: which assumed-role session (access key id, never the secret) acts.
  EXPECT_EQ(kinds, (std::vector<std::string>{"decision", "role_session", "action_intent", "action_result"}));

  const auto line = outcome.to_json();
  EXPECT_EQ(line["decision"]["outcome"], "remediate");
  EXPECT_EQ(line["action_result"]["status"], "succeeded");
  EXPECT_FALSE(line.contains("review"));
}

// The change is recent, so loop protection holds the copy before any call; had the
// window passed, the precheck would find the bucket compliant (a no-op).
TEST_F(EngineTest, RedeliveryMakesNoSecondChange) {
  ASSERT_TRUE(engine->handle_payload(example_finding("wiz-s3-public-bucket-production.json")).ok());
  sim->clear_calls();
  auto again = engine->handle_payload(example_finding("wiz-s3-public-bucket-production.json"));
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(again->front().action.has_value());
  EXPECT_EQ(again->front().action->status, actions::RunStatus::deferred);
  EXPECT_EQ(again->front().action->guardrail, "loop_protection");
  EXPECT_EQ(sim->call_count("s3:PutPublicAccessBlock"), 0);
}

TEST_F(EngineTest, ConcurrentDuplicatesChangeTheResourceOnce) {
  const std::string payload = example_finding("wiz-s3-public-bucket-production.json");
  std::atomic<int> succeeded{0}, noop{0}, other{0};
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i) {
    workers.emplace_back([&] {
      auto outcomes = engine->handle_payload(payload);
      if (!outcomes.ok() || !outcomes->front().action) {
        ++other;
        return;
      }
      const auto status = outcomes->front().action->status;
      if (status == actions::RunStatus::succeeded) ++succeeded;
      else if (status == actions::RunStatus::noop) ++noop;
      else ++other;
    });
  }
  for (auto& worker : workers) worker.join();
  EXPECT_EQ(succeeded.load(), 1);
  EXPECT_EQ(noop.load(), 3);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(sim->call_count("s3:PutPublicAccessBlock"), 1);
}

TEST_F(EngineTest, MalformedInputIsRejectedForReviewAndNothingIsCalled) {
  sim->clear_calls();
  auto outcomes = engine->handle_payload(example_finding("wiz-malformed-missing-issue-id.json"));
  ASSERT_TRUE(outcomes.ok());
  ASSERT_EQ(outcomes->size(), 1u);
  EXPECT_EQ(outcomes->front().decided.decision.outcome, Outcome::reject);
  EXPECT_TRUE(outcomes->front().needs_review);
  EXPECT_FALSE(outcomes->front().action.has_value());
  EXPECT_TRUE(sim->call_counts().empty());
}

TEST_F(EngineTest, KillSwitchFileTurnsRemediationIntoAPlan) {
  std::ofstream(state_.path() / "kill-switch") << "incident 42\n";
  auto outcomes = engine->handle_payload(example_finding("wiz-s3-public-bucket-production.json"));
  ASSERT_TRUE(outcomes.ok());
  EXPECT_EQ(outcomes->front().decided.decision.outcome, Outcome::dry_run);
  ASSERT_TRUE(outcomes->front().action.has_value());
  EXPECT_EQ(outcomes->front().action->status, actions::RunStatus::dry_run);
  EXPECT_FALSE(outcomes->front().action->plan.empty());
  EXPECT_FALSE(bucket_blocked());
}

TEST_F(EngineTest, FailedRoleAssumptionIsRoutedForReview) {
  cloudsim::FaultSpec deny;
  deny.operation = "sts:AssumeRole";
  deny.kind = cloudsim::FaultKind::kDeny;
  sim->add_fault(deny);
  auto outcomes = engine->handle_payload(example_finding("wiz-s3-public-bucket-production.json"));
  ASSERT_TRUE(outcomes.ok());
  ASSERT_TRUE(outcomes->front().action.has_value());
  EXPECT_EQ(outcomes->front().action->status, actions::RunStatus::failed);
  EXPECT_TRUE(outcomes->front().needs_review);
  EXPECT_FALSE(bucket_blocked());
}

TEST_F(EngineTest, ObserversSeeEveryFinishedFinding) {
  std::vector<std::string> seen;
  engine->add_observer([&](const FindingOutcome& outcome) { seen.push_back(to_string(outcome.decided.decision.outcome)); });
  ASSERT_TRUE(engine->handle_payload(example_finding("wiz-s3-public-website-waived.json")).ok());
  ASSERT_TRUE(engine->handle_payload(example_finding("wiz-unknown-control.json")).ok());
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], "skip");
}

TEST(EngineOpen, NamesTheBadConfigFile) {
  EngineOptions options;
  options.config_path = "/nonexistent/fixgate.yaml";
  options.state_dir = std::filesystem::temp_directory_path().string();
  auto opened = Engine::open(std::move(options));
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("/nonexistent/fixgate.yaml"), std::string::npos);
}

}  // namespace
}  // namespace fixgate::engine
