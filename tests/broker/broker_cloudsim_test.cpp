// The credential broker end to end over the real wire: the action runner acts
// through AssumeRoleSessions (broker + audit) on the in-process cloud simulator.
// Proves the session is shared across one finding's life cycle, carries the
// finding into STS (session name, SourceIdentity, tags) so the simulator's
// CloudTrail-like log joins back to the audit record, that refusals are typed,
// not retried and routed as failures, that an expired session is refreshed once,
// and that no secret reaches the audit log, the report or the rollback store.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <httplib.h>

#include "actions/aws_cloud_api.h"
#include "actions/registry.h"
#include "actions/rollback_store.h"
#include "actions/runner.h"
#include "audit/memory_audit_log.h"
#include "aws/http.h"
#include "broker/credential_broker.h"
#include "cloudsim/simulator.h"
#include "guardrails/guardrails.h"

namespace fixgate::broker {
namespace {

using nlohmann::json;

constexpr const char* kAccount = "111111111111";
constexpr const char* kCorrelation = "c0ffee00c0ffee00";
constexpr const char* kFindingId = "wiz-issue/42\n<injected>";

class BrokerSimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = cloudsim::Simulator::create_from_file(FIXGATE_SOURCE_DIR "/src/cloudsim/seeds/demo.json");
    ASSERT_TRUE(created.ok()) << created.error().to_string();
    sim = std::move(*created);
    ASSERT_TRUE(sim->start(0).ok());
    rollback_dir = std::filesystem::temp_directory_path() /
                   ("fixgate-broker-test-" + std::to_string(::getpid()) + "-" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(rollback_dir);
    rollbacks = std::make_unique<actions::FileRollbackStore>(rollback_dir.string());

    platform.region = "us-east-1";
    platform.endpoint_url = sim->endpoint();  // an IP endpoint serves S3 Control too now
    platform.transport = aws::make_curl_transport();
    platform.credentials = std::make_shared<aws::StaticCredentialsProvider>(
        aws::Credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", std::nullopt, "test"});
    platform.retry.base_delay = std::chrono::milliseconds(1);
    platform.retry.max_backoff = std::chrono::milliseconds(5);
    make_runner();
  }

  void TearDown() override { std::filesystem::remove_all(rollback_dir); }

  void make_runner(BrokerOptions options = {}) {
    runner.reset();
    sessions.reset();
    broker = std::make_unique<CredentialBroker>(
        sts_assumer(std::make_shared<aws::AwsClient>(platform)),
        [this](const std::string& account) -> Result<AccountAccess> {
          return AccountAccess{account, "arn:aws:iam::" + account + ":role/" + role, external_id, 900};
        },
        options);
    sessions = std::make_unique<actions::AssumeRoleSessions>(platform, *broker, &audit);
    guardrails::GuardrailConfig config;
    config.rates = {.per_account_per_minute = 1000, .global_per_minute = 1000};
    rails = std::make_unique<guardrails::Guardrails>(config, clock);
    actions::RunnerOptions runner_options;
    runner_options.retry.max_attempts = 1;
    runner = std::make_unique<actions::ActionRunner>(actions::builtin_actions(), *rails, *sessions, audit, *rollbacks,
                                                     runner_options);
  }

  actions::RunRequest block_public_access(const std::string& correlation = kCorrelation) {
    actions::RunRequest r;
    r.finding.id = kFindingId;
    r.finding.open = true;
    r.finding.resource_type = "AWS::S3::Bucket";
    r.finding.resource_arn = "arn:aws:s3:::public-website-assets";
    r.finding.account = kAccount;
    r.finding.region = "us-east-1";
    r.finding.raw = "{}";
    r.action = "aws.s3.block_public_access";
    r.correlation_id = correlation;
    return r;
  }

  std::vector<audit::AuditRecord> records(const std::string& kind = "") {
    audit::AuditQuery q;
    q.limit = 0;
    if (!kind.empty()) q.kind = kind;
    auto r = audit.read(q);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<audit::AuditRecord>{};
  }

  bool bucket_blocked() {
    bool blocked = false;
    sim->with_world([&](cloudsim::World& w) {
      for (const auto& b : w.find_account(kAccount)->buckets) {
        if (b.name == "public-website-assets") blocked = b.public_access_block && b.public_access_block->block_public_acls;
      }
    });
    return blocked;
  }

  std::unique_ptr<cloudsim::Simulator> sim;
  aws::ClientConfig platform;
  std::string role = "fixgate-remediation";
  std::string external_id = "demo-external-id";
  std::filesystem::path rollback_dir;
  guardrails::FakeClock clock;
  std::unique_ptr<guardrails::Guardrails> rails;
  audit::MemoryAuditLog audit;
  std::unique_ptr<actions::FileRollbackStore> rollbacks;
  std::unique_ptr<CredentialBroker> broker;
  std::unique_ptr<actions::AssumeRoleSessions> sessions;
  std::unique_ptr<actions::ActionRunner> runner;
};

TEST_F(BrokerSimTest, OneFindingsLifeCycleSharesOneSessionThatCloudTrailJoinsBack) {
  const actions::RunReport applied = runner->run(block_public_access());
  ASSERT_EQ(applied.status, actions::RunStatus::succeeded) << applied.reason;
  EXPECT_TRUE(bucket_blocked());
  clock.advance(std::chrono::hours(2));  // past loop protection: the precheck stops the copy
  const actions::RunReport redelivered = runner->run(block_public_access());
  EXPECT_EQ(redelivered.status, actions::RunStatus::noop) << redelivered.reason;
  const actions::RunReport rolled = runner->rollback(applied.action_id, kCorrelation);
  EXPECT_EQ(rolled.status, actions::RunStatus::rolled_back) << rolled.reason;
  EXPECT_FALSE(bucket_blocked());
  EXPECT_EQ(sim->call_count("sts:AssumeRole"), 1);  // precheck/apply/verify, redelivery and rollback

  // STS saw the finding: session name, SourceIdentity, sanitised tags.
  const json issued = sim->sessions_json();
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0]["session_name"], std::string("fixgate-") + kCorrelation);
  EXPECT_EQ(issued[0]["source_identity"], std::string("fixgate-") + kCorrelation);
  EXPECT_EQ(issued[0]["tags"][0]["Key"], "fixgate:finding-id");
  EXPECT_EQ(issued[0]["tags"][0]["Value"], "wiz-issue/42__injected_");
  EXPECT_EQ(issued[0]["tags"][1]["Value"], kCorrelation);

