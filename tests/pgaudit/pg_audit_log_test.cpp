// PgAuditLog against a real PostgreSQL: the cases SqliteAuditLog passes
// (tests/audit/sqlite_audit_log_test.cpp), then what only a shared server adds:
// many processes on one chain, TRUNCATE, disabled or replaced triggers, a
// least-privileged worker role, stale connections.
#include "pgaudit/pg_audit_log.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "pg_suite.h"
#include "test_support.h"

namespace fixgate::pgaudit {
namespace {

using audit::AuditEntry;
using audit::AuditQuery;
using audit::AuditRecord;
using audit::BreakKind;
using audit::kGenesisHash;
using audit::VerifyReport;
using audit::testing::entry;
using audit::testing::FixedClock;

class PgAuditLogTest : public fixgate::testing::PgSuite {
 protected:
  std::unique_ptr<PgAuditLog> open_log(PgAuditOptions options = {}) {
    if (options.clock == nullptr) options.clock = &clock_;
    auto log = PgAuditLog::open(uri_, options);
    if (!log.ok()) ADD_FAILURE() << log.error().to_string();
    return log.ok() ? std::move(log).value() : nullptr;
  }
  // Ten records, then the log is closed so raw connections can tamper with it.
  void write_ten() {
    auto log = open_log();
    ASSERT_NE(log, nullptr);
    for (int i = 1; i <= 10; ++i) {
      auto r = log->append(entry(i % 2 ? "decision" : "action_result", "corr-" + std::to_string(i),
                                 "finding-x", {{"step", i}, {"evidence", {{"env", "production"}}}}));
      ASSERT_TRUE(r.ok()) << r.error().to_string();
      ASSERT_EQ(r->seq, i);
    }
  }
  VerifyReport verify_log() {
    auto log = PgAuditLog::open(uri_, {.read_only = true});
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
  // What a superuser (or the table's owner) can do to get past the triggers.
  static constexpr const char* kDisableTriggers = "ALTER TABLE audit_records DISABLE TRIGGER USER; ";

  FixedClock clock_;
};

TEST_F(PgAuditLogTest, AppendChainsRecordsFromGenesis) {
  if (peer_missing()) return;
  auto log = open_log();
  ASSERT_NE(log, nullptr);
  auto first = log->append(entry("decision", "c1", "f1", {{"outcome", "remediate"}}));
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_EQ(first->seq, 1);
  EXPECT_EQ(first->prev_hash, kGenesisHash);
  EXPECT_EQ(first->time, "2025-11-25T12:01:50.123Z");
  EXPECT_EQ(first->body, R"({"outcome":"remediate"})");
  EXPECT_EQ(first->hash, audit::record_hash(*first));
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

  auto stored = log->read(AuditQuery{});
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 2u);
  EXPECT_EQ((*stored)[1].hash, second->hash);
  EXPECT_EQ((*stored)[1].body, second->body);
  EXPECT_EQ((*stored)[1].time, second->time);
}

TEST_F(PgAuditLogTest, WithoutAClockTimesComeFromTheServerInSeqOrder) {
  if (peer_missing()) return;
  auto log = PgAuditLog::open(uri_);
  ASSERT_TRUE(log.ok()) << log.error().to_string();
  const std::string before = audit::format_time(std::chrono::system_clock::now() - std::chrono::seconds(5));
  std::string previous;
  for (int i = 0; i < 5; ++i) {
    auto r = (*log)->append(entry("decision", "c", "f", {{"i", i}}));
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    ASSERT_EQ(r->time.size(), 24u) << r->time;  // 2026-11-25T12:01:50.123Z
    EXPECT_EQ(r->time.back(), 'Z');
    EXPECT_GE(r->time, before);  // the same machine: the server's clock is ours
    EXPECT_GE(r->time, previous);
    previous = r->time;
  }
  EXPECT_TRUE((*log)->verify()->ok());
}

TEST_F(PgAuditLogTest, BatchIsOneAtomicRunOfRecords) {
  if (peer_missing()) return;
  auto log = open_log();
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

TEST_F(PgAuditLogTest, BatchRefusedByTheServerHalfWayLeavesNothingBehind) {
  if (peer_missing()) return;
  auto log = open_log();
  ASSERT_TRUE(log->append(entry("decision", "c", "f", {})).ok());
  // A server-side refusal of the batch's last record, after the first 1000 rows
  // (one INSERT statement) were already sent.
  ASSERT_EQ(sql("CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'poisoned record'; END $$; "
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON audit_records FOR EACH ROW "
                "WHEN (NEW.kind = 'poison') EXECUTE FUNCTION refuse_poison();"),
            "");
  std::vector<AuditEntry> batch;
  for (int i = 0; i < 1500; ++i) batch.push_back(entry("notification", "c", "f", {{"i", i}}));
  batch.push_back(entry("poison", "c", "f", {}));
  auto failed = log->append_batch(batch);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, "audit.postgres");
  EXPECT_NE(failed.error().message.find("poisoned record"), std::string::npos) << failed.error().message;
  auto report = log->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->records, 1);
  auto next = log->append(entry("decision", "c", "f", {}));
  ASSERT_TRUE(next.ok()) << next.error().to_string();
  EXPECT_EQ(next->seq, 2);
}

TEST_F(PgAuditLogTest, ANulByteIsRefusedBeforeItCouldBeTruncated) {
  if (peer_missing()) return;
  auto log = open_log();
  auto r = log->append_batch(
      {entry("decision", "c", "f", {}), entry("decision", "c", std::string("f\0x", 3), {})});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "audit.invalid_entry");
  EXPECT_NE(r.error().message.find("entry 1: finding_id"), std::string::npos) << r.error().message;
  EXPECT_EQ(log->verify()->records, 0);
}

