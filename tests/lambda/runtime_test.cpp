// The runtime loop against a loopback fake of the Lambda Runtime API — the
// documented paths, headers and status codes — and, last, with the real Engine
// deciding and recording each record.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "captured_log.h"
#include "decision/decision.h"
#include "engine/engine.h"
#include "intake/intake.h"
#include "lambda/engine_records.h"
#include "lambda/runtime_client.h"
#include "lambda/runtime_loop.h"

namespace fixgate::lambda {
namespace {

namespace fs = std::filesystem;

struct Posted {
  std::string path;
  std::string body;
  std::string content_type;
  std::string error_type;
};

// Hands out scripted invocations on GET .../invocation/next and records every POST.
class FakeRuntimeApi {
 public:
  struct Event {
    std::string request_id;
    std::string body;
    std::int64_t deadline_ms;
  };

  FakeRuntimeApi() {
    server_.Get("/2018-06-01/runtime/invocation/next", [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      if (events_.empty()) {
        res.status = 500;
        return;
      }
      const Event e = events_.front();
      events_.pop_front();
      res.set_header("Lambda-Runtime-Aws-Request-Id", e.request_id);
      res.set_header("Lambda-Runtime-Deadline-Ms", std::to_string(e.deadline_ms));
      res.set_header("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:fixgate");
      res.set_header("Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1");
      res.set_content(e.body, "application/json");
    });
    server_.Post(R"(/2018-06-01/runtime/(invocation/[^/]+/(response|error)|init/error))",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   std::lock_guard lock(mutex_);
                   posted_.push_back({req.path, req.body, req.get_header_value("Content-Type"),
                                      req.get_header_value("Lambda-Runtime-Function-Error-Type")});
                   res.status = 202;
                   res.set_content(R"({"status":"OK"})", "application/json");
                 });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ~FakeRuntimeApi() {
    server_.stop();
    thread_.join();
  }