  // Every open() left a role_session record naming the session; the first was fresh.
  const auto session_records = records("role_session");
  ASSERT_EQ(session_records.size(), 3u);
  const json first = json::parse(session_records[0].body);
  EXPECT_EQ(session_records[0].correlation_id, kCorrelation);
  EXPECT_EQ(session_records[0].finding_id, kFindingId);
  EXPECT_EQ(first["access_key_id"], issued[0]["access_key_id"]);
  EXPECT_EQ(first["session_name"], issued[0]["session_name"]);
  const std::string role_id = first["assumed_role_id"];
  EXPECT_EQ(role_id.substr(role_id.find(':') + 1), first["session_name"]);
  EXPECT_FALSE(first["reused"].get<bool>());
  EXPECT_TRUE(json::parse(session_records[2].body)["reused"].get<bool>());

  // The change in the simulator's CloudTrail-like log was made by that session.
  httplib::Client admin("127.0.0.1", sim->port());
  auto log = admin.Get("/__sim/calls");
  ASSERT_TRUE(log);
  int changes = 0;
  const json calls = json::parse(log->body);
  for (const json& e : calls["log"]) {
    if (e["operation"] != "s3:PutPublicAccessBlock") continue;
    ++changes;
    EXPECT_EQ(e["principal"], "arn:aws:sts::111111111111:assumed-role/fixgate-remediation/" + first["session_name"].get<std::string>());
    EXPECT_EQ(e["source_identity"], first["source_identity"]);
  }
  EXPECT_EQ(changes, 1);
}

TEST_F(BrokerSimTest, NoSecretReachesTheAuditLogTheReportOrTheRollbackStore) {
  const actions::RunReport report = runner->run(block_public_access());
  ASSERT_EQ(report.status, actions::RunStatus::succeeded) << report.reason;
  auto held = broker->acquire({kAccount, kCorrelation, kFindingId});  // the same cached session
  ASSERT_TRUE(held.ok());
  ASSERT_TRUE(held->info.reused);
  const std::string secret = held->credentials.secret_access_key;
  const std::string token = held->credentials.session_token;
  ASSERT_GE(secret.size(), 20u);
  ASSERT_GE(token.size(), 20u);

  std::string everything = report.to_json().dump();
  for (const auto& r : records()) everything += r.kind + r.actor + r.body + r.correlation_id + r.finding_id;
  for (const auto& file : std::filesystem::directory_iterator(rollback_dir)) {
    std::ifstream in(file.path());
    std::stringstream text;
    text << in.rdbuf();
    everything += text.str();
  }
  EXPECT_NE(everything.find(held->info.access_key_id), std::string::npos);  // the join key is there
  EXPECT_EQ(everything.find(secret), std::string::npos);
  EXPECT_EQ(everything.find(token), std::string::npos);
  EXPECT_EQ(everything.find(token.substr(0, 40)), std::string::npos);
}