TEST_F(PgAuditLogTest, AClientEncodingInTheUriCannotReencodeRecords) {
  if (peer_missing()) return;
  // Records are hashed as UTF-8; a LATIN1 session would hand back other bytes.
  auto log = PgAuditLog::open(uri_ + "&client_encoding=LATIN1", {.clock = &clock_});
  ASSERT_TRUE(log.ok()) << log.error().to_string();
  auto r = (*log)->append(entry("decision", "corr-\xc3\xa9", "f", {{"owner", "\xc3\x89quipe \xe2\x82\xac"}}));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  auto stored = (*log)->read(AuditQuery{});
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].correlation_id, "corr-\xc3\xa9");
  EXPECT_EQ((*stored)[0].body, r->body);
  EXPECT_TRUE((*log)->verify()->ok());
}

TEST_F(PgAuditLogTest, ReopenKeepsTheChain) {
  if (peer_missing()) return;
  write_ten();
  auto log = open_log();
  auto r = log->append(entry("approval", "c", "f", {{"by", "alice"}}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->seq, 11);
  EXPECT_TRUE(log->verify()->ok());
}

TEST_F(PgAuditLogTest, ReadOnlyOpenRefusesWritesAndMissingLogs) {
  if (peer_missing()) return;
  auto missing = PgAuditLog::open(uri_, {.read_only = true});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "audit.open");
  EXPECT_NE(missing.error().message.find("no audit log at"), std::string::npos);
  EXPECT_NE(sql("SELECT 1 FROM audit_records").find("does not exist"), std::string::npos);  // nothing created

  write_ten();
  auto log = PgAuditLog::open(uri_, {.read_only = true});
  ASSERT_TRUE(log.ok());
  auto r = (*log)->append(entry("decision", "c", "f", {}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "audit.read_only");
}

TEST_F(PgAuditLogTest, NotAnAuditLogIsRefused) {
  if (peer_missing()) return;
  ASSERT_EQ(sql("CREATE TABLE audit_records (x int)"), "");
  auto foreign = PgAuditLog::open(uri_);
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.error().message.find("is not a fixgate audit log"), std::string::npos);
  ASSERT_EQ(sql("DROP TABLE audit_records"), "");

  write_ten();
  ASSERT_EQ(sql("UPDATE fixgate_schema SET version = 7 WHERE component = 'audit'"), "");
  auto newer = PgAuditLog::open(uri_);
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.error().code, "audit.open");
  EXPECT_NE(newer.error().message.find("schema version 7"), std::string::npos);
}

