#include "audit_sink_conformance.h"

#include <set>
#include <thread>

namespace fixgate::audit::testing {

void AuditSinkConformance::SetUp() {
  auto made = GetParam().make();
  if (!made.ok()) {
    if (made.error().code == kStoreSkipped) GTEST_SKIP() << made.error().message;
    FAIL() << made.error().to_string();
  }
  store_ = std::move(made).value();
}

std::unique_ptr<AuditSink> StoreCase::open_log(StoreOpen how) {
  if (how.clock == nullptr) how.clock = &clock_;
  auto log = store_->open(how);
  if (!log.ok()) ADD_FAILURE() << log.error().to_string();
  return log.ok() ? std::move(log).value() : nullptr;
}

void StoreCase::write_ten() {
  auto log = open_log();
  ASSERT_NE(log, nullptr);
  for (int i = 1; i <= 10; ++i) {
    auto r = log->append(entry(i % 2 ? "decision" : "action_result", "corr-" + std::to_string(i), "finding-x",
                               {{"step", i}, {"evidence", {{"env", "production"}}}}));
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    ASSERT_EQ(r->seq, i);
  }
}

VerifyReport StoreCase::verify_store() {
  auto log = store_->open({.read_only = true});
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

namespace {

TEST_P(AuditSinkConformance, AppendChainsRecordsFromGenesis) {
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
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->records, 2);
  EXPECT_EQ(report->head_hash, second->hash);
  EXPECT_TRUE(report->warnings.empty()) << report->warnings[0];

  // What was stored reads back as what append() returned.
  auto stored = log->read(AuditQuery{});
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 2u);
  EXPECT_EQ((*stored)[1].hash, second->hash);
  EXPECT_EQ((*stored)[1].body, second->body);
  EXPECT_EQ((*stored)[1].time, second->time);
}

TEST_P(AuditSinkConformance, BatchIsOneAtomicRunOfRecords) {
  auto log = open_log();
  ASSERT_NE(log, nullptr);
  std::vector<AuditEntry> batch;
  for (int i = 0; i < 50; ++i) batch.push_back(entry("notification", "c", "f", {{"i", i}}));
  auto records = log->append_batch(batch);
  ASSERT_TRUE(records.ok()) << records.error().to_string();
  ASSERT_EQ(records->size(), 50u);
  EXPECT_EQ(records->back().seq, 50);

  batch.push_back(AuditEntry{"decision", "c", "f", "actor", nlohmann::json::array()});  // invalid body
  auto failed = log->append_batch(batch);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, "audit.invalid_entry");
  EXPECT_NE(failed.error().message.find("entry 50"), std::string::npos);
  EXPECT_EQ(log->verify()->records, 50);  // nothing of the failed batch was written