  void push(Event e) {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(e));
  }
  std::vector<Posted> posted() {
    std::lock_guard lock(mutex_);
    return posted_;
  }
  std::string api() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::deque<Event> events_;
  std::vector<Posted> posted_;
};

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// An SQS event whose records carry these bodies, with ids r0, r1, ...
std::string sqs_event(const std::vector<std::string>& bodies) {
  nlohmann::json records = nlohmann::json::array();
  for (size_t i = 0; i < bodies.size(); ++i) {
    records.push_back({{"messageId", "r" + std::to_string(i)},
                       {"receiptHandle", "h"},
                       {"body", bodies[i]},
                       {"attributes", {{"ApproximateReceiveCount", "1"}}},
                       {"eventSource", "aws:sqs"},
                       {"eventSourceARN", "arn:aws:sqs:us-east-1:123456789012:findings"},
                       {"awsRegion", "us-east-1"}});
  }
  return nlohmann::json{{"Records", records}}.dump();
}

constexpr std::int64_t kFarDeadline = 4102444800000;  // 2100-01-01

RuntimeOptions quiet() {
  RuntimeOptions o;
  o.logger = logging::Logger("lambda", [](std::string_view) {}, nullptr, "run-test");
  return o;
}

TEST(RuntimeClient, NextReadsTheInvocationHeaders) {
  FakeRuntimeApi api;
  api.push({"8476a536-e9f4-11e8-9739-2dfe598c3fcd", "{}", 1542409706888});
  auto client = RuntimeClient::connect(api.api());
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  auto inv = (*client)->next();
  ASSERT_TRUE(inv.ok()) << inv.error().to_string();
  EXPECT_EQ(inv->request_id, "8476a536-e9f4-11e8-9739-2dfe598c3fcd");
  EXPECT_EQ(inv->deadline_ms, 1542409706888);
  EXPECT_EQ(inv->function_arn, "arn:aws:lambda:us-east-1:123456789012:function:fixgate");
  EXPECT_EQ(std::string(std::getenv("_X_AMZN_TRACE_ID")), inv->trace_id);
  EXPECT_EQ(inv->event, "{}");
}

TEST(RuntimeClient, RefusesABadApiAddress) {
  for (const char* bad : {"", "localhost", "localhost:", ":9001", "localhost:http", "localhost:70000"}) {
    auto client = RuntimeClient::connect(bad);
    ASSERT_FALSE(client.ok()) << bad;
    EXPECT_EQ(client.error().code, "lambda.runtime_api");
  }
}

TEST(RuntimeLoop, PartialFailureIsReportedAsBatchItemFailures) {
  FakeRuntimeApi api;
  api.push({"req-1", sqs_event({"ok", "fail", "ok"}), kFarDeadline});
  auto client = RuntimeClient::connect(api.api());
  ASSERT_TRUE(client.ok());
  testing::CapturedLog log;
  RuntimeOptions o;
  o.logger = log.logger("lambda");
  o.max_invocations = 1;
  auto stats = serve(**client,
                     [](const SqsRecord& r) -> Result<void> {
                       if (r.body == "fail") return make_error("audit.write_failed", "database is locked");
                       return {};
                     },
                     o);
  ASSERT_TRUE(stats.ok()) << stats.error().to_string();
  EXPECT_EQ(stats->records, 3u);
  EXPECT_EQ(stats->failed_records, 1u);
  const auto posted = api.posted();
  ASSERT_EQ(posted.size(), 1u);
  EXPECT_EQ(posted[0].path, "/2018-06-01/runtime/invocation/req-1/response");
  EXPECT_EQ(nlohmann::json::parse(posted[0].body), nlohmann::json::parse(R"({"batchItemFailures":[{"itemIdentifier":"r1"}]})"));

  // One JSON line for the failed record and one for the invocation, both under
  // the invocation's request id.
  const auto retried = log.with_message("record reported for retry");
  ASSERT_EQ(retried.size(), 1u) << log.text();
  testing::expect_log_shape(retried[0], "lambda");
  EXPECT_EQ(retried[0]["correlation_id"], "req-1");
  EXPECT_EQ(retried[0]["message_id"], "r1");
  EXPECT_NE(retried[0].value("reason", std::string()).find("audit.write_failed"), std::string::npos);
  const auto handled = log.with_message("invocation handled");
  ASSERT_EQ(handled.size(), 1u) << log.text();
  EXPECT_EQ(handled[0]["correlation_id"], "req-1");
  EXPECT_EQ(handled[0]["level"], "warn");
  EXPECT_EQ(handled[0]["records"], 3);
  EXPECT_EQ(handled[0]["reported_for_retry"], 1);
}

TEST(RuntimeLoop, MalformedEventIsAnInvocationErrorSoTheWholeBatchIsRetried) {
  FakeRuntimeApi api;
  api.push({"req-bad", R"({"Records":[{"eventSource":"aws:sqs","body":"x"}]})", kFarDeadline});
  api.push({"req-next", sqs_event({"ok"}), kFarDeadline});
  auto client = RuntimeClient::connect(api.api());
  ASSERT_TRUE(client.ok());
  RuntimeOptions o = quiet();
  o.max_invocations = 2;
  auto stats = serve(**client, [](const SqsRecord&) -> Result<void> { return {}; }, o);
  ASSERT_TRUE(stats.ok()) << stats.error().to_string();
  EXPECT_EQ(stats->malformed_events, 1u);
  const auto posted = api.posted();
  ASSERT_EQ(posted.size(), 2u);
  EXPECT_EQ(posted[0].path, "/2018-06-01/runtime/invocation/req-bad/error");
  EXPECT_EQ(posted[0].content_type, "application/vnd.aws.lambda.error+json");
  EXPECT_EQ(posted[0].error_type, "fixgate.MalformedEvent");
  const auto doc = nlohmann::json::parse(posted[0].body);
  EXPECT_EQ(doc["errorType"], "fixgate.MalformedEvent");
  EXPECT_NE(doc["errorMessage"].get<std::string>().find("Records[0].messageId"), std::string::npos);
  EXPECT_TRUE(doc["stackTrace"].is_array());
  // The loop goes on with the next invocation.
  EXPECT_EQ(posted[1].path, "/2018-06-01/runtime/invocation/req-next/response");
}

TEST(RuntimeLoop, NearTheDeadlineRemainingRecordsAreHandedBack) {
  FakeRuntimeApi api;
  api.push({"req-late", sqs_event({"a", "b"}), 10'000});
  auto client = RuntimeClient::connect(api.api());
  ASSERT_TRUE(client.ok());
  RuntimeOptions o = quiet();
  o.max_invocations = 1;
  std::int64_t now = 5'000;
  o.now_ms = [&now] { return now; };
  auto stats = serve(**client,
                     [&now](const SqsRecord&) -> Result<void> {
                       now = 8'000;  // the first record took 3 s: less than the margin is left
                       return {};
                     },
                     o);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(nlohmann::json::parse(api.posted()[0].body)["batchItemFailures"],
            nlohmann::json::parse(R"([{"itemIdentifier":"r1"}])"));
}

TEST(RuntimeLoop, EndsWithTheErrorWhenTheRuntimeApiGoesAway) {
  FakeRuntimeApi api;  // no events: next answers 500
  auto client = RuntimeClient::connect(api.api());
  ASSERT_TRUE(client.ok());
  auto stats = serve(**client, [](const SqsRecord&) -> Result<void> { return {}; }, quiet());
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.error().code, "lambda.runtime_api");
}

TEST(RuntimeClient, InitErrorIsPostedWithTheErrorType) {
  FakeRuntimeApi api;
  auto client = RuntimeClient::connect(api.api());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->init_error("fixgate.ConfigError", "fixgate.yaml:3:1: unknown key").ok());
  const auto posted = api.posted();
  ASSERT_EQ(posted.size(), 1u);
  EXPECT_EQ(posted[0].path, "/2018-06-01/runtime/init/error");
  EXPECT_EQ(posted[0].error_type, "fixgate.ConfigError");
  EXPECT_EQ(nlohmann::json::parse(posted[0].body)["errorMessage"], "fixgate.yaml:3:1: unknown key");
}

// The Engine behind the loop: SNS-wrapped and raw Wiz findings are decided and
// recorded; a record whose decision cannot be recorded (an injected audit write
// fault) is the only batch item failure.
TEST(RuntimeLoop, EngineRecordsEachRecordAndReportsTheUnrecordedOne) {
  const fs::path state = fs::temp_directory_path() / ("fixgate-lambda-" + std::to_string(::getpid()));
  fs::remove_all(state);
  fs::create_directories(state);
  engine::EngineOptions options;
  options.config_path = FIXGATE_SOURCE_DIR "/examples/fixgate.yaml";
  options.state_dir = state.string();
  options.actor = "fixgate-lambda";
  auto opened = engine::Engine::open(std::move(options));
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((state / "audit.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TRIGGER test_injected_fault BEFORE INSERT ON audit_records WHEN NEW.finding_id LIKE "
                         "'%lambda-poison%' BEGIN SELECT RAISE(ABORT, 'injected disk fault'); END;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  const std::string unknown = read(FIXGATE_SOURCE_DIR "/examples/findings/wiz-unknown-control.json");
  const std::string sns = nlohmann::json{{"Type", "Notification"},
                                         {"MessageId", "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324"},
                                         {"TopicArn", "arn:aws:sns:us-east-1:123456789012:wiz-findings"},
                                         {"Message", read(FIXGATE_SOURCE_DIR "/examples/findings/wiz-s3-unencrypted-low-severity.json")},
                                         {"Timestamp", "2026-11-25T12:00:00.000Z"}}
                              .dump();
  auto poison = nlohmann::json::parse(unknown);
  poison["issue"]["id"] = "lambda-poison-1";

  FakeRuntimeApi api;
  api.push({"req-engine", sqs_event({unknown, poison.dump(), sns}), kFarDeadline});
  auto client = RuntimeClient::connect(api.api());
  ASSERT_TRUE(client.ok());
  testing::CapturedLog log;
  const auto logger = log.logger("lambda");
  RuntimeOptions o;
  o.logger = logger;
  o.max_invocations = 1;
  auto stats = serve(**client, engine_record_handler(**opened, logger), o);
  ASSERT_TRUE(stats.ok()) << stats.error().to_string();
  EXPECT_EQ(nlohmann::json::parse(api.posted()[0].body),
            nlohmann::json::parse(R"({"batchItemFailures":[{"itemIdentifier":"r1"}]})"));

  // Every line about a finding carries that finding's correlation id — the one
  // its audit records carry — and the record's message id.
  const auto decided = log.with_message("finding decided");
  ASSERT_EQ(decided.size(), 2u) << log.text();
  for (const auto& line : decided) {
    testing::expect_log_shape(line, "lambda");
    audit::AuditQuery by_correlation;
    by_correlation.correlation_id = line["correlation_id"];
    by_correlation.kind = "decision";
    auto recorded = (*opened)->audit().read(by_correlation);
    ASSERT_TRUE(recorded.ok());
    ASSERT_EQ(recorded->size(), 1u) << line.dump();
    EXPECT_EQ((*recorded)[0].seq, line["audit_seq"].get<std::int64_t>());
    EXPECT_TRUE(line["message_id"] == "r0" || line["message_id"] == "r2") << line.dump();
  }
  const auto unrecorded = log.with_message("decision not recorded; the message will be delivered again");
  ASSERT_EQ(unrecorded.size(), 1u) << log.text();
  EXPECT_EQ(unrecorded[0]["correlation_id"], correlation_id_for(intake::parse_payload(poison.dump()).front()));
  EXPECT_EQ(unrecorded[0]["message_id"], "r1");
  EXPECT_EQ(unrecorded[0]["finding_id"], "lambda-poison-1");

  audit::AuditQuery query;
  query.kind = "decision";
  query.limit = 100;
  auto decisions = (*opened)->audit().read(query);
  ASSERT_TRUE(decisions.ok());
  EXPECT_EQ(decisions->size(), 2u);
  for (const auto& d : *decisions) EXPECT_EQ(d.finding_id.find("lambda-poison"), std::string::npos);
  opened->reset();
  fs::remove_all(state);
}

}  // namespace
}  // namespace fixgate::lambda
