#include "queue/durable_queue.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

namespace fixgate::queue {
namespace {

using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "fixgate-queue-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

class FakeClock final : public Clock {
 public:
  TimePoint now() const override { return TimePoint(std::chrono::milliseconds(ms_.load())); }
  void advance(std::chrono::milliseconds by) { ms_ += by.count(); }

 private:
  std::atomic<int64_t> ms_{1'764'000'000'000};
};

class QueueTest : public ::testing::Test {
 protected:
  std::unique_ptr<DurableQueue> open_queue(QueueOptions options) {
    options.clock = &clock_;
    if (!options.random) options.random = [this] { return random_; };
    auto q = open_sqlite_queue(path_, std::move(options));
    if (!q.ok()) ADD_FAILURE() << q.error().to_string();
    return q.ok() ? std::move(q).value() : nullptr;
  }
  std::unique_ptr<DurableQueue> open_queue() { return open_queue(default_options()); }
  static QueueOptions default_options() {
    QueueOptions o;
    o.retry = RetryPolicy{.base = 1000ms, .cap = 8000ms, .jitter = 0.0, .max_attempts = 6};
    o.dedupe_window = 10min;
    return o;
  }
  EnqueueResult enqueue(DurableQueue& q, const std::string& key, const std::string& payload = "{}") {
    auto r = q.enqueue(key, payload, SourceMetadata{"webhook", {{"remote", "127.0.0.1"}}});
    if (!r.ok()) {
      ADD_FAILURE() << r.error().to_string();
      return {};
    }
    return *r;
  }
  std::vector<Message> lease(DurableQueue& q, size_t n = 10, std::chrono::milliseconds timeout = 30s) {
    auto r = q.lease("worker-1", n, timeout);
    if (!r.ok()) {
      ADD_FAILURE() << r.error().to_string();
      return {};
    }
    return *r;
  }
  QueueCounts counts(DurableQueue& q) {
    auto r = q.counts();
    if (!r.ok()) ADD_FAILURE() << r.error().to_string();
    return r.ok() ? *r : QueueCounts{};
  }

  TempDir dir_;
  std::string path_ = dir_.file("queue.db");
  FakeClock clock_;
  double random_ = 0.0;
};

TEST_F(QueueTest, EnqueueDedupesByIdempotencyKey) {
  auto q = open_queue();
  const EnqueueResult first = enqueue(*q, "wiz:issue-1");
  EXPECT_FALSE(first.duplicate);
  EXPECT_GT(first.id, 0);
  const EnqueueResult again = enqueue(*q, "wiz:issue-1", "different body");
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.id, first.id);
  const EnqueueResult other = enqueue(*q, "wiz:issue-2");
  EXPECT_FALSE(other.duplicate);
  EXPECT_NE(other.id, first.id);
  EXPECT_EQ(counts(*q).ready, 2);
}

TEST_F(QueueTest, EnqueueBatchQueuesInOrderDedupesAndRefusesBadItemsAlone) {
  auto q = open_queue();
  const EnqueueResult existing = enqueue(*q, "wiz:old");
  std::vector<EnqueueRequest> requests = {
      {"wiz:a", "payload a", SourceMetadata{"wiz", {{"request_id", "r-a"}}}},
      {"", "no key", SourceMetadata{"wiz", {}}},
      {"wiz:old", "again", SourceMetadata{"wiz", {}}},
      {"wiz:b", "payload b", SourceMetadata{"sns", {}}},
      {"wiz:a", "repeat inside the batch", SourceMetadata{"wiz", {}}},
  };
  const auto results = q->enqueue_batch(requests);
  ASSERT_EQ(results.size(), requests.size());
  ASSERT_TRUE(results[0].ok());
  EXPECT_FALSE(results[0]->duplicate);
  ASSERT_FALSE(results[1].ok());
  EXPECT_EQ(results[1].error().code, "queue.invalid");
  EXPECT_NE(results[1].error().message.find("idempotency_key"), std::string::npos);
  ASSERT_TRUE(results[2].ok());
  EXPECT_TRUE(results[2]->duplicate);
  EXPECT_EQ(results[2]->id, existing.id);
  ASSERT_TRUE(results[3].ok());
  EXPECT_GT(results[3]->id, results[0]->id);
  ASSERT_TRUE(results[4].ok());
  EXPECT_TRUE(results[4]->duplicate);
  EXPECT_EQ(results[4]->id, results[0]->id);

  const auto messages = lease(*q);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[1].payload, "payload a");
  EXPECT_EQ(messages[1].source.attributes.at("request_id"), "r-a");
  EXPECT_EQ(messages[2].payload, "payload b");
  EXPECT_EQ(messages[2].source.source, "sns");
  EXPECT_TRUE(q->enqueue_batch({}).empty());
}