TEST_F(BrokerSimTest, WrongExternalIdIsATypedFailureWithTheRequestIdAndIsNotRetried) {
  external_id = "not-the-external-id";
  const actions::RunReport report = runner->run(block_public_access());
  EXPECT_EQ(report.status, actions::RunStatus::failed);
  EXPECT_EQ(report.error_code, "sts.AccessDenied");
  EXPECT_NE(report.reason.find("request id"), std::string::npos) << report.reason;
  EXPECT_EQ(sim->call_count("sts:AssumeRole"), 1);
  EXPECT_FALSE(bucket_blocked());
  EXPECT_TRUE(records("role_session").empty());
  const auto results = records("action_result");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_NE(results[0].body.find("sts.AccessDenied"), std::string::npos);
}

TEST_F(BrokerSimTest, RoleThatDoesNotGrantTagSessionIsRefusedByName) {
  sim->with_world([](cloudsim::World& w) {
    cloudsim::IamRole narrow;
    narrow.name = "narrow";
    narrow.role_id = "AROANARROW0000000000";
    narrow.trust_policy = json{{"Version", "2012-10-17"},
                               {"Statement",
                                {{{"Effect", "Allow"},
                                  {"Principal", {{"AWS", "arn:aws:iam::999999999999:root"}}},
                                  {"Action", {"sts:AssumeRole", "sts:SetSourceIdentity"}},
                                  {"Condition", {{"StringEquals", {{"sts:ExternalId", "demo-external-id"}}}}}}}}}
                              .dump();
    w.find_account(kAccount)->roles.push_back(narrow);
  });
  role = "narrow";
  const actions::RunReport report = runner->run(block_public_access());
  EXPECT_EQ(report.status, actions::RunStatus::failed);
  EXPECT_EQ(report.error_code, "sts.AccessDenied");
  EXPECT_NE(report.reason.find("sts:TagSession"), std::string::npos) << report.reason;
}

TEST_F(BrokerSimTest, ExpiredSessionIsRenewedOnceMidRun) {
  ASSERT_EQ(runner->run(block_public_access()).status, actions::RunStatus::succeeded);
  sim->expire_sessions();
  clock.advance(std::chrono::hours(2));  // past loop protection
  // Same finding: the cached session is still "fresh" by its own expiry, the
  // service says ExpiredToken, the client invalidates and the broker re-assumes.
  const actions::RunReport again = runner->run(block_public_access());
  EXPECT_EQ(again.status, actions::RunStatus::noop) << again.reason;
  EXPECT_EQ(sim->call_count("sts:AssumeRole"), 2);
}

TEST_F(BrokerSimTest, AccountScopeRecordsTheSharedSessionPerFinding) {
  BrokerOptions options;
  options.scope = SessionScope::account;
  make_runner(options);
  ASSERT_EQ(runner->run(block_public_access("corr-one")).status, actions::RunStatus::succeeded);
  clock.advance(std::chrono::hours(2));  // past loop protection
  ASSERT_EQ(runner->run(block_public_access("corr-two")).status, actions::RunStatus::noop);
  EXPECT_EQ(sim->call_count("sts:AssumeRole"), 1);
  const auto session_records = records("role_session");
  ASSERT_EQ(session_records.size(), 2u);
  EXPECT_EQ(session_records[0].correlation_id, "corr-one");
  EXPECT_EQ(session_records[1].correlation_id, "corr-two");
  const json a = json::parse(session_records[0].body);
  const json b = json::parse(session_records[1].body);
  EXPECT_EQ(a["access_key_id"], b["access_key_id"]);
  EXPECT_EQ(a["session_name"], "fixgate-acct-111111111111");
  EXPECT_EQ(a["scope"], "account");
}

}  // namespace
}  // namespace fixgate::broker
