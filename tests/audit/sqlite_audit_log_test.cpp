#include "audit/sqlite_audit_log.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "test_support.h"

namespace fixgate::audit {
namespace {

using testing::entry;
using testing::FixedClock;
using testing::raw_sql;
using testing::TempDir;

class SqliteAuditLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteAuditLog> open_log(SqliteAuditOptions options = {}) {
    if (options.clock == nullptr) options.clock = &clock_;
    auto log = SqliteAuditLog::open(path_, options);
    if (!log.ok()) ADD_FAILURE() << log.error().to_string();
    return log.ok() ? std::move(log).value() : nullptr;
  }
  // Ten records, then the log is closed so raw connections can tamper with it.
  void write_ten() {
    auto log = open_log();
    ASSERT_NE(log, nullptr);
    for (int i = 1; i <= 10; ++i) {
      auto r = log->append(entry(i % 2 ? "decision" : "action_result", "corr-" + std::to_string(i), "finding-x",
                                 {{"step", i}, {"evidence", {{"env", "production"}}}}));
      ASSERT_TRUE(r.ok()) << r.error().to_string();
      ASSERT_EQ(r->seq, i);
    }
  }
  VerifyReport verify_file() {
    auto log = SqliteAuditLog::open(path_, {.read_only = true});
    if (!log.ok()) {
      ADD_FAILURE() << log.error().to_string();
      return {};
    }
    auto report = (*log)->verify();
    if (!report.ok()) {
      ADD_FAILURE() << report.error().to_string();
      return {};
    }
    return *report;
  }
  static constexpr const char* kDropTriggers =
      "DROP TRIGGER audit_records_append_only_update; DROP TRIGGER audit_records_append_only_delete; "
      "DROP TRIGGER audit_records_append_only_insert;";

  TempDir dir_;
  std::string path_ = dir_.file("audit.db");
  FixedClock clock_;
};

TEST_F(SqliteAuditLogTest, AppendChainsRecordsFromGenesis) {
  auto log = open_log();
  ASSERT_NE(log, nullptr);
  auto first = log->append(entry("decision", "c1", "f1", {{"outcome", "remediate"}}));
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_EQ(first->seq, 1);
  EXPECT_EQ(first->prev_hash, kGenesisHash);
  EXPECT_EQ(first->time, "2025-11-25T12:01:50.123Z");
  EXPECT_EQ(first->body, R"({"outcome":"remediate"})");
  EXPECT_EQ(first->hash, record_hash(*first));
  auto second = log->append(entry("action_intent", "c1", "f1", {{"action", "aws.s3.block_public_access"}}));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->seq, 2);
  EXPECT_EQ(second->prev_hash, first->hash);

  auto report = log->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->records, 2);
  EXPECT_EQ(report->head_hash, second->hash);
  EXPECT_TRUE(report->warnings.empty());
}

TEST_F(SqliteAuditLogTest, BatchIsOneAtomicRunOfRecords) {
  auto log = open_log();
  std::vector<AuditEntry> batch;
  for (int i = 0; i < 50; ++i) batch.push_back(entry("notification", "c", "f", {{"i", i}}));
  auto records = log->append_batch(batch);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 50u);
  EXPECT_EQ(records->back().seq, 50);

  batch.push_back(AuditEntry{"decision", "c", "f", "actor", nlohmann::json::array()});  // invalid body
  auto failed = log->append_batch(batch);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, "audit.invalid_entry");
  EXPECT_NE(failed.error().message.find("entry 50"), std::string::npos);
  EXPECT_EQ(log->verify()->records, 50);  // nothing of the failed batch was written
}