TEST_F(QueueTest, ConcurrentEnqueuesOfTheSameKeysQueueEachKeyOnce) {
  auto q = open_queue();
  constexpr int kThreads = 8;
  constexpr int kKeys = 25;
  std::mutex mutex;
  std::map<std::string, std::vector<EnqueueResult>> results;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int k = 0; k < kKeys; ++k) {
        auto r = q->enqueue("key-" + std::to_string(k), "p", {});
        ASSERT_TRUE(r.ok()) << r.error().to_string();
        std::lock_guard lock(mutex);
        results["key-" + std::to_string(k)].push_back(*r);
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(results.size(), static_cast<size_t>(kKeys));
  for (const auto& [key, got] : results) {
    ASSERT_EQ(got.size(), static_cast<size_t>(kThreads));
    int originals = 0;
    for (const EnqueueResult& r : got) {
      originals += r.duplicate ? 0 : 1;
      EXPECT_EQ(r.id, got[0].id) << key;  // every caller learns the one message id
    }
    EXPECT_EQ(originals, 1) << key;
  }
  EXPECT_EQ(counts(*q).ready, kKeys);
}

TEST_F(QueueTest, KeyStaysDedupedAfterAckUntilTheWindowEnds) {
  auto q = open_queue();
  const EnqueueResult first = enqueue(*q, "k");
  auto leased = lease(*q);
  ASSERT_EQ(leased.size(), 1u);
  ASSERT_TRUE(q->ack(leased[0].receipt).ok());
  clock_.advance(9min);
  EXPECT_TRUE(enqueue(*q, "k").duplicate);
  clock_.advance(1min);
  const EnqueueResult later = enqueue(*q, "k");
  EXPECT_FALSE(later.duplicate);
  EXPECT_GT(later.id, first.id);
}

TEST_F(QueueTest, LeaseHidesMessagesUntilTheVisibilityTimeout) {
  auto q = open_queue();
  enqueue(*q, "a", "payload-a");
  clock_.advance(1ms);
  enqueue(*q, "b", "payload-b");
  auto first = lease(*q, 10, 30s);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].payload, "payload-a");
  EXPECT_EQ(first[0].attempts, 1);
  EXPECT_EQ(first[0].source.source, "webhook");
  EXPECT_EQ(first[0].source.attributes.at("remote"), "127.0.0.1");
  EXPECT_EQ(first[0].lease_until, clock_.now() + 30s);
  EXPECT_TRUE(lease(*q).empty());
  EXPECT_EQ(counts(*q).in_flight, 2);

  // The worker "dies": after the timeout both messages come back, leased anew.
  clock_.advance(30s);
  EXPECT_EQ(counts(*q).ready, 2);
  auto second = lease(*q, 1, 30s);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].receipt.id, first[0].receipt.id);
  EXPECT_EQ(second[0].attempts, 2);
  EXPECT_NE(second[0].receipt.lease, first[0].receipt.lease);

  // The dead worker's receipt no longer works; the current one does.
  auto stale = q->ack(first[0].receipt);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, "queue.stale_lease");
  ASSERT_TRUE(q->ack(second[0].receipt).ok());
  auto gone = q->ack(second[0].receipt);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, "queue.not_found");
  EXPECT_EQ(counts(*q).depth(), 1);
}

TEST_F(QueueTest, NackFollowsTheExponentialBackoffSchedule) {
  auto q = open_queue();
  enqueue(*q, "k");
  const std::vector<std::chrono::milliseconds> expected = {1000ms, 2000ms, 4000ms, 8000ms, 8000ms};
  for (size_t i = 0; i < expected.size(); ++i) {
    auto leased = lease(*q);
    ASSERT_EQ(leased.size(), 1u) << "attempt " << i + 1;
    EXPECT_EQ(leased[0].attempts, static_cast<int>(i + 1));
    auto outcome = q->nack(leased[0].receipt, "throttled");
    ASSERT_TRUE(outcome.ok());
    EXPECT_FALSE(outcome->dead_lettered);
    EXPECT_EQ(outcome->retry_at, clock_.now() + expected[i]);
    EXPECT_EQ(counts(*q).delayed, 1);
    clock_.advance(expected[i] - 1ms);
    EXPECT_TRUE(lease(*q).empty()) << "visible before its retry time at attempt " << i + 1;
    clock_.advance(1ms);
  }
}

