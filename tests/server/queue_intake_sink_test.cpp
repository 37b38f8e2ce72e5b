#include "server/queue_intake_sink.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

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

}  // namespace
}  // namespace fixgate::server
