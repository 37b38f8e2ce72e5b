#include <gtest/gtest.h>

#include <filesystem>

#include "fixtures.h"
#include "notify/outbox.h"
#include "notify/router.h"

namespace fixgate::notify {
namespace {

using namespace fixgate::notify::testing;

const char* kRoutes = R"yaml(
notifications:
  channels:
    security-slack: {type: slack, url_env: SLACK_SECURITY}
    web-slack: {type: slack, url_env: SLACK_WEB}
    sec-jira: {type: jira, base_url: "https://j.example", project: SEC, auth: {bearer_env: JIRA_PAT}}
    oncall: {type: pagerduty, routing_key_env: PD_KEY}
  owner_channels: {team-storage: web-slack}
  default_owner_channel: security-slack
  routes:
    - outcomes: [notify, reject]
      channels: ["@owner", sec-jira]
    - outcomes: [approval_required]
      environments: [restricted-production]
      channels: [oncall]
    - severities: [CRITICAL]
      environments: [production]
      owners: [team-storage]
      channels: [web-slack, security-slack]
)yaml";

class RouterTest : public ::testing::Test {
 protected:
  Config config = reference_config_with(kRoutes);
  NotifyConfig notify = load_notify_config(config).value();
  Routing routing_for(const std::string& file) { return route(notify, decide_example(file, config).decision); }
};

TEST_F(RouterTest, UnownedNotifyGoesToTheDefaultOwnerChannelAndJira) {
  const Routing r = routing_for("wiz-s3-public-no-owner.json");
  EXPECT_EQ(r.channels, (std::vector<std::string>{"security-slack", "sec-jira"}));
  EXPECT_TRUE(r.owner_unresolved);
}

TEST_F(RouterTest, ApprovalInRestrictedProductionPagesOnlyThere) {
  EXPECT_EQ(routing_for("wiz-s3-public-restricted-production.json").channels, (std::vector<std::string>{"oncall"}));
  EXPECT_TRUE(routing_for("wiz-sg-ssh-open-production.json").channels.empty());  // production: no route
}

TEST_F(RouterTest, SeverityEnvironmentAndOwnerMustAllMatch) {
  Decided d = decide_example("wiz-s3-public-bucket-production.json", config);
  ASSERT_EQ(d.decision.severity, Severity::critical);
  ASSERT_EQ(d.decision.environment, "production");
  d.decision.owner = "Team-Storage";  // owners compare case-insensitively
  EXPECT_EQ(route(notify, d.decision).channels, (std::vector<std::string>{"web-slack", "security-slack"}));
  d.decision.owner = "team-web";
  EXPECT_TRUE(route(notify, d.decision).channels.empty());
  d.decision.owner = "team-storage";
  d.decision.severity = Severity::high;
  EXPECT_TRUE(route(notify, d.decision).channels.empty());
}

TEST_F(RouterTest, OwnerChannelIsUsedWhenTheOwnerHasOne) {
  Decided d = decide_example("wiz-s3-unencrypted-low-severity.json", config);
  ASSERT_EQ(d.decision.outcome, Outcome::notify);
  d.decision.owner = "TEAM-STORAGE";
  const Routing r = route(notify, d.decision);
  EXPECT_EQ(r.channels, (std::vector<std::string>{"web-slack", "sec-jira"}));
  EXPECT_FALSE(r.owner_unresolved);
}

OutboxRow row(const std::string& key) {
  OutboxRow r;
  r.dedupe_key = key;
  r.correlation_id = "fg-1";
  r.finding_id = "f-1";
  r.channel = "c";
  r.outcome = "notify";
  r.message = "{}";
  return r;
}

TEST(Outbox, DedupesByKeyWhateverTheState) {
  auto box = Outbox::open(":memory:");
  ASSERT_TRUE(box.ok()) << box.error().to_string();
  EXPECT_TRUE(box->enqueue(row("k1"), 1000).value());
  EXPECT_FALSE(box->enqueue(row("k1"), 2000).value());
  auto claimed = box->claim_due(1000, 500, 10);
  ASSERT_EQ(claimed->size(), 1u);
  ASSERT_TRUE(box->mark_sent(claimed->front().id, 1, 200, 1100).ok());
  EXPECT_FALSE(box->enqueue(row("k1"), 3000).value());
  EXPECT_EQ(box->list(OutboxState::sent)->size(), 1u);
}

TEST(Outbox, ClaimLeasesRowsSoASecondClaimGetsNothingUntilTheLeaseEnds) {
  auto box = Outbox::open(":memory:");
  ASSERT_TRUE(box->enqueue(row("a"), 1000).value());
  ASSERT_TRUE(box->enqueue(row("b"), 1000).value());
  EXPECT_EQ(box->claim_due(999, 500, 10)->size(), 0u);   // not yet due
  EXPECT_EQ(box->claim_due(1000, 500, 1)->size(), 1u);   // limit respected
  EXPECT_EQ(box->claim_due(1000, 500, 10)->size(), 1u);  // the other one
  EXPECT_EQ(box->claim_due(1400, 500, 10)->size(), 0u);  // both leased
  EXPECT_EQ(box->claim_due(1500, 500, 10)->size(), 2u);  // a dead worker's rows come back
  EXPECT_EQ(box->next_due().value(), std::optional<int64_t>(2000));
}

TEST(Outbox, FailedRowsAreKeptAndCanBeRearmed) {
  auto box = Outbox::open(":memory:");
  ASSERT_TRUE(box->enqueue(row("x"), 0).value());
  const int64_t id = box->claim_due(0, 10, 1)->front().id;
  ASSERT_TRUE(box->mark_retry(id, 1, 503, "HTTP 503", 100).ok());
  EXPECT_EQ(box->claim_due(99, 10, 1)->size(), 0u);
  ASSERT_EQ(box->claim_due(100, 10, 1)->size(), 1u);
  ASSERT_TRUE(box->mark_failed(id, 2, 404, "HTTP 404: no_service", 120).ok());
  EXPECT_FALSE(box->next_due().value().has_value());
  auto failed = box->list(OutboxState::failed).value();
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].attempts, 2);
  EXPECT_EQ(failed[0].last_status, 404);
  EXPECT_EQ(failed[0].last_error, "HTTP 404: no_service");
  EXPECT_TRUE(box->rearm(id, 200).value());
  EXPECT_FALSE(box->rearm(id, 200).value());  // only failed rows
  EXPECT_EQ(box->claim_due(200, 10, 1)->front().attempts, 0);
}

