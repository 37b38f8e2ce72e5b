// PgAuditLog against a real PostgreSQL: the audit-sink conformance suite
// (tests/audit/audit_sink_conformance.cpp) over a fresh schema, then what only a
// shared server adds: many processes on one chain, TRUNCATE, disabled or
// replaced triggers, a least-privileged worker role, stale connections.
#include "pgaudit/pg_audit_log.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "audit_sink_conformance.h"
#include "pg_suite.h"
#include "test_support.h"

namespace fixgate::pgaudit {
namespace {

using audit::AuditEntry;
using audit::AuditQuery;
using audit::AuditSink;
using audit::BreakKind;
using audit::VerifyReport;
using audit::testing::AuditSinkConformance;
using audit::testing::AuditStoreUnderTest;
using audit::testing::entry;
using audit::testing::StoreOpen;
using fixgate::testing::PgCluster;

// One schema of the binary's cluster; raw SQL as the superuser.
class PgStore final : public AuditStoreUnderTest {
 public:
  PgStore(PgCluster& cluster, std::string schema)
      : cluster_(cluster), schema_(std::move(schema)), uri_(cluster.uri(schema_)) {}

  // fast_commits changes nothing: the test cluster runs with fsync off.
  Result<std::unique_ptr<AuditSink>> open(const StoreOpen& how) override {
    auto log = PgAuditLog::open(uri_, {.clock = how.clock, .read_only = how.read_only});
    if (!log.ok()) return log.error();
    return std::unique_ptr<AuditSink>(std::move(log).value());
  }
  std::string sql(const std::string& statements) override { return cluster_.exec(schema_, statements); }
  // What a superuser (or the table's owner) can do to get past the triggers.
  std::string tamper(const std::string& statements) override {
    std::string all = "ALTER TABLE audit_records DISABLE TRIGGER USER; ";
    return sql(all.append(statements));
  }
  std::string guards_lifted_warning() const override { return "0 of 4 in force"; }
  std::vector<std::string> dialect_rewrites() const override { return {"TRUNCATE audit_records"}; }

 private:
  PgCluster& cluster_;
  std::string schema_;
  std::string uri_;
};

INSTANTIATE_TEST_SUITE_P(Postgres, AuditSinkConformance,
                         ::testing::Values(audit::testing::StoreKind{
                             "postgres",
                             []() -> Result<std::unique_ptr<AuditStoreUnderTest>> {
                               auto cluster = fixgate::testing::shared_cluster();
                               if (!cluster.ok()) return cluster.error();
                               return std::unique_ptr<AuditStoreUnderTest>(
                                   std::make_unique<PgStore>(**cluster, (*cluster)->create_schema()));
                             }}),
                         audit::testing::store_kind_name);

class PgAuditLogTest : public fixgate::testing::PgSuite, protected audit::testing::StoreCase {
 protected:
  void SetUp() override {
    PgSuite::SetUp();
    if (peer_missing()) return;
    store_ = std::make_unique<PgStore>(*cluster_, schema_);
  }
};

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

TEST_F(PgAuditLogTest, TruncatedLogIsCaughtAgainstAnAnchor) {
  if (peer_missing()) return;
  write_ten();
  const VerifyReport intact = verify_store();
  ASSERT_TRUE(intact.ok());
  ASSERT_EQ(store_->tamper("TRUNCATE audit_records"), "");
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
  VerifyReport report = verify_store();
  EXPECT_TRUE(report.ok());
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_NE(report.warnings[0].find("1 of 4 in force"), std::string::npos) << report.warnings[0];

  // One trigger disabled for ordinary sessions only (fires in replica mode).
  ASSERT_EQ(sql("ALTER TABLE audit_records ENABLE REPLICA TRIGGER audit_records_append_only_insert"), "");
  report = verify_store();
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_NE(report.warnings[0].find("0 of 4 in force"), std::string::npos) << report.warnings[0];
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
