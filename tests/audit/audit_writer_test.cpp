#include "audit/audit_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "audit/memory_audit_log.h"
#include "audit/sqlite_audit_log.h"
#include "test_support.h"

namespace fixgate::audit {
namespace {

using testing::entry;
using testing::TempDir;

// Counts batches and can fail them, to see what the writer does with the sink.
class CountingSink final : public AuditSink {
 public:
  using AuditSink::verify;
  Result<AuditRecord> append(const AuditEntry& e) override { return inner.append(e); }
  Result<std::vector<AuditRecord>> append_batch(const std::vector<AuditEntry>& entries) override {
    ++batches;
    largest = std::max(largest.load(), entries.size());
    if (fail) return make_error("audit.write", "disk full");
    return inner.append_batch(entries);
  }
  Result<VerifyReport> verify(const VerifyOptions& o) override { return inner.verify(o); }
  Result<std::vector<AuditRecord>> read(const AuditQuery& q) override { return inner.read(q); }

  MemoryAuditLog inner;
  std::atomic<int> batches{0};
  std::atomic<size_t> largest{0};
  std::atomic<bool> fail{false};
};

TEST(AuditWriter, EveryCallerGetsItsDurableRecord) {
  TempDir dir;
  auto log = SqliteAuditLog::open(dir.file("audit.db"), {.durability = Durability::normal});
  ASSERT_TRUE(log.ok());
  AuditWriter writer(**log, {.max_batch = 64, .max_delay = std::chrono::milliseconds(5)});
  constexpr int kThreads = 6;
  constexpr int kPerThread = 300;
  std::vector<std::thread> threads;
  std::vector<std::vector<AuditRecord>> got(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::future<Result<AuditRecord>>> futures;
      for (int i = 0; i < kPerThread; ++i) {
        futures.push_back(writer.submit(entry("decision", "t" + std::to_string(t), "i" + std::to_string(i), {})));
      }
      for (auto& f : futures) {
        auto r = f.get();
        if (r.ok()) got[t].push_back(std::move(r).value());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<int64_t> seqs;
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(got[t].size(), static_cast<size_t>(kPerThread));
    for (int i = 0; i < kPerThread; ++i) {
      // Each caller's record is its own entry, and a thread's records keep its order.
      EXPECT_EQ(got[t][i].finding_id, "i" + std::to_string(i));
      EXPECT_EQ(got[t][i].correlation_id, "t" + std::to_string(t));
      if (i > 0) {
        EXPECT_GT(got[t][i].seq, got[t][i - 1].seq);
      }
      seqs.insert(got[t][i].seq);
    }
  }
  EXPECT_EQ(seqs.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(*seqs.rbegin(), kThreads * kPerThread);
  writer.close();
  auto report = (*log)->verify();
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->records, kThreads * kPerThread);
}

TEST(AuditWriter, GroupsQueuedEntriesIntoBatches) {
  CountingSink sink;
  {
    AuditWriter writer(sink, {.max_batch = 100, .max_delay = std::chrono::milliseconds(200)});
    std::vector<std::future<Result<AuditRecord>>> futures;
    for (int i = 0; i < 300; ++i) futures.push_back(writer.submit(entry("decision", "c", "f", {{"i", i}})));
    for (auto& f : futures) ASSERT_TRUE(f.get().ok());
  }
  // 300 entries queued well inside max_delay: full batches, not 300 commits.
  EXPECT_LE(sink.batches.load(), 6);
  EXPECT_EQ(sink.largest.load(), 100u);
  EXPECT_EQ(sink.inner.verify()->records, 300);
}

TEST(AuditWriter, InvalidEntryFailsAloneAndSinkErrorsReachEveryCaller) {
  CountingSink sink;
  AuditWriter writer(sink);
  auto bad = writer.submit(AuditEntry{"decision", "c", "f", "actor", nlohmann::json("not an object")});
  auto good = writer.submit(entry("decision", "c", "f", {}));
  auto bad_result = bad.get();
  ASSERT_FALSE(bad_result.ok());
  EXPECT_EQ(bad_result.error().code, "audit.invalid_entry");
  ASSERT_TRUE(good.get().ok());

  sink.fail = true;
  auto a = writer.submit(entry("decision", "c", "f", {}));
  auto b = writer.submit(entry("decision", "c", "f", {}));
  auto ra = a.get();
  auto rb = b.get();
  ASSERT_FALSE(ra.ok());
  ASSERT_FALSE(rb.ok());
  EXPECT_EQ(ra.error().message, "disk full");
}

TEST(AuditWriter, CloseDrainsQueueAndRefusesLaterSubmits) {
  CountingSink sink;
  AuditWriter writer(sink, {.max_batch = 1000, .max_delay = std::chrono::seconds(30)});
  std::atomic<int> done{0};
  for (int i = 0; i < 10; ++i) {
    writer.submit(entry("decision", "c", "f", {}), [&done](Result<AuditRecord> r) {
      if (r.ok()) ++done;
    });
  }
  writer.close();  // must not wait out the 30 s delay
  EXPECT_EQ(done.load(), 10);
  auto late = writer.submit(entry("decision", "c", "f", {})).get();
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, "audit.writer_closed");
}

TEST(AuditWriter, IsADropInAuditSink) {
  CountingSink store;
  AuditWriter writer(store);
  AuditSink& sink = writer;
  auto one = sink.append(entry("decision", "c", "f", {{"a", 1}}));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->seq, 1);
  auto batch = sink.append_batch({entry("action_intent", "c", "f", {}), entry("action_result", "c", "f", {})});
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->back().seq, 3);
  EXPECT_EQ(sink.read(AuditQuery{.kind = "action_result"})->size(), 1u);
  EXPECT_EQ(sink.verify()->records, 3);
}

TEST(AuditWriter, ThrowingCallbackDoesNotStopTheWriter) {
  CountingSink sink;
  AuditWriter writer(sink);
  writer.submit(entry("decision", "c", "f", {}), [](Result<AuditRecord>) { throw std::runtime_error("boom"); });
  EXPECT_TRUE(writer.submit(entry("decision", "c", "f", {})).get().ok());
}

}  // namespace
}  // namespace fixgate::audit