TEST_F(PgAuditLogTest, TriggersRefuseUpdateDeleteTruncateAndOverwrite) {
  if (peer_missing()) return;
  write_ten();
  // Even the superuser is refused while the triggers are in force.
  EXPECT_NE(sql("UPDATE audit_records SET body = '{}' WHERE seq = 3").find("append-only"), std::string::npos);
  EXPECT_NE(sql("DELETE FROM audit_records WHERE seq = 3").find("append-only"), std::string::npos);
  EXPECT_NE(sql("TRUNCATE audit_records").find("append-only"), std::string::npos);
  EXPECT_NE(sql("INSERT INTO audit_records SELECT * FROM audit_records WHERE seq = 3 "
                "ON CONFLICT (seq) DO UPDATE SET body = '{}'")
                .find("append-only"),
            std::string::npos);
  EXPECT_NE(sql("INSERT INTO audit_records VALUES (11, 't', 'decision', '', '', 'x', '{}', 'bad', 'h')")
                .find("append-only"),
            std::string::npos);
  EXPECT_NE(sql("INSERT INTO audit_records VALUES (12, 't', 'decision', '', '', 'x', '{}', 'bad', 'h')")
                .find("append-only"),
            std::string::npos);
  VerifyReport report = verify_log();
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.records, 10);
  EXPECT_TRUE(report.warnings.empty());
}

TEST_F(PgAuditLogTest, EditedBodyIsReportedAtItsSeq) {
  if (peer_missing()) return;
  write_ten();
  ASSERT_EQ(
      sql(std::string(kDisableTriggers) +
          "UPDATE audit_records SET body = '{\"evidence\":{\"env\":\"staging\"},\"step\":4}' WHERE seq = 4"),
      "");
  VerifyReport report = verify_log();
  ASSERT_TRUE(report.first_break);
  EXPECT_EQ(report.first_break->seq, 4);
  EXPECT_EQ(report.first_break->kind, BreakKind::hash_mismatch);
  EXPECT_NE(report.first_break->message.find("record 4"), std::string::npos);
  EXPECT_NE(report.first_break->message.find("edited"), std::string::npos);
  EXPECT_EQ(report.records, 3);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_NE(report.warnings[0].find("0 of 4 in force"), std::string::npos) << report.warnings[0];
}

TEST_F(PgAuditLogTest, DeletedRowIsASeqGap) {
  if (peer_missing()) return;
  write_ten();
  ASSERT_EQ(sql(std::string(kDisableTriggers) + "DELETE FROM audit_records WHERE seq = 6"), "");
  VerifyReport report = verify_log();
  ASSERT_TRUE(report.first_break);
  EXPECT_EQ(report.first_break->seq, 6);
  EXPECT_EQ(report.first_break->kind, BreakKind::seq_gap);
  EXPECT_NE(report.first_break->message.find("deleted"), std::string::npos);
}

TEST_F(PgAuditLogTest, ReorderedRowsAreAPrevHashMismatch) {
  if (peer_missing()) return;
  write_ten();
  ASSERT_EQ(sql(std::string(kDisableTriggers) + "UPDATE audit_records SET seq = 100 WHERE seq = 3;"
                                                "UPDATE audit_records SET seq = 3 WHERE seq = 4;"
                                                "UPDATE audit_records SET seq = 4 WHERE seq = 100;"),
            "");
  VerifyReport report = verify_log();
  ASSERT_TRUE(report.first_break);
  EXPECT_EQ(report.first_break->seq, 3);
  EXPECT_EQ(report.first_break->kind, BreakKind::prev_hash_mismatch);
  EXPECT_NE(report.first_break->message.find("reordered"), std::string::npos);
}

TEST_F(PgAuditLogTest, ForgedInsertedRowBreaksTheNextLink) {
  if (peer_missing()) return;
  write_ten();
  auto before = PgAuditLog::open(uri_, {.read_only = true});
  auto four = (*before)->read(AuditQuery{.after_seq = 3, .limit = 1});
  ASSERT_EQ(four->size(), 1u);
  before->reset();
  AuditRecord forged{5,          "2025-11-25T12:01:50.123Z", "approval",      "corr-x", "finding-x",
                     "attacker", R"({"approved":true})",     (*four)[0].hash, ""};
  forged.hash = audit::record_hash(forged);
  std::string statement = kDisableTriggers;
  for (int seq = 10; seq >= 5; --seq) {
    statement += "UPDATE audit_records SET seq = " + std::to_string(seq + 1) +
                 " WHERE seq = " + std::to_string(seq) + ";";
  }
  statement += "INSERT INTO audit_records VALUES (5, '" + forged.time +
               "', 'approval', 'corr-x', 'finding-x', 'attacker', '" + forged.body + "', '" +
               forged.prev_hash + "', '" + forged.hash + "');";
  ASSERT_EQ(sql(statement), "");
  VerifyReport report = verify_log();
  ASSERT_TRUE(report.first_break);
  EXPECT_EQ(report.first_break->seq, 6);
  EXPECT_EQ(report.first_break->kind, BreakKind::prev_hash_mismatch);
  EXPECT_EQ(report.records, 5);
}

