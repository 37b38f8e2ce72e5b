// End to end through a real SNS → SQS emulator: Wiz payloads are published to a
// fauxqs topic, the subscribed queue (RedrivePolicy → DLQ, maxReceiveCount 2)
// delivers them, the worker decides and acts through the Engine on the in-process
// cloud simulator, and deletes each message only after its outcome is on record.
// A poison message — one whose decision cannot be recorded (an injected audit
// write fault for that finding) — is never deleted and lands in the DLQ.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <cstdlib>
#include <mutex>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "audit/audit_log.h"
#include "aws/credentials.h"
#include "aws/http.h"
#include "captured_log.h"
#include "cloudsim/simulator.h"
#include "core/text.h"
#include "decision/decision.h"
#include "engine/engine.h"
#include "fauxqs_suite.h"
#include "intake/intake.h"
#include "sqs/sqs_client.h"
#include "worker/engine_handler.h"
#include "worker/worker.h"

namespace fixgate::worker {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using fixgate::testing::FauxqsPeer;

constexpr const char* kSecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

std::string example(const std::string& name) {
  std::ifstream in(FIXGATE_SOURCE_DIR "/examples/findings/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The production bucket finding, for another bucket and with its own issue id.
std::string bucket_finding(const std::string& issue_id, const std::string& bucket) {
  auto doc = nlohmann::json::parse(example("wiz-s3-public-bucket-production.json"));
  doc["issue"]["id"] = issue_id;
  doc["resource"]["id"] = "arn:aws:s3:::" + bucket;
  doc["resource"]["name"] = bucket;
  return doc.dump();
}

class WorkerThroughFauxqs : public fixgate::testing::FauxqsSuite<WorkerThroughFauxqs> {
 protected:
  void SetUp() override {
    FauxqsSuite::SetUp();
    if (peer_missing()) return;
    ::setenv("FIXGATE_EXTERNAL_ID", "demo-external-id", 1);
    auto created = cloudsim::Simulator::create_from_file(FIXGATE_SOURCE_DIR "/src/cloudsim/seeds/demo.json");
    ASSERT_TRUE(created.ok()) << created.error().to_string();
    sim_ = std::move(*created);
    ASSERT_TRUE(sim_->start(0).ok());
    sim_->with_world([](cloudsim::World& world) {
      for (const char* name : {"acme-customer-exports", "acme-poison-exports"}) {
        cloudsim::Bucket bucket;
        bucket.name = name;
        world.find_account("111111111111")->buckets.push_back(bucket);
      }
    });
    const std::string test_name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    state_ = fs::temp_directory_path() / ("fixgate-worker-" + std::to_string(::getpid()) + "-" + test_name);
    fs::remove_all(state_);
    fs::create_directories(state_);

    // One AWS identity for both sides, as in production: SQS at fauxqs, the account at the simulator.
    aws::ClientConfig platform;
    platform.region = "us-east-1";
    platform.endpoint_url = sim_->endpoint();
    platform.endpoint_urls["S3 Control"] = "http://localhost:" + std::to_string(sim_->port());
    platform.endpoint_urls["SQS"] = peer_->endpoint();
    platform.transport = aws::make_curl_transport();
    platform.credentials = std::make_shared<aws::StaticCredentialsProvider>(
        aws::Credentials{"AKIDEXAMPLE", kSecretKey, "", std::nullopt, "test"});
    engine::EngineOptions options;
    options.config_path = FIXGATE_SOURCE_DIR "/examples/fixgate.yaml";
    options.state_dir = state_.string();
    options.platform = platform;
    options.actor = "fixgate-worker";
    auto opened = engine::Engine::open(std::move(options));
    ASSERT_TRUE(opened.ok()) << opened.error().to_string();
    engine_ = std::move(*opened);
    aws_ = std::make_shared<aws::AwsClient>(platform);
    queue_name_ = test_name;
    q_ = peer_->setup(queue_name_, 2, 2);
    ASSERT_FALSE(q_.queue_url.empty());
  }

  void TearDown() override {
    engine_.reset();
    sim_.reset();
    if (!state_.empty()) fs::remove_all(state_);
  }

  // An audit write fault for one finding: its decision can never be recorded.
  void inject_audit_fault_for(const std::string& issue_id) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((state_ / "audit.db").c_str(), &db), SQLITE_OK);
    const std::string sql = "CREATE TRIGGER test_injected_fault BEFORE INSERT ON audit_records WHEN NEW.finding_id LIKE '%" +
                            issue_id + "%' BEGIN SELECT RAISE(ABORT, 'injected disk fault'); END;";
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    const std::string message = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  bool bucket_blocked(const std::string& name) {
    bool blocked = false;
    sim_->with_world([&](cloudsim::World& world) {
      const auto* bucket = world.find_bucket(name);
      blocked = bucket && bucket->public_access_block && bucket->public_access_block->block_public_acls;
    });
    return blocked;
  }

  size_t count(const std::string& queue, const char* part) { return peer_->inspect(queue)[part].size(); }

  std::vector<audit::AuditRecord> records_of(const std::string& issue_id) {
    audit::AuditQuery query;
    query.limit = 1000;
    auto all = engine_->audit().read(query);
    std::vector<audit::AuditRecord> out;
    if (!all.ok()) return out;
    for (auto& r : *all) {
      if (r.finding_id.find(issue_id) != std::string::npos) out.push_back(std::move(r));
    }
    return out;
  }

  // The finding's decision, then its action intent, then its action result (other
  // records, e.g. the role session, may come in between).
  bool recorded_in_order(const std::string& issue_id) {
    const std::vector<std::string> expected = {"decision", "action_intent", "action_result"};
    size_t next = 0;
    for (const auto& r : records_of(issue_id)) {
      if (next < expected.size() && r.kind == expected[next]) ++next;
    }
    return next == expected.size();
  }

  std::unique_ptr<cloudsim::Simulator> sim_;
  std::unique_ptr<engine::Engine> engine_;
  std::shared_ptr<aws::AwsClient> aws_;
  fs::path state_;
  std::string queue_name_;
  testing::FauxqsQueue q_;
};

TEST_F(WorkerThroughFauxqs, FixesPublishedFindingsAndDeadLettersThePoisonMessage) {
  inject_audit_fault_for("poison-0001");
  ASSERT_FALSE(peer_->publish(q_.topic_arn, example("wiz-s3-public-bucket-production.json")).empty());
  ASSERT_FALSE(peer_->publish(q_.topic_arn, example("wiz-unknown-control.json")).empty());
  ASSERT_FALSE(peer_->publish(q_.topic_arn, bucket_finding("poison-0001", "acme-poison-exports")).empty());
  // A raw (not SNS-wrapped) message on the same queue, as with RawMessageDelivery.
  ASSERT_FALSE(peer_->send(q_.queue_url, example("wiz-s3-unencrypted-low-severity.json")).empty());

  sqs::SqsClient queue(aws_, q_.queue_url);
  testing::CapturedLog log;
  const auto logger = log.logger("worker", {kSecretKey});
  WorkerOptions options;
  options.receive = sqs::ReceiveOptions{10, 1, 2};
  options.logger = logger;
  std::vector<std::string> outcomes;
  std::map<std::string, std::string> correlation_by_finding;
  std::mutex outcomes_mutex;
  auto sink = [&](const sqs::Message&, const std::vector<engine::FindingOutcome>& found) {
    std::lock_guard lock(outcomes_mutex);
    for (const auto& o : found) {
      outcomes.push_back(to_string(o.decided.decision.outcome));
      correlation_by_finding[o.decided.decision.finding_id] = o.decided.decision.correlation_id;
    }
  };
  auto worker = Worker::create(queue, engine_handler(*engine_, sink, logger), options);
  ASSERT_TRUE(worker.ok()) << worker.error().to_string();
  std::atomic<bool> stop{false};
  Result<void> ran;
  std::thread runner([&] { ran = (*worker)->run(stop); });

  // Bounded wait: the poison message needs 3 receives 2 s apart to be dead-lettered.
  const auto deadline = std::chrono::steady_clock::now() + 40s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (count(queue_name_ + "-dlq", "ready") == 1 && count(queue_name_, "ready") == 0 &&
        count(queue_name_, "inflight") == 0) {
      break;
    }
    std::this_thread::sleep_for(200ms);
  }
  stop = true;
  runner.join();
  ASSERT_TRUE(ran.ok()) << ran.error().to_string();

  // The poison message is in the DLQ, untouched; the queue holds nothing.
  const auto dlq = peer_->inspect(queue_name_ + "-dlq");
  ASSERT_EQ(dlq["ready"].size(), 1u) << dlq.dump();
  EXPECT_NE(dlq["ready"][0]["body"].get<std::string>().find("poison-0001"), std::string::npos);
  EXPECT_EQ(count(queue_name_, "ready"), 0u);
  EXPECT_EQ(count(queue_name_, "inflight"), 0u);

  // The three good messages were decided, recorded and deleted; the bucket is fixed.
  EXPECT_TRUE(bucket_blocked("acme-customer-exports"));
  EXPECT_FALSE(bucket_blocked("acme-poison-exports"));
  {
    std::lock_guard lock(outcomes_mutex);
    std::sort(outcomes.begin(), outcomes.end());
    EXPECT_EQ(outcomes, (std::vector<std::string>{"notify", "reject", "remediate"}));
  }
  EXPECT_TRUE(recorded_in_order("c3a1f0d2-5b8e-4f6a-9d10-2e7b4c8a1f01"));
  EXPECT_TRUE(records_of("poison-0001").empty());
  const auto& stats = (*worker)->stats();
  EXPECT_EQ(stats.deleted.load(), 3u);
  EXPECT_EQ(stats.handled.load(), 3u);
  EXPECT_EQ(stats.failed.load(), 2u);  // received twice (maxReceiveCount 2), then moved by SQS

  // One "finding decided" line per decided finding, carrying that finding's
  // correlation id (the audit log's) and the SQS message id.
  const auto decided = log.with_message("finding decided");
  ASSERT_EQ(decided.size(), 3u) << log.text();
  for (const auto& line : decided) {
    testing::expect_log_shape(line, "worker");
    const std::string finding_id = line.value("finding_id", std::string());
    ASSERT_EQ(correlation_by_finding.count(finding_id), 1u) << line.dump();
    EXPECT_EQ(line["correlation_id"], correlation_by_finding[finding_id]);
    EXPECT_FALSE(line.value("message_id", std::string()).empty());
    EXPECT_EQ(line["receive_count"], 1);
    EXPECT_GT(line.value("audit_seq", 0), 0);
  }
  // The poison finding: an error line per receive under its own correlation id.
  const std::string poison_correlation =
      correlation_id_for(intake::parse_payload(bucket_finding("poison-0001", "acme-poison-exports")).front());
  const auto unrecorded = log.with_message("decision not recorded; the message will be delivered again");
  ASSERT_EQ(unrecorded.size(), 2u) << log.text();
  for (const auto& line : unrecorded) {
    EXPECT_EQ(line["level"], "error");
    EXPECT_EQ(line["correlation_id"], poison_correlation);
    EXPECT_EQ(line["finding_id"], "poison-0001");
    EXPECT_TRUE(starts_with(line.value("error_code", std::string()), "audit.")) << line.dump();
  }
  EXPECT_EQ(log.with_message("message not recorded; left in the queue for redelivery").size(), 2u);
  EXPECT_EQ(log.text().find(kSecretKey), std::string::npos);
}

// At the moment the handler reports success, the outcome is already in the audit
// log and the message is still in flight: the delete comes strictly after.
TEST_F(WorkerThroughFauxqs, MessageIsStillInFlightWhenItsOutcomeIsRecorded) {
  ASSERT_FALSE(peer_->publish(q_.topic_arn, example("wiz-s3-public-bucket-production.json")).empty());
  sqs::SqsClient queue(aws_, q_.queue_url);
  MessageHandler inner = engine_handler(*engine_);
  size_t inflight_at_success = 0;
  bool recorded_at_success = false;
  MessageHandler observing = [&](const sqs::Message& m) -> Result<void> {
    auto result = inner(m);
    inflight_at_success = count(queue_name_, "inflight");
    recorded_at_success = recorded_in_order("c3a1f0d2-5b8e-4f6a-9d10-2e7b4c8a1f01");
    return result;
  };
  WorkerOptions options;
  options.receive = sqs::ReceiveOptions{10, 2, 30};
  options.log = [](const char*, const std::string&) {};
  auto worker = Worker::create(queue, observing, options);
  ASSERT_TRUE(worker.ok());
  std::atomic<bool> stop{false};
  auto polled = (*worker)->poll_once(stop);
  ASSERT_TRUE(polled.ok()) << polled.error().to_string();
  ASSERT_EQ(*polled, 1u);
  EXPECT_EQ(inflight_at_success, 1u);
  EXPECT_TRUE(recorded_at_success);
  EXPECT_EQ(count(queue_name_, "inflight"), 0u);
  EXPECT_EQ(count(queue_name_, "ready"), 0u);
}

// A long action keeps its message: with a 2 s visibility timeout and a 5 s
// handler, the heartbeat's extensions stop the queue from redelivering it.
TEST_F(WorkerThroughFauxqs, HeartbeatKeepsALongActionsMessageFromBeingRedelivered) {
  ASSERT_FALSE(peer_->publish(q_.topic_arn, example("wiz-unknown-control.json")).empty());
  sqs::SqsClient queue(aws_, q_.queue_url);
  MessageHandler inner = engine_handler(*engine_);
  std::atomic<int> calls{0};
  size_t ready_during = 0;
  MessageHandler slow = [&](const sqs::Message& m) -> Result<void> {
    ++calls;
    std::this_thread::sleep_for(5s);
    ready_during = count(queue_name_, "ready");
    return inner(m);
  };
  WorkerOptions options;
  options.receive = sqs::ReceiveOptions{10, 1, 2};
  options.heartbeat_interval = 500ms;
  options.log = [](const char*, const std::string&) {};
  auto worker = Worker::create(queue, slow, options);
  ASSERT_TRUE(worker.ok());
  std::atomic<bool> stop{false};
  ASSERT_TRUE((*worker)->poll_once(stop).ok());
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(ready_during, 0u);  // never became visible to another consumer
  EXPECT_GE((*worker)->heartbeat_extensions(), 5u);
  EXPECT_EQ(count(queue_name_, "inflight"), 0u);
  EXPECT_EQ(count(queue_name_, "ready"), 0u);
}

}  // namespace
}  // namespace fixgate::worker