TEST_F(QueueTest, JitterShortensTheDelayWithinItsBound) {
  QueueOptions options = default_options();
  options.retry.jitter = 0.5;
  random_ = 0.5;
  auto q = open_queue(options);
  enqueue(*q, "k");
  auto leased = lease(*q);
  auto outcome = q->nack(leased[0].receipt, "boom");
  ASSERT_TRUE(outcome.ok());
  // 1000 ms * (1 - 0.5 * 0.5): never below half the delay at jitter 0.5.
  EXPECT_EQ(outcome->retry_at, clock_.now() + 750ms);
}

TEST_F(QueueTest, DeadLettersAfterMaxAttemptsAndRedrives) {
  QueueOptions options = default_options();
  options.retry.max_attempts = 3;
  auto q = open_queue(options);
  const EnqueueResult id = enqueue(*q, "poison", "bad payload");
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto leased = lease(*q);
    ASSERT_EQ(leased.size(), 1u);
    auto outcome = q->nack(leased[0].receipt, "parse error at attempt " + std::to_string(attempt));
    ASSERT_TRUE(outcome.ok());
    EXPECT_EQ(outcome->dead_lettered, attempt == 3);
    clock_.advance(1h);
  }
  EXPECT_TRUE(lease(*q).empty());
  const QueueCounts c = counts(*q);
  EXPECT_EQ(c.dead, 1);
  EXPECT_EQ(c.depth(), 0);
  auto dead = q->list_dead(10);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].id, id.id);
  EXPECT_EQ((*dead)[0].payload, "bad payload");
  EXPECT_EQ((*dead)[0].attempts, 3);
  EXPECT_EQ((*dead)[0].last_error, "parse error at attempt 3");
  EXPECT_EQ((*dead)[0].source.source, "webhook");

  ASSERT_TRUE(q->redrive(id.id).ok());
  auto again = lease(*q);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempts, 1);
  auto not_dead = q->redrive(id.id);
  ASSERT_FALSE(not_dead.ok());
  EXPECT_EQ(not_dead.error().code, "queue.not_found");
}

TEST_F(QueueTest, LeaseThatKeepsExpiringIsDeadLettered) {
  QueueOptions options = default_options();
  options.retry.max_attempts = 2;
  auto q = open_queue(options);
  enqueue(*q, "hangs-the-worker");
  ASSERT_EQ(lease(*q, 1, 5s).size(), 1u);
  clock_.advance(5s);
  auto last = lease(*q, 1, 5s);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].attempts, 2);  // the last allowed attempt
  clock_.advance(5s);
  enqueue(*q, "fine");
  auto next = lease(*q, 10, 5s);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].idempotency_key, "fine");
  auto dead = q->list_dead(0);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_NE((*dead)[0].last_error.find("visibility timeout expired on attempt 2 (worker worker-1"),
            std::string::npos);
  auto all = q->redrive_all();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, 1);
}

TEST_F(QueueTest, ExtendKeepsALongActionLeased) {
  auto q = open_queue();
  enqueue(*q, "slow");
  auto leased = lease(*q, 1, 10s);
  clock_.advance(8s);
  ASSERT_TRUE(q->extend(leased[0].receipt, 10s).ok());
  clock_.advance(8s);
  EXPECT_TRUE(lease(*q).empty());  // would have been visible at 10 s without the extension
  clock_.advance(2s);
  EXPECT_EQ(lease(*q).size(), 1u);
  auto stale = q->extend(leased[0].receipt, 10s);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, "queue.stale_lease");
  EXPECT_FALSE(q->extend(leased[0].receipt, 0ms).ok());
}

TEST_F(QueueTest, ReleaseMakesItVisibleAtOnceWithoutCountingAnAttempt) {
  auto q = open_queue();
  enqueue(*q, "k");
  auto leased = lease(*q, 1, 1h);
  ASSERT_TRUE(q->release(leased[0].receipt).ok());
  auto again = lease(*q);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempts, 1);
  EXPECT_EQ(q->release(leased[0].receipt).error().code, "queue.stale_lease");
}