// Regression: listing without a state (`fixgate notify list`) returned nothing,
// because the "any state" filter was bound as NULL.
TEST(Outbox, ListWithoutAStateShowsEveryRowAndDepthCountsTheUnfinished) {
  auto box = Outbox::open(":memory:");
  ASSERT_TRUE(box->enqueue(row("sent"), 0).value());
  ASSERT_TRUE(box->enqueue(row("failed"), 0).value());
  ASSERT_TRUE(box->enqueue(row("pending"), 0).value());
  auto claimed = box->claim_due(0, 10, 2).value();
  ASSERT_EQ(claimed.size(), 2u);
  ASSERT_TRUE(box->mark_sent(claimed[0].id, 1, 200, 1).ok());
  ASSERT_TRUE(box->mark_failed(claimed[1].id, 1, 400, "HTTP 400", 1).ok());
  const auto all = box->list(std::nullopt).value();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].state, OutboxState::sent);
  EXPECT_EQ(all[1].state, OutboxState::failed);
  EXPECT_EQ(all[2].state, OutboxState::pending);
  const Outbox::Depth depth = box->depth().value();
  EXPECT_EQ(depth.pending, 1u);
  EXPECT_EQ(depth.failed, 1u);
}

TEST(Outbox, SurvivesReopening) {
  const auto dir = std::filesystem::temp_directory_path() / ("fixgate-outbox-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "notifications.db").string();
  {
    auto box = Outbox::open(path);
    ASSERT_TRUE(box.ok());
    ASSERT_TRUE(box->enqueue(row("durable"), 5).value());
  }
  auto box = Outbox::open(path);
  ASSERT_TRUE(box.ok());
  auto found = box->find("durable").value();
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->state, OutboxState::pending);
  EXPECT_EQ(found->correlation_id, "fg-1");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace fixgate::notify