TEST_F(SqliteAuditLogTest, ReopenKeepsTheChain) {
  write_ten();
  auto log = open_log();
  auto r = log->append(entry("approval", "c", "f", {{"by", "alice"}}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->seq, 11);
  EXPECT_TRUE(log->verify()->ok());
}

TEST_F(SqliteAuditLogTest, ReadOnlyOpenRefusesWritesAndMissingFiles) {
  write_ten();
  auto log = SqliteAuditLog::open(path_, {.read_only = true});
  ASSERT_TRUE(log.ok());
  auto r = (*log)->append(entry("decision", "c", "f", {}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "audit.read_only");
  auto missing = SqliteAuditLog::open(dir_.file("nope.db"), {.read_only = true});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no audit log at"), std::string::npos);
}

TEST_F(SqliteAuditLogTest, NotAnAuditLogIsRefused) {
  ASSERT_EQ(raw_sql(path_, "CREATE TABLE other(x);"), "");
  auto foreign = SqliteAuditLog::open(path_, {.read_only = true});
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.error().message.find("is not a fixgate audit log"), std::string::npos);

  write_ten();
  ASSERT_EQ(raw_sql(path_, "UPDATE fixgate_schema SET version = 7 WHERE component = 'audit'"), "");
  auto newer = SqliteAuditLog::open(path_);
  ASSERT_FALSE(newer.ok());
  EXPECT_NE(newer.error().message.find("schema version 7"), std::string::npos);
}

TEST_F(SqliteAuditLogTest, TriggersRefuseUpdateDeleteAndOverwrite) {
  write_ten();
  EXPECT_NE(raw_sql(path_, "UPDATE audit_records SET body = '{}' WHERE seq = 3").find("append-only"),
            std::string::npos);
  EXPECT_NE(raw_sql(path_, "DELETE FROM audit_records WHERE seq = 3").find("append-only"), std::string::npos);
  EXPECT_NE(raw_sql(path_, "INSERT OR REPLACE INTO audit_records SELECT * FROM audit_records WHERE seq = 3")
                .find("append-only"),
            std::string::npos);
  EXPECT_NE(raw_sql(path_, "INSERT INTO audit_records VALUES (11, 't', 'decision', '', '', 'x', '{}', 'bad', 'h')")
                .find("append-only"),
            std::string::npos);
  VerifyReport report = verify_file();
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.records, 10);
}

TEST_F(SqliteAuditLogTest, EditedBodyIsReportedAtItsSeq) {
  write_ten();
  ASSERT_EQ(raw_sql(path_, std::string(kDropTriggers) +
                               "UPDATE audit_records SET body = '{\"evidence\":{\"env\":\"staging\"},\"step\":4}' "
                               "WHERE seq = 4"),
            "");
  VerifyReport report = verify_file();
  ASSERT_TRUE(report.first_break);
  EXPECT_EQ(report.first_break->seq, 4);
  EXPECT_EQ(report.first_break->kind, BreakKind::hash_mismatch);
  EXPECT_NE(report.first_break->message.find("record 4"), std::string::npos);
  EXPECT_NE(report.first_break->message.find("edited"), std::string::npos);
  EXPECT_EQ(report.records, 3);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_NE(report.warnings[0].find("triggers"), std::string::npos);
}

TEST_F(SqliteAuditLogTest, DeletedRowIsASeqGap) {
  write_ten();
  ASSERT_EQ(raw_sql(path_, std::string(kDropTriggers) + "DELETE FROM audit_records WHERE seq = 6"), "");
  VerifyReport report = verify_file();
  ASSERT_TRUE(report.first_break);
  EXPECT_EQ(report.first_break->seq, 6);
  EXPECT_EQ(report.first_break->kind, BreakKind::seq_gap);
  EXPECT_NE(report.first_break->message.find("deleted"), std::string::npos);
}

TEST_F(SqliteAuditLogTest, ReorderedRowsAreAPrevHashMismatch) {
  write_ten();
  // Swap records 3 and 4 by exchanging their seq numbers.
  ASSERT_EQ(raw_sql(path_, std::string(kDropTriggers) +
                               "UPDATE audit_records SET seq = 100 WHERE seq = 3;"
                               "UPDATE audit_records SET seq = 3 WHERE seq = 4;"
                               "UPDATE audit_records SET seq = 4 WHERE seq = 100;"),
            "");
  VerifyReport report = verify_file();
  ASSERT_TRUE(report.first_break);
  EXPECT_EQ(report.first_break->seq, 3);
  EXPECT_EQ(report.first_break->kind, BreakKind::prev_hash_mismatch);
  EXPECT_NE(report.first_break->message.find("reordered"), std::string::npos);
}

TEST_F(SqliteAuditLogTest, ForgedInsertedRowBreaksTheNextLink) {
  write_ten();
  // The forger shifts records 5..10 up by one and slips a well-formed record in
  // at seq 5, hashed correctly and linked to record 4.
  auto before = SqliteAuditLog::open(path_, {.read_only = true});
  auto four = (*before)->read(AuditQuery{.after_seq = 3, .limit = 1});
  ASSERT_EQ(four->size(), 1u);
  before->reset();
  AuditRecord forged{5, "2025-11-25T12:01:50.123Z", "approval", "corr-x", "finding-x", "attacker",
                     R"({"approved":true})", (*four)[0].hash, ""};
  forged.hash = record_hash(forged);
  std::string sql = kDropTriggers;
  for (int seq = 10; seq >= 5; --seq) {
    sql += "UPDATE audit_records SET seq = " + std::to_string(seq + 1) + " WHERE seq = " + std::to_string(seq) + ";";
  }
  sql += "INSERT INTO audit_records VALUES (5, '" + forged.time + "', 'approval', 'corr-x', 'finding-x', "
         "'attacker', '" + forged.body + "', '" + forged.prev_hash + "', '" + forged.hash + "');";
  ASSERT_EQ(raw_sql(path_, sql), "");
  VerifyReport report = verify_file();
  ASSERT_TRUE(report.first_break);
  EXPECT_EQ(report.first_break->seq, 6);
  EXPECT_EQ(report.first_break->kind, BreakKind::prev_hash_mismatch);
  EXPECT_EQ(report.records, 5);
}

