// SNS publish against a real peer: fauxqs (npm), an SNS/SQS emulator, runs on an
// ephemeral loopback port; fixgate's notifier publishes through its own AWS
// client (Query protocol, SigV4) and the test reads the notification back from
// an SQS queue subscribed to the topic, as a security team's consumer would.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <filesystem>

#include "audit/memory_audit_log.h"
#include "aws/client.h"
#include "aws/operations.h"
#include "fixtures.h"
#include "notify/notifier.h"

namespace fixgate::notify {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace fixgate::notify::testing;

const fs::path kPeer = fs::path(FIXGATE_SOURCE_DIR) / "tests/peers/fauxqs-notify";

// One fauxqs process for the whole suite, stopped by SIGTERM at exit.
struct Fauxqs {
  bool available = false;
  std::string why;
  json info;  // {address, topic_arn, queue_url, pid}
  FILE* pipe = nullptr;

  Fauxqs() {
    if (!fs::exists(kPeer / "node_modules" / "fauxqs")) {
      why = "tests/peers/fauxqs-notify/node_modules is absent: run tests/peers/setup.sh (npm ci) first";
      return;
    }
    available = true;  // present: from here on a problem fails the tests instead of skipping them
    const std::string cmd = "cd '" + kPeer.string() + "' && exec node serve.mjs 2>'" +
                            (fs::path(FIXGATE_BINARY_DIR) / "fauxqs-notify.stderr").string() + "'";
    pipe = ::popen(cmd.c_str(), "r");
    if (pipe == nullptr) {
      why = "cannot start node";
      return;
    }
    char line[4096];
    if (std::fgets(line, sizeof line, pipe) == nullptr) {
      why = "fauxqs printed nothing; see fauxqs-notify.stderr in the build directory";
      return;
    }
    info = json::parse(line, nullptr, false);
    if (!info.is_object()) why = std::string("unexpected first line from serve.mjs: ") + line;
  }
  ~Fauxqs() {
    if (info.is_object() && info.contains("pid")) ::kill(info["pid"].get<int>(), SIGTERM);
    if (pipe != nullptr) ::pclose(pipe);
  }
  bool ready() const { return available && info.is_object(); }
};

Fauxqs& fauxqs() {
  static Fauxqs instance;
  return instance;
}

class SnsFauxqsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Fauxqs& peer = fauxqs();
    if (!peer.available) GTEST_SKIP() << peer.why;
    ASSERT_TRUE(peer.ready()) << peer.why;
    aws::ClientConfig cc;
    cc.region = "us-east-1";
    cc.credentials = std::make_shared<aws::StaticCredentialsProvider>(
        aws::Credentials{"AKIAFIXGATETEST00000", "test-secret-key", "", std::nullopt, "test"});
    cc.transport = aws::make_curl_transport();
    cc.endpoint_url = peer.info["address"];
    cc.retry.max_attempts = 1;
    client_ = std::make_shared<aws::AwsClient>(cc);
  }

  std::unique_ptr<Notifier> notifier_for(const std::string& topic_arn) {
    config_ = reference_config_with(R"yaml(
notifications:
  delivery: {max_attempts: 2, initial_backoff_ms: 10}
  channels:
    sec-topic: {type: sns, topic_arn: ")yaml" + topic_arn + R"yaml("}
  routes:
    - outcomes: [notify, approval_required]
      channels: [sec-topic]
)yaml");
    NotifierOptions options;
    options.sns = client_;
    options.env = [](std::string_view) { return std::nullopt; };
    return std::make_unique<Notifier>(load_notify_config(config_).value(), Outbox::open(":memory:").value(), audit_,
                                      options);
  }

  // Every message waiting on the subscribed queue (the SNS envelopes), deleting them.
  std::vector<json> drain_queue() {
    std::vector<json> out;
    const std::string queue_url = fauxqs().info["queue_url"];
    for (int round = 0; round < 3; ++round) {
      aws::ops::ReceiveMessageOptions o;
      o.wait_time_seconds = 1;
      auto r = client_->call(aws::ops::sqs_receive_message(queue_url, o));
      EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_error().to_string());
      if (!r.ok() || !r->json.contains("Messages") || r->json["Messages"].empty()) {
        if (!out.empty()) break;
        continue;
      }
      for (const json& m : r->json["Messages"]) {
        out.push_back(json::parse(m["Body"].get<std::string>()));
        auto deleted = client_->call(aws::ops::sqs_delete_message(queue_url, m["ReceiptHandle"]));
        EXPECT_TRUE(deleted.ok());
      }
    }
    return out;
  }

  std::shared_ptr<aws::AwsClient> client_;
  Config config_;
  audit::MemoryAuditLog audit_;
};

TEST_F(SnsFauxqsTest, PublishedNotificationArrivesOnTheSubscribedQueue) {
  auto notifier = notifier_for(fauxqs().info["topic_arn"]);
  Decided d = decide_example("wiz-s3-public-no-owner.json", config_);
  d.finding.title = "Bücket <!channel> \"public\"";
  ASSERT_EQ(notifier->enqueue({d.finding, d.decision, {}, nullptr})->queued.size(), 1u);
  const DeliveryReport report = notifier->deliver_due();
  ASSERT_EQ(report.sent, 1u) << (notifier->outbox().list(std::nullopt)->front().last_error);

  const std::vector<json> envelopes = drain_queue();
  ASSERT_EQ(envelopes.size(), 1u);
  const json& envelope = envelopes[0];
  EXPECT_EQ(envelope["Type"], "Notification");
  EXPECT_EQ(envelope["TopicArn"], fauxqs().info["topic_arn"]);
  const json expected = build_message({d.finding, d.decision, {}, nullptr});
  EXPECT_EQ(envelope["Subject"], sns_subject(expected));
  EXPECT_EQ(json::parse(envelope["Message"].get<std::string>()), expected);

  audit::AuditQuery q;
  q.kind = "notification_sent";
  auto sent = audit_.read(q).value();
  ASSERT_EQ(sent.size(), 1u);
  const json body = json::parse(sent[0].body);
  EXPECT_EQ(body["channel_type"], "sns");
  EXPECT_EQ(body["status"], 200);
  EXPECT_EQ(body["reference"], envelope["MessageId"]);
}

TEST_F(SnsFauxqsTest, UnknownTopicFailsAndIsAudited) {
  auto notifier = notifier_for("arn:aws:sns:us-east-1:000000000000:no-such-topic");
  Decided d = decide_example("wiz-s3-public-unknown-environment.json", config_);
  ASSERT_EQ(notifier->enqueue({d.finding, d.decision, {}, nullptr})->queued.size(), 1u);
  const DeliveryReport report = notifier->deliver_due();
  EXPECT_EQ(report.sent, 0u);
  EXPECT_EQ(report.failed, 1u);
  audit::AuditQuery q;
  q.kind = "notification_failed";
  auto failed = audit_.read(q).value();
  ASSERT_EQ(failed.size(), 1u);
  const json body = json::parse(failed[0].body);
  EXPECT_EQ(body["permanent"], true);
  EXPECT_NE(body["error"].get<std::string>().find("SNS.Publish"), std::string::npos) << body.dump();
  EXPECT_TRUE(drain_queue().empty());
}

}  // namespace
}  // namespace fixgate::notify
