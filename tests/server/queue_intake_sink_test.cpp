#include "server/queue_intake_sink.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <httplib.h>

#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>

#include "server/intake_server.h"
#include "sns_test_support.h"

namespace fixgate::server {
namespace {

// The real queue, with enqueue_batch held at a gate the test opens: lets a test
// pile findings up behind one commit, as a slow disk would.
class GatedQueue final : public queue::DurableQueue {
 public:
  explicit GatedQueue(queue::DurableQueue& inner) : inner_(inner) {}
  void open_gate() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    changed_.notify_all();
  }
  // Blocks until a commit is held at the gate.
  void wait_until_held() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return held_ > 0; });
  }
  std::vector<size_t> batch_sizes() {
    std::lock_guard lock(mutex_);
    return sizes_;
  }

  std::vector<Result<queue::EnqueueResult>> enqueue_batch(const std::vector<queue::EnqueueRequest>& requests) override {
    {
      std::unique_lock lock(mutex_);
      ++held_;
      changed_.notify_all();
      changed_.wait(lock, [this] { return open_; });
      sizes_.push_back(requests.size());
    }
    return inner_.enqueue_batch(requests);
  }
  Result<queue::EnqueueResult> enqueue(std::string_view key, std::string_view payload,
                                       const queue::SourceMetadata& source) override {
    return inner_.enqueue(key, payload, source);
  }
  Result<std::vector<queue::Message>> lease(std::string_view worker, size_t n, std::chrono::milliseconds t) override {
    return inner_.lease(worker, n, t);
  }
  Result<void> ack(const queue::Receipt& r) override { return inner_.ack(r); }
  Result<queue::NackOutcome> nack(const queue::Receipt& r, std::string_view e) override { return inner_.nack(r, e); }
  Result<void> extend(const queue::Receipt& r, std::chrono::milliseconds t) override { return inner_.extend(r, t); }
  Result<void> release(const queue::Receipt& r) override { return inner_.release(r); }
  Result<queue::QueueCounts> counts() override { return inner_.counts(); }
  Result<std::vector<queue::DeadLetter>> list_dead(size_t limit) override { return inner_.list_dead(limit); }
  Result<void> redrive(int64_t id) override { return inner_.redrive(id); }
  Result<int64_t> redrive_all() override { return inner_.redrive_all(); }

 private:
  queue::DurableQueue& inner_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
  int held_ = 0;
  std::vector<size_t> sizes_;
};

// Collects enqueue_async answers from whatever thread gives them.
struct Answers {
  std::mutex mutex;
  std::condition_variable arrived;
  std::map<std::string, std::vector<Result<EnqueueAck>>> by_key;
  size_t count = 0;

  IntakeSink::EnqueueDone for_key(const std::string& key) {
    return [this, key](Result<EnqueueAck> ack) {
      std::lock_guard lock(mutex);
      by_key[key].push_back(std::move(ack));
      ++count;
      arrived.notify_all();
    };
  }
  bool wait_for(size_t n) {
    std::unique_lock lock(mutex);
    return arrived.wait_for(lock, std::chrono::seconds(30), [&] { return count >= n; });
  }
};

IntakeMeta wiz_meta() {
  IntakeMeta meta;
  meta.source = "wiz";
  meta.received_at = std::chrono::system_clock::now();
  return meta;
}

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

// Findings that arrive while a commit runs share the next one, and each is
// answered once, after the commit that carried it.
TEST_F(QueueIntakeSinkTest, AsyncEnqueuesShareCommitsAndAreAnsweredOnceAfterThem) {
  GatedQueue gated(*q);
  Answers answers;
  {
    QueueIntakeSink sink(gated);
    sink.enqueue_async("wiz:first", "{}", wiz_meta(), answers.for_key("wiz:first"));
    gated.wait_until_held();  // the first commit is running; the rest pile up behind it
    for (int i = 0; i < 50; ++i) {
      const std::string key = "wiz:" + std::to_string(i % 40);  // ten keys repeated
      sink.enqueue_async(key, "{\"n\":" + std::to_string(i) + "}", wiz_meta(), answers.for_key(key));
    }
    {
      std::lock_guard lock(answers.mutex);
      EXPECT_EQ(answers.count, 0u) << "nothing is answered before its commit";
    }
    gated.open_gate();
    ASSERT_TRUE(answers.wait_for(51));
  }
  EXPECT_EQ(gated.batch_sizes(), (std::vector<size_t>{1, 50}));
  ASSERT_EQ(answers.by_key.size(), 41u);
  size_t duplicates = 0;
  for (const auto& [key, acks] : answers.by_key) {
    for (const auto& ack : acks) {
      ASSERT_TRUE(ack.ok()) << key << ": " << ack.error().to_string();
      duplicates += ack->duplicate ? 1 : 0;
    }
    for (const auto& ack : acks) EXPECT_EQ(ack->id, acks.front()->id) << key;
  }
  EXPECT_EQ(duplicates, 10u);
  auto counts = q->counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->ready, 41);
}

TEST_F(QueueIntakeSinkTest, BeyondMaxWaitingFindingsAreRefusedAtOnceNotQueued) {
  GatedQueue gated(*q);
  Answers answers;
  QueueIntakeSinkOptions options;
  options.max_waiting = 3;
  {
    QueueIntakeSink sink(gated, options);
    sink.enqueue_async("wiz:held", "{}", wiz_meta(), answers.for_key("wiz:held"));
    gated.wait_until_held();
    for (int i = 0; i < 5; ++i) {
      const std::string key = "wiz:w" + std::to_string(i);
      sink.enqueue_async(key, "{}", wiz_meta(), answers.for_key(key));
    }
    ASSERT_TRUE(answers.wait_for(2));  // the two over the limit, answered without waiting
    {
      std::lock_guard lock(answers.mutex);
      for (const char* key : {"wiz:w3", "wiz:w4"}) {
        ASSERT_EQ(answers.by_key[key].size(), 1u) << key;
        ASSERT_FALSE(answers.by_key[key][0].ok());
        EXPECT_EQ(answers.by_key[key][0].error().code, "queue.overloaded");
      }
    }
    EXPECT_TRUE(sink.healthy()) << "overload is not ill health";
    gated.open_gate();
  }  // the destructor commits and answers the three waiting
  EXPECT_EQ(answers.count, 6u);
  for (const char* key : {"wiz:held", "wiz:w0", "wiz:w1", "wiz:w2"}) {
    ASSERT_EQ(answers.by_key[key].size(), 1u) << key;
    EXPECT_TRUE(answers.by_key[key][0].ok()) << key;
  }
  auto counts = q->counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->ready, 4);
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