  auto empty = log->append_batch({});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST_P(AuditSinkConformance, ReopenKeepsTheChain) {
  write_ten();
  auto log = open_log();
  ASSERT_NE(log, nullptr);
  auto r = log->append(entry("approval", "c", "f", {{"by", "alice"}}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->seq, 11);
  EXPECT_TRUE(log->verify()->ok());
}

TEST_P(AuditSinkConformance, ReadOnlyOpenRefusesWritesAndMissingLogs) {
  auto missing = store_->open({.read_only = true});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "audit.open");
  EXPECT_NE(missing.error().message.find("no audit log at"), std::string::npos) << missing.error().message;
  EXPECT_NE(store_->sql("SELECT 1 FROM audit_records"), "");  // the read-only open created nothing

  write_ten();
  auto log = store_->open({.read_only = true});
  ASSERT_TRUE(log.ok()) << log.error().to_string();
  auto r = (*log)->append(entry("decision", "c", "f", {}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "audit.read_only");
}

TEST_P(AuditSinkConformance, NotAnAuditLogIsRefused) {
  // A table of the records' name that fixgate did not make.
  ASSERT_EQ(store_->sql("CREATE TABLE audit_records (x int)"), "");
  for (bool read_only : {true, false}) {
    auto foreign = store_->open({.read_only = read_only});
    ASSERT_FALSE(foreign.ok()) << "read_only " << read_only;
    EXPECT_EQ(foreign.error().code, "audit.open");
    EXPECT_NE(foreign.error().message.find("is not a fixgate audit log"), std::string::npos)
        << foreign.error().message;
  }
  ASSERT_EQ(store_->sql("DROP TABLE audit_records"), "");

  write_ten();
  ASSERT_EQ(store_->sql("UPDATE fixgate_schema SET version = 7 WHERE component = 'audit'"), "");
  auto newer = store_->open({});
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.error().code, "audit.open");
  EXPECT_NE(newer.error().message.find("schema version 7"), std::string::npos);
}

TEST_P(AuditSinkConformance, TriggersRefuseUpdateDeleteAndOverwrite) {
  write_ten();
  std::vector<std::string> refused = {
      "UPDATE audit_records SET body = '{}' WHERE seq = 3",
      "DELETE FROM audit_records WHERE seq = 3",
      "INSERT INTO audit_records SELECT * FROM audit_records WHERE seq = 3 "
      "ON CONFLICT (seq) DO UPDATE SET body = '{}'",
      // Neither a record with the wrong prev_hash nor one past a gap extends the chain.
      "INSERT INTO audit_records VALUES (11, 't', 'decision', '', '', 'x', '{}', 'bad', 'h')",
      "INSERT INTO audit_records VALUES (12, 't', 'decision', '', '', 'x', '{}', 'bad', 'h')",
  };
  for (const std::string& statement : store_->dialect_rewrites()) refused.push_back(statement);
  for (const std::string& statement : refused) {
    EXPECT_NE(store_->sql(statement).find("append-only"), std::string::npos) << statement;
  }
  VerifyReport report = verify_store();
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.records, 10);
  EXPECT_TRUE(report.warnings.empty()) << report.warnings[0];
}

TEST_P(AuditSinkConformance, EditedBodyIsReportedAtItsSeq) {
  write_ten();
  ASSERT_EQ(store_->tamper("UPDATE audit_records SET body = '{\"evidence\":{\"env\":\"staging\"},\"step\":4}' "
                           "WHERE seq = 4"),
            "");
  VerifyReport report = verify_store();
  ASSERT_TRUE(report.first_break);
  EXPECT_EQ(report.first_break->seq, 4);
  EXPECT_EQ(report.first_break->kind, BreakKind::hash_mismatch);
  EXPECT_NE(report.first_break->message.find("record 4"), std::string::npos);
  EXPECT_NE(report.first_break->message.find("edited"), std::string::npos);
  EXPECT_EQ(report.records, 3);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_NE(report.warnings[0].find("triggers"), std::string::npos) << report.warnings[0];
  EXPECT_NE(report.warnings[0].find(store_->guards_lifted_warning()), std::string::npos) << report.warnings[0];
}

TEST_P(AuditSinkConformance, DeletedRowIsASeqGap) {
  write_ten();
  ASSERT_EQ(store_->tamper("DELETE FROM audit_records WHERE seq = 6"), "");
  VerifyReport report = verify_store();
  ASSERT_TRUE(report.first_break);
  EXPECT_EQ(report.first_break->seq, 6);
  EXPECT_EQ(report.first_break->kind, BreakKind::seq_gap);
  EXPECT_NE(report.first_break->message.find("deleted"), std::string::npos);
}

TEST_P(AuditSinkConformance, ReorderedRowsAreAPrevHashMismatch) {
  write_ten();
  // Swap records 3 and 4 by exchanging their seq numbers.
  ASSERT_EQ(store_->tamper("UPDATE audit_records SET seq = 100 WHERE seq = 3;"
                           "UPDATE audit_records SET seq = 3 WHERE seq = 4;"
                           "UPDATE audit_records SET seq = 4 WHERE seq = 100;"),
            "");
  VerifyReport report = verify_store();
  ASSERT_TRUE(report.first_break);
  EXPECT_EQ(report.first_break->seq, 3);
  EXPECT_EQ(report.first_break->kind, BreakKind::prev_hash_mismatch);
  EXPECT_NE(report.first_break->message.find("reordered"), std::string::npos);
}