TEST_F(QueueTest, RejectsBadArgumentsByName) {
  QueueOptions options = default_options();
  options.max_payload_bytes = 8;
  auto q = open_queue(options);
  auto empty_key = q->enqueue("", "x", {});
  ASSERT_FALSE(empty_key.ok());
  EXPECT_EQ(empty_key.error().code, "queue.invalid");
  EXPECT_NE(empty_key.error().message.find("idempotency_key"), std::string::npos);
  EXPECT_NE(q->enqueue("k", "123456789", {}).error().message.find("payload is 9 bytes"), std::string::npos);
  EXPECT_NE(q->lease("", 1, 1s).error().message.find("worker_id"), std::string::npos);
  EXPECT_NE(q->lease("w", 0, 1s).error().message.find("max_items"), std::string::npos);
  EXPECT_NE(q->lease("w", 1, 0ms).error().message.find("visibility_timeout"), std::string::npos);
  QueueOptions bad = default_options();
  bad.retry.max_attempts = 0;
  auto refused = open_sqlite_queue(dir_.file("other.db"), bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("max_attempts"), std::string::npos);
}

TEST_F(QueueTest, PayloadBytesRoundTripExactly) {
  auto q = open_queue();
  const std::string binary("\x00\x01\xff{\"a\":1}\n\x00", 12);
  enqueue(*q, "bin", binary);
  auto leased = lease(*q);
  ASSERT_EQ(leased.size(), 1u);
  EXPECT_EQ(leased[0].payload, binary);
}

TEST_F(QueueTest, ReopenKeepsMessagesLeasesDeadLettersAndKeys) {
  {
    QueueOptions options = default_options();
    options.retry.max_attempts = 1;
    auto q = open_queue(options);
    enqueue(*q, "ready");
    enqueue(*q, "leased");
    enqueue(*q, "dead");
    auto leased = lease(*q, 2, 1min);
    ASSERT_EQ(leased.size(), 2u);
    ASSERT_TRUE(q->nack(leased[0].receipt, "fatal")->dead_lettered);
    // leased[1] ("leased") stays in flight as the process goes away.
  }
  auto q = open_queue();
  QueueCounts c = counts(*q);
  EXPECT_EQ(c.ready, 1);
  EXPECT_EQ(c.in_flight, 1);
  EXPECT_EQ(c.dead, 1);
  EXPECT_TRUE(enqueue(*q, "ready").duplicate);
  clock_.advance(1min);
  EXPECT_EQ(lease(*q).size(), 2u);
}

TEST_F(QueueTest, EnqueuesFromACrashedProcessSurvive) {
  // The child enqueues and dies without closing anything, as a crash would.
  const pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    QueueOptions options = default_options();
    options.clock = &clock_;
    auto q = open_sqlite_queue(path_, options);
    if (!q.ok()) _exit(2);
    for (int i = 0; i < 20; ++i) {
      if (!(*q)->enqueue("child-" + std::to_string(i), "p", {}).ok()) _exit(3);
    }
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto q = open_queue();
  EXPECT_EQ(counts(*q).ready, 20);
  EXPECT_TRUE(enqueue(*q, "child-7").duplicate);
}

TEST_F(QueueTest, ConcurrentWorkersNeverShareAMessage) {
  QueueOptions options = default_options();
  options.durability = Durability::normal;  // this test is about exclusion, not fsync
  auto producer = open_queue(options);
  constexpr int kMessages = 400;
  for (int i = 0; i < kMessages; ++i) enqueue(*producer, "m" + std::to_string(i));

  // Three workers share one handle, three have their own connection (as
  // separate processes would).
  std::vector<std::unique_ptr<DurableQueue>> own;
  for (int i = 0; i < 3; ++i) own.push_back(open_queue(options));
  std::mutex seen_mutex;
  std::map<int64_t, int> seen;
  std::atomic<int> errors{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 6; ++w) {
    DurableQueue& q = w < 3 ? *producer : *own[w - 3];
    workers.emplace_back([&, w] {
      for (int round = 0; round < 1000; ++round) {
        auto leased = q.lease("worker-" + std::to_string(w), 7, 1h);
        if (!leased.ok()) {
          ++errors;
          return;
        }
        if (leased->empty()) return;
        for (const Message& m : *leased) {
          {
            std::lock_guard lock(seen_mutex);
            ++seen[m.receipt.id];
          }
          if (!q.ack(m.receipt).ok()) ++errors;
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(seen.size(), static_cast<size_t>(kMessages));
  for (const auto& [id, times] : seen) EXPECT_EQ(times, 1) << "message " << id;
  EXPECT_EQ(counts(*producer).depth(), 0);
}

}  // namespace
}  // namespace fixgate::queue
