// The worker loop's guarantees over a scripted in-memory queue: delete only
// after success, failures left in the queue, heartbeat during long handlers,
// release on stop, retry of transient receive errors, stop on fatal ones.
#include "worker/worker.h"

#include <gtest/gtest.h>

#include "captured_log.h"

#include <deque>
#include <mutex>
#include <thread>

namespace fixgate::worker {
namespace {

using namespace std::chrono_literals;

class ScriptedQueue final : public sqs::SqsQueue {
 public:
  // Each receive pops the next scripted reply; when none is left it returns nothing.
  std::deque<Result<std::vector<sqs::Message>>> replies;
  Result<std::vector<sqs::BatchFailure>> delete_reply = std::vector<sqs::BatchFailure>{};

  std::vector<std::string> deleted;
  std::vector<std::pair<std::string, int>> visibility_changes;
  int receives = 0;

  Result<std::vector<sqs::Message>> receive(const sqs::ReceiveOptions&) override {
    std::lock_guard lock(mutex_);
    ++receives;
    if (replies.empty()) {
      std::this_thread::sleep_for(5ms);  // an empty long poll
      return std::vector<sqs::Message>{};
    }
    auto next = std::move(replies.front());
    replies.pop_front();
    return next;
  }
  Result<void> delete_message(const std::string& handle) override {
    std::lock_guard lock(mutex_);
    deleted.push_back(handle);
    return {};
  }
  Result<std::vector<sqs::BatchFailure>> delete_batch(const std::vector<sqs::BatchEntry>& entries) override {
    std::lock_guard lock(mutex_);
    if (!delete_reply.ok()) return delete_reply.error();
    for (const auto& e : entries) {
      bool failed = false;
      for (const auto& f : *delete_reply) failed = failed || f.id == e.id;
      if (!failed) deleted.push_back(e.receipt_handle);
    }
    return *delete_reply;
  }
  Result<void> change_visibility(const std::string& handle, int seconds) override {
    std::lock_guard lock(mutex_);
    visibility_changes.emplace_back(handle, seconds);
    return {};
  }
  const std::string& queue_url() const override { return url_; }

  int extensions_of(const std::string& handle, int seconds) {
    std::lock_guard lock(mutex_);
    int n = 0;
    for (const auto& [h, s] : visibility_changes) n += (h == handle && s == seconds) ? 1 : 0;
    return n;
  }