TEST_P(AuditSinkConformance, ForgedInsertedRowBreaksTheNextLink) {
  write_ten();
  // The forger shifts records 5..10 up by one and slips a well-formed record in
  // at seq 5, hashed correctly and linked to record 4.
  std::string four_hash;
  {
    auto before = store_->open({.read_only = true});
    ASSERT_TRUE(before.ok()) << before.error().to_string();
    auto four = (*before)->read(AuditQuery{.after_seq = 3, .limit = 1});
    ASSERT_TRUE(four.ok());
    ASSERT_EQ(four->size(), 1u);
    four_hash = (*four)[0].hash;
  }
  AuditRecord forged{5, "2025-11-25T12:01:50.123Z", "approval", "corr-x", "finding-x", "attacker",
                     R"({"approved":true})", four_hash, ""};
  forged.hash = record_hash(forged);
  std::string statements;
  for (int seq = 10; seq >= 5; --seq) {
    statements.append("UPDATE audit_records SET seq = ").append(std::to_string(seq + 1));
    statements.append(" WHERE seq = ").append(std::to_string(seq)).append(";");
  }
  statements.append("INSERT INTO audit_records VALUES (5, '").append(forged.time);
  statements.append("', 'approval', 'corr-x', 'finding-x', 'attacker', '").append(forged.body);
  statements.append("', '").append(forged.prev_hash).append("', '").append(forged.hash).append("');");
  ASSERT_EQ(store_->tamper(statements), "");
  VerifyReport report = verify_store();
  ASSERT_TRUE(report.first_break);
  EXPECT_EQ(report.first_break->seq, 6);
  EXPECT_EQ(report.first_break->kind, BreakKind::prev_hash_mismatch);
  EXPECT_EQ(report.records, 5);
}

TEST_P(AuditSinkConformance, ForgedRowAtTheEndWithABadHashIsCaught) {
  write_ten();
  const std::string head = verify_store().head_hash;
  std::string insert = "INSERT INTO audit_records VALUES (11, 't', 'approval', '', '', 'x', '{}', '";
  insert.append(head).append("', 'deadbeef')");
  ASSERT_EQ(store_->tamper(insert), "");
  VerifyReport report = verify_store();
  ASSERT_TRUE(report.first_break);
  EXPECT_EQ(report.first_break->seq, 11);
  EXPECT_EQ(report.first_break->kind, BreakKind::hash_mismatch);
}

TEST_P(AuditSinkConformance, ConcurrentAppendsFormAGaplessChain) {
  auto log = open_log({.clock = &system_clock(), .fast_commits = true});
  ASSERT_NE(log, nullptr);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;
  std::vector<std::thread> threads;
  std::vector<std::vector<int64_t>> seqs(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string who = "t";
      who.append(std::to_string(t));
      for (int i = 0; i < kPerThread; ++i) {
        auto r = i % 10 == 0 ? log->append_batch({entry("decision", who, "f", {{"i", i}}),
                                                  entry("action_intent", who, "f", {{"i", i}})})
                             : log->append_batch({entry("decision", who, "f", {{"i", i}})});
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

TEST_P(AuditSinkConformance, ReadFiltersByCorrelationFindingAndKind) {
  write_ten();
  auto log = open_log();
  ASSERT_NE(log, nullptr);
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
  auto window = log->read(AuditQuery{.after_seq = 2, .before_seq = 6, .newest_first = true});
  ASSERT_EQ(window->size(), 3u);
  EXPECT_EQ((*window)[0].seq, 5);
  auto newest = log->read(AuditQuery{.limit = 3, .newest_first = true});
  ASSERT_EQ(newest->size(), 3u);
  EXPECT_EQ((*newest)[0].seq, 10);
  auto none = log->read(AuditQuery{.correlation_id = "' OR 1=1 --"});
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace fixgate::audit::testing