TEST_F(PgAuditLogTest, ForgedRowAtTheEndWithABadHashIsCaught) {
  if (peer_missing()) return;
  write_ten();
  const std::string head = verify_log().head_hash;
  ASSERT_EQ(sql(std::string(kDisableTriggers) +
                "INSERT INTO audit_records VALUES (11, 't', 'approval', '', '', "
                "'x', '{}', '" +
                head + "', 'deadbeef')"),
            "");
  VerifyReport report = verify_log();
  ASSERT_TRUE(report.first_break);
  EXPECT_EQ(report.first_break->seq, 11);
  EXPECT_EQ(report.first_break->kind, BreakKind::hash_mismatch);
}

TEST_F(PgAuditLogTest, TruncatedLogIsCaughtAgainstAnAnchor) {
  if (peer_missing()) return;
  write_ten();
  const VerifyReport intact = verify_log();
  ASSERT_TRUE(intact.ok());
  ASSERT_EQ(sql(std::string(kDisableTriggers) + "TRUNCATE audit_records"), "");
  auto log = PgAuditLog::open(uri_, {.read_only = true});
  ASSERT_TRUE(log.ok());
  auto report = (*log)->verify(audit::VerifyOptions{.anchor = audit::Anchor{10, intact.head_hash}});
  ASSERT_TRUE(report.ok());
  ASSERT_TRUE(report->first_break);
  EXPECT_EQ(report->first_break->kind, BreakKind::anchor_mismatch);
}

TEST_F(PgAuditLogTest, ReplacedOrDisabledTriggersAreWarnedAbout) {
  if (peer_missing()) return;
  write_ten();
  // The function swapped for a no-op: the triggers are present but refuse nothing.
  ASSERT_EQ(
      sql("CREATE OR REPLACE FUNCTION fixgate_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS "
          "$$ BEGIN RETURN OLD; END $$"),
      "");
  VerifyReport report = verify_log();
  EXPECT_TRUE(report.ok());
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_NE(report.warnings[0].find("1 of 4 in force"), std::string::npos) << report.warnings[0];

  // One trigger disabled for ordinary sessions only (fires in replica mode).
  ASSERT_EQ(sql("ALTER TABLE audit_records ENABLE REPLICA TRIGGER audit_records_append_only_insert"), "");
  report = verify_log();
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_NE(report.warnings[0].find("0 of 4 in force"), std::string::npos) << report.warnings[0];
}