TEST_F(SqliteAuditLogTest, ForgedRowAtTheEndWithABadHashIsCaught) {
  write_ten();
  auto log = SqliteAuditLog::open(path_, {.read_only = true});
  const std::string head = (*log)->verify()->head_hash;
  log->reset();
  ASSERT_EQ(raw_sql(path_, std::string(kDropTriggers) +
                               "INSERT INTO audit_records VALUES (11, 't', 'approval', '', '', 'x', '{}', '" + head +
                               "', 'deadbeef')"),
            "");
  VerifyReport report = verify_file();
  ASSERT_TRUE(report.first_break);
  EXPECT_EQ(report.first_break->seq, 11);
  EXPECT_EQ(report.first_break->kind, BreakKind::hash_mismatch);
}

TEST_F(SqliteAuditLogTest, ConcurrentAppendsFormAGaplessChain) {
  // Durability::normal: the test is about ordering, not fsync, and stays fast.
  auto log = open_log({.clock = &system_clock(), .durability = Durability::normal});
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;
  std::vector<std::thread> threads;
  std::vector<std::vector<int64_t>> seqs(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = i % 10 == 0 ? log->append_batch({entry("decision", "t" + std::to_string(t), "f", {{"i", i}}),
                                                  entry("action_intent", "t" + std::to_string(t), "f", {{"i", i}})})
                             : log->append_batch({entry("decision", "t" + std::to_string(t), "f", {{"i", i}})});
        if (!r.ok()) {
          ADD_FAILURE() << r.error().to_string();
          return;
        }
        // Appends share commits, but one caller's batch stays one consecutive run.
        if (r->size() == 2) {
          EXPECT_EQ((*r)[1].seq, (*r)[0].seq + 1);
        }
        for (const auto& rec : *r) seqs[t].push_back(rec.seq);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<int64_t> all;
  for (const auto& s : seqs) all.insert(s.begin(), s.end());
  const int64_t expected = kThreads * (kPerThread + kPerThread / 10);
  EXPECT_EQ(static_cast<int64_t>(all.size()), expected);
  EXPECT_EQ(*all.begin(), 1);
  EXPECT_EQ(*all.rbegin(), expected);
  auto report = log->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->first_break->message;
  EXPECT_EQ(report->records, expected);
}

TEST_F(SqliteAuditLogTest, TwoConnectionsOnOneFileShareTheChain) {
  // Two independent handles stand in for two processes: the chain is read
  // under the write lock, so they interleave without forking it.
  auto a = open_log({.clock = &system_clock(), .durability = Durability::normal});
  auto b = open_log({.clock = &system_clock(), .durability = Durability::normal});
  std::thread ta([&] {
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(a->append(entry("decision", "a", "f", {{"i", i}})).ok());
  });
  std::thread tb([&] {
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(b->append(entry("decision", "b", "f", {{"i", i}})).ok());
  });
  ta.join();
  tb.join();
  auto report = a->verify();
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->records, 400);
}

TEST_F(SqliteAuditLogTest, ReadFiltersByCorrelationFindingAndKind) {
  write_ten();
  auto log = open_log();
  auto by_corr = log->read(AuditQuery{.correlation_id = "corr-7"});
  ASSERT_TRUE(by_corr.ok());
  ASSERT_EQ(by_corr->size(), 1u);
  EXPECT_EQ((*by_corr)[0].seq, 7);
  auto by_kind = log->read(AuditQuery{.kind = "action_result", .limit = 0});
  ASSERT_EQ(by_kind->size(), 5u);
  for (const auto& r : *by_kind) EXPECT_EQ(r.seq % 2, 0);
  auto page = log->read(AuditQuery{.finding_id = "finding-x", .after_seq = 8, .limit = 5});
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].seq, 9);
  auto newest = log->read(AuditQuery{.limit = 3, .newest_first = true});
  ASSERT_EQ(newest->size(), 3u);
  EXPECT_EQ((*newest)[0].seq, 10);
  auto none = log->read(AuditQuery{.correlation_id = "' OR 1=1 --"});
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace fixgate::audit
