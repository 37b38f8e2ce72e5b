#include "server/queue_intake_sink.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <httplib.h>

#include <filesystem>

#include "server/intake_server.h"
#include "sns_test_support.h"

namespace fixgate::server {
namespace {

class QueueIntakeSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() /
          ("fixgate-server-sink-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto opened = queue::open_sqlite_queue((dir / "queue.db").string());
    ASSERT_TRUE(opened.ok()) << opened.error().to_string();
    q = std::move(*opened);
  }
  void TearDown() override {
    q.reset();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  std::unique_ptr<queue::DurableQueue> q;
};

TEST_F(QueueIntakeSinkTest, EnqueuesDurablyWithMetadataAndDedupes) {
  QueueIntakeSink sink(*q);
  IntakeMeta meta;
  meta.source = "sns";
  meta.request_id = "req-1";
  meta.remote_addr = "127.0.0.1";
  meta.content_type = "text/plain";
  meta.sns_topic_arn = "arn:aws:sns:us-east-1:111111111111:wiz";
  meta.sns_message_id = "m-1";
  meta.received_at = std::chrono::system_clock::from_time_t(1767225600);  // 2026-01-01T00:00:00Z
  auto first = sink.enqueue("sns:m-1", "{\"issue\":{}}", meta);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_FALSE(first->duplicate);
  auto again = sink.enqueue("sns:m-1", "{\"issue\":{}}", meta);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->id, first->id);
  EXPECT_TRUE(sink.healthy());

  auto leased = q->lease("w", 10, std::chrono::seconds(30));
  ASSERT_TRUE(leased.ok()) << leased.error().to_string();
  ASSERT_EQ(leased->size(), 1u);
  const queue::Message& m = (*leased)[0];
  EXPECT_EQ(std::to_string(m.receipt.id), first->id);
  EXPECT_EQ(m.idempotency_key, "sns:m-1");
  EXPECT_EQ(m.payload, "{\"issue\":{}}");
  EXPECT_EQ(m.source.source, "sns");
  EXPECT_EQ(m.source.attributes.at("request_id"), "req-1");
  EXPECT_EQ(m.source.attributes.at("remote"), "127.0.0.1");
  EXPECT_EQ(m.source.attributes.at("sns_topic_arn"), "arn:aws:sns:us-east-1:111111111111:wiz");
  EXPECT_EQ(m.source.attributes.at("sns_message_id"), "m-1");
  EXPECT_EQ(m.source.attributes.at("received_at"), "2026-01-01T00:00:00Z");
}

TEST_F(QueueIntakeSinkTest, InvalidPayloadIsAnErrorButNotUnhealthy) {
  queue::QueueOptions options;
  options.max_payload_bytes = 8;
  auto small = queue::open_sqlite_queue((dir / "small.db").string(), options);
  ASSERT_TRUE(small.ok());
  QueueIntakeSink sink(**small);
  auto result = sink.enqueue("k", std::string(64, 'x'), IntakeMeta{});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, "queue.invalid");
  EXPECT_TRUE(sink.healthy());
}

// The whole intake path with the real durable queue: what was acknowledged 202
// is in the SQLite file, and a redelivery is reported as the same message.
TEST_F(QueueIntakeSinkTest, AcknowledgedWebhookIsInTheDurableQueue) {
  QueueIntakeSink sink(*q);
  sns::testing::FakeFetcher fetcher;
  sns::SnsVerifier verifier(fetcher);
  metrics::Registry registry;
  ServerOptions options;
  options.port = 0;
  options.keep_alive_timeout = std::chrono::seconds(1);
  options.wiz.bearer_token = "t0ken";
  auto server = IntakeServer::create(options, sink, verifier, registry, [](std::string_view) {});
  ASSERT_TRUE(server.ok());
  auto port = (*server)->start();
  ASSERT_TRUE(port.ok());

  httplib::Client client("127.0.0.1", *port);
  client.set_bearer_token_auth("t0ken");
  const std::string body = R"({"trigger":{"type":"Open"},"issue":{"id":"i-9","status":"OPEN"},"resource":{"id":"r"}})";
  auto first = client.Post("/v1/wiz", body, "application/json");
  auto second = client.Post("/v1/wiz", body, "application/json");
  EXPECT_EQ(client.Get("/readyz")->status, 200);
  (*server)->stop();
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  ASSERT_EQ(first->status, 202);
  const auto ack = nlohmann::json::parse(first->body);
  EXPECT_EQ(nlohmann::json::parse(second->body)["duplicate"], true);
  EXPECT_EQ(nlohmann::json::parse(second->body)["id"], ack["id"]);

  // Reopen the file: the acknowledged payload survived the server.
  q.reset();
  auto reopened = queue::open_sqlite_queue((dir / "queue.db").string());
  ASSERT_TRUE(reopened.ok());
  auto leased = (*reopened)->lease("w", 10, std::chrono::seconds(30));
  ASSERT_TRUE(leased.ok());
  ASSERT_EQ(leased->size(), 1u);
  EXPECT_EQ(std::to_string((*leased)[0].receipt.id), ack["id"].get<std::string>());
  EXPECT_EQ((*leased)[0].payload, body);
  EXPECT_EQ((*leased)[0].source.source, "wiz");
}

}  // namespace
}  // namespace fixgate::server
