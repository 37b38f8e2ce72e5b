#include "service/worker_pool.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "service_harness.h"

namespace fixgate::service {
namespace {

using namespace std::chrono_literals;

class WorkerPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fixgate::testing::fresh_dir("fixgate-pool");
    queue::QueueOptions options;
    options.durability = queue::Durability::normal;
    options.retry.base = 0ms;
    options.retry.cap = 0ms;
    options.retry.max_attempts = 2;
    auto opened = queue::open_sqlite_queue((dir / "queue.db").string(), options);
    ASSERT_TRUE(opened.ok()) << opened.error().to_string();
    q = std::move(*opened);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  std::unique_ptr<WorkerPool> make_pool(MessageHandler handler, WorkerPoolOptions options) {
    options.idle_wait = 20ms;
    auto pool = WorkerPool::create(*q, std::move(handler), options, registry,
                                   logging::Logger("worker", [](std::string_view) {}, nullptr, "run-test"));
    EXPECT_TRUE(pool.ok());
    return pool.ok() ? std::move(*pool) : nullptr;
  }

  void enqueue(const std::string& key) {
    ASSERT_TRUE(q->enqueue(key, "{\"k\":\"" + key + "\"}", queue::SourceMetadata{"test", {}}).ok());
  }

  bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(5ms);
    }
    return done();
  }

  std::filesystem::path dir;
  metrics::Registry registry;
  std::unique_ptr<queue::DurableQueue> q;
};

TEST_F(WorkerPoolTest, AcksEveryMessageTheHandlerFinished) {
  std::atomic<int> handled{0};
  auto pool = make_pool([&](const queue::Message&) -> Result<void> { ++handled; return {}; }, {.workers = 2});
  for (int i = 0; i < 20; ++i) enqueue("k" + std::to_string(i));
  pool->start();
  ASSERT_TRUE(wait_for([&] { return pool->stats().acked == 20; }));
  pool->stop();
  EXPECT_EQ(handled.load(), 20);
  EXPECT_EQ(q->counts()->depth(), 0);
  EXPECT_NE(registry.expose().find("fixgate_worker_messages_total{result=\"acked\"} 20"), std::string::npos);
}

TEST_F(WorkerPoolTest, FailuresRetryThenDeadLetterWithTheError) {
  std::atomic<int> calls{0};
  auto pool = make_pool(
      [&](const queue::Message&) -> Result<void> {
        ++calls;
        return make_error("audit.sqlite", "disk full");
      },
      {.workers = 1});
  enqueue("poison");
  pool->start();
  ASSERT_TRUE(wait_for([&] { return pool->stats().dead_lettered == 1; }));
  pool->stop();
  EXPECT_EQ(calls.load(), 2);  // max_attempts
  EXPECT_EQ(pool->stats().retried, 1u);
  auto dead = q->list_dead(10);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_NE(dead->front().last_error.find("disk full"), std::string::npos);
}

TEST_F(WorkerPoolTest, HeartbeatKeepsALongRunningMessageFromBeingHandedOutAgain) {
  std::mutex mutex;
  std::map<int64_t, int> deliveries;
  auto pool = make_pool(
      [&](const queue::Message& m) -> Result<void> {
        {
          std::lock_guard lock(mutex);
          ++deliveries[m.receipt.id];
        }
        std::this_thread::sleep_for(900ms);  // 4.5 visibility timeouts
        return {};
      },
      {.workers = 2, .lease_batch = 1, .visibility_timeout = 200ms, .heartbeat_interval = 40ms});
  enqueue("slow");
  pool->start();
  ASSERT_TRUE(wait_for([&] { return pool->stats().acked == 1; }));
  pool->stop();
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_EQ(deliveries.begin()->second, 1);
  EXPECT_EQ(pool->stats().queue_errors, 0u);
}

TEST_F(WorkerPoolTest, StopFinishesTheCurrentMessageAndReleasesTheRestUncounted) {
  std::atomic<bool> entered{false};
  auto pool = make_pool(
      [&](const queue::Message&) -> Result<void> {
        entered = true;
        std::this_thread::sleep_for(300ms);
        return {};
      },
      {.workers = 1, .lease_batch = 5});
  for (int i = 0; i < 5; ++i) enqueue("m" + std::to_string(i));
  pool->start();
  ASSERT_TRUE(wait_for([&] { return entered.load(); }));
  pool->stop();
  EXPECT_EQ(pool->stats().acked, 1u);
  EXPECT_EQ(pool->stats().released, 4u);
  auto counts = q->counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->ready, 4);
  EXPECT_EQ(counts->in_flight, 0);
  // A release is not an attempt: the next delivery is the first.
  auto again = q->lease("after", 10, 1s);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 4u);
  for (const auto& m : *again) EXPECT_EQ(m.attempts, 1);
}

TEST_F(WorkerPoolTest, WorkersRunBelowTheCallersCpuPriority) {
  errno = 0;
  const int caller = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
  ASSERT_EQ(errno, 0);
  std::atomic<int> seen{-100};
  auto pool = make_pool(
      [&](const queue::Message&) -> Result<void> {
        seen = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
        return {};
      },
      {.workers = 1, .nice = 5});
  enqueue("m");
  pool->start();
  ASSERT_TRUE(wait_for([&] { return pool->stats().acked == 1; }));
  pool->stop();
  EXPECT_EQ(seen.load(), std::min(caller + 5, 19));
  EXPECT_EQ(::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())), caller) << "only the workers changed";
}

TEST_F(WorkerPoolTest, QueueGaugesAreSampled) {
  auto pool = make_pool([](const queue::Message&) -> Result<void> { return make_error("x", "y"); },
                        {.workers = 1, .visibility_timeout = 300ms});
  pool->start();
  ASSERT_TRUE(wait_for([&] { return registry.expose().find("fixgate_queue_messages{state=\"ready\"}") !=
                                    std::string::npos; }));
  pool->stop();
}

}  // namespace
}  // namespace fixgate::service