TEST_F(PgAuditLogTest, ConcurrentAppendsFromThreadsFormAGaplessChain) {
  if (peer_missing()) return;
  auto log = open_log({.clock = &audit::system_clock()});
  constexpr int kThreads = 8;
  constexpr int kPerThread = 60;
  std::vector<std::thread> threads;
  std::vector<std::vector<int64_t>> seqs(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = i % 10 == 0
                     ? log->append_batch({entry("decision", "t" + std::to_string(t), "f", {{"i", i}}),
                                          entry("action_intent", "t" + std::to_string(t), "f", {{"i", i}})})
                     : log->append_batch({entry("decision", "t" + std::to_string(t), "f", {{"i", i}})});
        if (!r.ok()) {
          ADD_FAILURE() << r.error().to_string();
          return;
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

TEST_F(PgAuditLogTest, ConcurrentAppendsOfAProcessShareOneTransaction) {
  if (peer_missing()) return;
  auto log = open_log();
  ASSERT_TRUE(log->append(entry("decision", "c", "f", {})).ok());
  // Another session holds the chain lock, so the first append waits inside
  // its transaction while the others queue behind it in the process.
  PGconn* holder = PQconnectdb(uri_.c_str());
  ASSERT_EQ(PQstatus(holder), CONNECTION_OK);
  PQclear(PQexec(holder, "SELECT pg_advisory_lock(1719166817, 'audit_records'::regclass::oid::int)"));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back(
        [&, t] { EXPECT_TRUE(log->append(entry("decision", "t" + std::to_string(t), "f", {})).ok()); });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  PQclear(PQexec(holder, "SELECT pg_advisory_unlock_all()"));
  for (auto& t : threads) t.join();
  // xmin: the transaction that inserted a row. The first append's own, then
  // one for the three that queued behind it.
  PGresult* transactions =
      PQexec(holder, "SELECT count(DISTINCT xmin::text) FROM audit_records WHERE seq > 1");
  EXPECT_STREQ(PQgetvalue(transactions, 0, 0), "2");
  PQclear(transactions);
  PQfinish(holder);
  auto report = log->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->records, 5);
}

TEST_F(PgAuditLogTest, AServerDefaultOfSerializableChangesNothing) {
  if (peer_missing()) return;
  // Were the head read in a snapshot older than the lock, appends that waited
  // for it would collide on seq.
  const std::string uri = uri_ + "%20-cdefault_transaction_isolation%3Dserializable";
  auto log = PgAuditLog::open(uri, {.clock = &clock_});
  ASSERT_TRUE(log.ok()) << log.error().to_string();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        auto r = (*log)->append(entry("decision", "t" + std::to_string(t), "f", {{"i", i}}));
        if (!r.ok()) {
          ADD_FAILURE() << r.error().to_string();
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  auto report = (*log)->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->records, 100);
}

TEST_F(PgAuditLogTest, ConcurrentAppendsFromProcessesFormAGaplessChain) {
  if (peer_missing()) return;
  {
    auto created = PgAuditLog::open(uri_);  // schema first; the children race on appends only
    ASSERT_TRUE(created.ok()) << created.error().to_string();
  }
  constexpr int kProcesses = 4;
  constexpr int kThreadsEach = 2;
  constexpr int kPerThread = 40;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // The child has its own connections; it leaves through _exit so nothing
      // of the parent (gtest, the cluster) is torn down twice.
      auto log = PgAuditLog::open(uri_);
      if (!log.ok()) _exit(10);
      std::atomic<int> failures{0};
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreadsEach; ++t) {
        threads.emplace_back([&, t] {
          for (int i = 0; i < kPerThread; ++i) {
            const std::string who = "p" + std::to_string(p) + "t" + std::to_string(t);
            auto r = i % 8 == 0 ? (*log)->append_batch({entry("decision", who, "f", {{"i", i}}),
                                                        entry("action_intent", who, "f", {{"i", i}})})
                                : (*log)->append_batch({entry("decision", who, "f", {{"i", i}})});
            if (!r.ok()) ++failures;
          }
        });
      }
      for (auto& t : threads) t.join();
      log->reset();
      _exit(failures.load() == 0 ? 0 : 11);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child exit status " << status;
  }
  auto log = open_log();
  auto report = log->verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->first_break->message;
  const int64_t expected = kProcesses * kThreadsEach * (kPerThread + kPerThread / 8);
  EXPECT_EQ(report->records, expected);
  for (int p = 0; p < kProcesses; ++p) {
    auto mine = log->read(AuditQuery{.correlation_id = "p" + std::to_string(p) + "t0", .limit = 0});
    ASSERT_TRUE(mine.ok());
    EXPECT_EQ(static_cast<int>(mine->size()), kPerThread + kPerThread / 8);
  }
}

TEST_F(PgAuditLogTest, ReadFiltersByCorrelationFindingAndKind) {
  if (peer_missing()) return;
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
  auto window = log->read(AuditQuery{.after_seq = 2, .before_seq = 6, .newest_first = true});
  ASSERT_EQ(window->size(), 3u);
  EXPECT_EQ((*window)[0].seq, 5);
  auto newest = log->read(AuditQuery{.limit = 3, .newest_first = true});
  ASSERT_EQ(newest->size(), 3u);
  EXPECT_EQ((*newest)[0].seq, 10);
  auto none = log->read(AuditQuery{.correlation_id = "' OR 1=1 --"});
  EXPECT_TRUE(none->empty());
}