 private:
  std::mutex mutex_;
  std::string url_ = "https://sqs.us-east-1.amazonaws.com/123456789012/findings";
};

sqs::Message message(const std::string& id, const std::string& body = "{}") {
  sqs::Message m;
  m.message_id = id;
  m.receipt_handle = "handle-" + id;
  m.body = body;
  m.receive_count = 1;
  return m;
}

WorkerOptions quiet_options() {
  WorkerOptions o;
  o.receive = sqs::ReceiveOptions{10, 0, 30};
  o.log = [](const char*, const std::string&) {};
  o.error_backoff_min = 1ms;
  o.error_backoff_max = 4ms;
  return o;
}

TEST(Worker, DeletesOnlyWhatWasRecordedAndLeavesFailuresInTheQueue) {
  ScriptedQueue queue;
  queue.replies.push_back(std::vector<sqs::Message>{message("ok-1"), message("poison"), message("ok-2")});
  auto worker = Worker::create(
      queue,
      [](const sqs::Message& m) -> Result<void> {
        if (m.message_id == "poison") return make_error("audit.write_failed", "disk full");
        return {};
      },
      quiet_options());
  ASSERT_TRUE(worker.ok()) << worker.error().to_string();
  std::atomic<bool> stop{false};
  auto polled = (*worker)->poll_once(stop);
  ASSERT_TRUE(polled.ok());
  EXPECT_EQ(*polled, 3u);
  EXPECT_EQ(queue.deleted, (std::vector<std::string>{"handle-ok-1", "handle-ok-2"}));
  // The failure is neither deleted nor made visible early: SQS's timeout and redrive policy decide.
  EXPECT_EQ(queue.extensions_of("handle-poison", 0), 0);
  EXPECT_EQ((*worker)->stats().handled.load(), 2u);
  EXPECT_EQ((*worker)->stats().failed.load(), 1u);
  EXPECT_EQ((*worker)->stats().deleted.load(), 2u);
}

TEST(Worker, HeartbeatExtendsVisibilityWhileAnActionRuns) {
  ScriptedQueue queue;
  queue.replies.push_back(std::vector<sqs::Message>{message("slow")});
  WorkerOptions o = quiet_options();
  o.heartbeat_interval = 20ms;
  auto worker = Worker::create(
      queue,
      [](const sqs::Message&) -> Result<void> {
        std::this_thread::sleep_for(200ms);
        return {};
      },
      o);
  ASSERT_TRUE(worker.ok());
  std::atomic<bool> stop{false};
  ASSERT_TRUE((*worker)->poll_once(stop).ok());
  EXPECT_GE(queue.extensions_of("handle-slow", 30), 2);
  EXPECT_EQ(queue.deleted, std::vector<std::string>{"handle-slow"});
  // Once deleted, the heartbeat no longer touches it.
  const int after = queue.extensions_of("handle-slow", 30);
  std::this_thread::sleep_for(80ms);
  EXPECT_EQ(queue.extensions_of("handle-slow", 30), after);
}

TEST(Worker, StopFinishesTheCurrentMessageAndReleasesTheRest) {
  ScriptedQueue queue;
  queue.replies.push_back(std::vector<sqs::Message>{message("a"), message("b"), message("c")});
  std::atomic<bool> stop{false};
  auto worker = Worker::create(
      queue,
      [&stop](const sqs::Message&) -> Result<void> {
        stop = true;  // SIGTERM arrives while the first message is being handled
        return {};
      },
      quiet_options());
  ASSERT_TRUE(worker.ok());
  ASSERT_TRUE((*worker)->run(stop).ok());
  EXPECT_EQ(queue.deleted, std::vector<std::string>{"handle-a"});
  EXPECT_EQ(queue.extensions_of("handle-b", 0), 1);
  EXPECT_EQ(queue.extensions_of("handle-c", 0), 1);
  EXPECT_EQ((*worker)->stats().released.load(), 2u);
  EXPECT_EQ(queue.receives, 1);
}

TEST(Worker, TransientReceiveErrorsAreRetriedFatalOnesStopTheWorker) {
  ScriptedQueue queue;
  queue.replies.push_back(make_error("aws.transient", "SQS.ReceiveMessage: ServiceUnavailable (HTTP 503)"));
  queue.replies.push_back(make_error("aws.throttling", "SQS.ReceiveMessage: ThrottlingException (HTTP 400)"));
  queue.replies.push_back(std::vector<sqs::Message>{message("x")});
  queue.replies.push_back(make_error("aws.not_found", "SQS.ReceiveMessage: AWS.SimpleQueueService.NonExistentQueue"));
  int handled = 0;
  auto worker = Worker::create(
      queue,
      [&handled](const sqs::Message&) -> Result<void> {
        ++handled;
        return {};
      },
      quiet_options());
  ASSERT_TRUE(worker.ok());
  std::atomic<bool> stop{false};
  auto ran = (*worker)->run(stop);
  ASSERT_FALSE(ran.ok());
  EXPECT_EQ(ran.error().code, "aws.not_found");
  EXPECT_EQ(handled, 1);
  EXPECT_EQ((*worker)->stats().receive_errors.load(), 3u);
  EXPECT_EQ(queue.deleted, std::vector<std::string>{"handle-x"});
}

TEST(Worker, FailedDeletesAreCountedNotHidden) {
  ScriptedQueue queue;
  queue.replies.push_back(std::vector<sqs::Message>{message("a"), message("b")});
  queue.delete_reply = std::vector<sqs::BatchFailure>{{"m1", "ReceiptHandleIsInvalid", "expired", true}};
  testing::CapturedLog log;
  WorkerOptions o = quiet_options();
  o.log = {};
  o.logger = log.logger("worker");
  auto worker = Worker::create(queue, [](const sqs::Message&) -> Result<void> { return {}; }, o);
  ASSERT_TRUE(worker.ok());
  std::atomic<bool> stop{false};
  ASSERT_TRUE((*worker)->poll_once(stop).ok());
  EXPECT_EQ((*worker)->stats().deleted.load(), 1u);
  EXPECT_EQ((*worker)->stats().delete_failed.load(), 1u);
  const auto lines = log.lines();
  ASSERT_EQ(lines.size(), 1u) << log.text();
  testing::expect_log_shape(lines[0], "worker");
  EXPECT_EQ(lines[0]["level"], "warn");
  EXPECT_EQ(lines[0]["message_id"], "b");
  EXPECT_EQ(lines[0]["error_code"], "ReceiptHandleIsInvalid");
  EXPECT_EQ(lines[0]["correlation_id"], "run-test");  // about a message, not a finding
}

// A failed handler and a failed receive each leave one JSON line naming the
// message or the error; a caller's `log` tap gets those lines with their level.
TEST(Worker, LogsFailuresAsJsonLinesThroughTheTap) {
  ScriptedQueue queue;
  queue.replies.push_back(std::vector<sqs::Message>{message("poison")});
  queue.replies.push_back(make_error("aws.transient", "connection reset"));
  queue.replies.push_back(std::vector<sqs::Message>{message("last")});
  std::mutex mutex;
  std::vector<std::pair<std::string, nlohmann::json>> tapped;
  WorkerOptions o = quiet_options();
  o.log = [&](const char* level, const std::string& line) {
    std::lock_guard lock(mutex);
    tapped.emplace_back(level, nlohmann::json::parse(line));
  };
  std::atomic<bool> stop{false};
  auto worker = Worker::create(
      queue,
      [&stop](const sqs::Message& m) -> Result<void> {
        if (m.message_id == "poison") return make_error("audit.write_failed", "disk full");
        stop = true;
        return {};
      },
      o);
  ASSERT_TRUE(worker.ok());
  ASSERT_TRUE((*worker)->run(stop).ok());
  std::lock_guard lock(mutex);
  ASSERT_EQ(tapped.size(), 2u);
  EXPECT_EQ(tapped[0].first, "error");
  testing::expect_log_shape(tapped[0].second, "worker");
  EXPECT_EQ(tapped[0].second["message_id"], "poison");
  EXPECT_EQ(tapped[0].second["receive_count"], 1);
  EXPECT_EQ(tapped[0].second["error_code"], "audit.write_failed");
  EXPECT_EQ(tapped[1].first, "warn");
  testing::expect_log_shape(tapped[1].second, "worker");
  EXPECT_EQ(tapped[1].second["error_code"], "aws.transient");
  EXPECT_EQ(tapped[1].second["retry_in_ms"], 1);
}

TEST(Worker, ConcurrentPollersShareTheQueue) {
  ScriptedQueue queue;
  for (int i = 0; i < 8; ++i) queue.replies.push_back(std::vector<sqs::Message>{message("m" + std::to_string(i))});
  std::atomic<int> handled{0};
  std::atomic<bool> stop{false};
  WorkerOptions o = quiet_options();
  o.concurrency = 4;
  auto worker = Worker::create(
      queue,
      [&](const sqs::Message&) -> Result<void> {
        if (++handled == 8) stop = true;
        return {};
      },
      o);
  ASSERT_TRUE(worker.ok());
  ASSERT_TRUE((*worker)->run(stop).ok());
  EXPECT_EQ(handled.load(), 8);
  EXPECT_EQ((*worker)->stats().deleted.load(), 8u);
}

TEST(Worker, CreateRefusesOptionsOutOfRange) {
  ScriptedQueue queue;
  auto ok_handler = [](const sqs::Message&) -> Result<void> { return {}; };
  WorkerOptions o = quiet_options();
  o.receive.visibility_timeout.reset();
  auto made = Worker::create(queue, ok_handler, o);
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.error().message.find("visibility timeout"), std::string::npos);
  o = quiet_options();
  o.concurrency = 0;
  made = Worker::create(queue, ok_handler, o);
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.error().message.find("concurrency"), std::string::npos);
  o = quiet_options();
  o.receive.max_messages = 11;
  EXPECT_FALSE(Worker::create(queue, ok_handler, o).ok());
}

}  // namespace
}  // namespace fixgate::worker