TEST_F(PgAuditLogTest, LeastPrivilegedWorkerRoleAppendsButCannotRewrite) {
  if (peer_missing()) return;
  // The owner creates the schema; workers get what docs/sqs-worker-and-lambda.md lists.
  write_ten();
  ASSERT_EQ(sql("CREATE ROLE fixgate_worker LOGIN; "
                "GRANT USAGE ON SCHEMA " +
                schema_ +
                " TO fixgate_worker; "
                "GRANT SELECT ON fixgate_schema TO fixgate_worker; "
                "GRANT SELECT, INSERT ON audit_records TO fixgate_worker;"),
            "");
  const std::string worker_uri = cluster_->uri(schema_, "fixgate_worker");
  auto log = PgAuditLog::open(worker_uri, {.clock = &clock_});
  ASSERT_TRUE(log.ok()) << log.error().to_string();
  auto r = (*log)->append(entry("decision", "c", "f", {}));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->seq, 11);
  auto report = (*log)->verify();
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  EXPECT_TRUE(report->ok());
  EXPECT_TRUE(report->warnings.empty());
  // Neither the rows nor the guards are the worker's to change.
  const std::string as_worker = "SET ROLE fixgate_worker; ";
  EXPECT_NE(sql(as_worker + "UPDATE audit_records SET body = '{}'").find("permission denied"),
            std::string::npos);
  EXPECT_NE(sql(as_worker + "ALTER TABLE audit_records DISABLE TRIGGER USER").find("must be owner"),
            std::string::npos);
  EXPECT_NE(
      sql(as_worker + "DROP TRIGGER audit_records_append_only_update ON audit_records").find("must be owner"),
      std::string::npos);
}

TEST_F(PgAuditLogTest, AStaleConnectionIsReplacedBeforeAnythingIsWritten) {
  if (peer_missing()) return;
  auto log = open_log();
  ASSERT_TRUE(log->append(entry("decision", "c", "f", {})).ok());
  // The server drops every connection of this database (a restart, a failover).
  ASSERT_EQ(sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"),
            "");
  auto r = log->append(entry("decision", "c", "f", {}));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->seq, 2);
  EXPECT_TRUE(log->verify()->ok());
}

TEST_F(PgAuditLogTest, ConnectionErrorsNeverShowThePassword) {
  if (peer_missing()) return;
  ASSERT_EQ(sql("CREATE ROLE fixgate_pw LOGIN PASSWORD 'right-password'"), "");
  const std::string secret = "Sup3r-S3cret";
  struct Case {
    std::string name;
    std::string uri;
  };
  const std::vector<Case> cases = {
      {"wrong password", cluster_->uri(schema_, "fixgate_pw", secret)},
      {"malformed percent escape", cluster_->uri(schema_, "fixgate_pw", secret + "%zz")},
      {"unknown parameter", cluster_->uri(schema_, "fixgate_pw", secret) + "&bogus=" + secret},
      {"no server there", "postgres://fixgate_pw:" + secret + "@/postgres?host=/nonexistent"},
      {"password parameter", "postgresql:///postgres?host=/nonexistent&password=" + secret},
      {"keyword form", "host=/nonexistent dbname=x password='" + secret + "'"},
  };
  for (const Case& c : cases) {
    auto log = PgAuditLog::open(c.uri, {.connect_timeout_seconds = 2});
    ASSERT_FALSE(log.ok()) << c.name;
    EXPECT_EQ(log.error().code, "audit.postgres") << c.name;
    EXPECT_EQ(log.error().message.find(secret), std::string::npos) << c.name << ": " << log.error().message;
    EXPECT_NE(log.error().message.find("cannot connect to"), std::string::npos)
        << c.name << ": " << log.error().message;
    if (c.name == "wrong password") {
      EXPECT_NE(log.error().message.find("password authentication failed"), std::string::npos)
          << log.error().message;
      EXPECT_NE(log.error().message.find("fixgate_pw:***@"), std::string::npos) << log.error().message;
    }
    if (::getenv("FIXGATE_TEST_VERBOSE") != nullptr)
      std::fprintf(stderr, "%s: %s\n", c.name.c_str(), log.error().message.c_str());
  }
  auto right = PgAuditLog::open(cluster_->uri(schema_, "fixgate_pw", "right-password"));
  ASSERT_FALSE(right.ok());  // it may log in, but it may not create the schema
  EXPECT_EQ(right.error().message.find("right-password"), std::string::npos) << right.error().message;
}

}  // namespace
}  // namespace fixgate::pgaudit
