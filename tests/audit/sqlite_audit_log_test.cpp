// SqliteAuditLog: the audit-sink conformance suite (audit_sink_conformance.cpp)
// over a file, then what only a file store adds.
#include "audit/sqlite_audit_log.h"

#include <gtest/gtest.h>

#include <thread>

#include "audit_sink_conformance.h"
#include "test_support.h"

namespace fixgate::audit {
namespace {

using testing::AuditSinkConformance;
using testing::AuditStoreUnderTest;
using testing::entry;
using testing::raw_sql;
using testing::StoreOpen;
using testing::TempDir;

// A fresh file in a temp directory; raw SQL through a separate sqlite3 connection.
class SqliteStore final : public AuditStoreUnderTest {
 public:
  Result<std::unique_ptr<AuditSink>> open(const StoreOpen& how) override {
    auto log = SqliteAuditLog::open(
        path_, {.clock = how.clock,
                .durability = how.fast_commits ? Durability::normal : Durability::full,
                .read_only = how.read_only});
    if (!log.ok()) return log.error();
    return std::unique_ptr<AuditSink>(std::move(log).value());
  }
  std::string sql(const std::string& statements) override { return raw_sql(path_, statements); }
  std::string tamper(const std::string& statements) override {
    std::string all =
        "DROP TRIGGER audit_records_append_only_update; DROP TRIGGER audit_records_append_only_delete; "
        "DROP TRIGGER audit_records_append_only_insert; ";
    return raw_sql(path_, all.append(statements));
  }
  std::string guards_lifted_warning() const override { return "0 of 3 present"; }
  std::vector<std::string> dialect_rewrites() const override {
    return {"INSERT OR REPLACE INTO audit_records SELECT * FROM audit_records WHERE seq = 3"};
  }

 private:
  TempDir dir_;
  std::string path_ = dir_.file("audit.db");
};

INSTANTIATE_TEST_SUITE_P(Sqlite, AuditSinkConformance,
                         ::testing::Values(testing::StoreKind{
                             "sqlite",
                             []() -> Result<std::unique_ptr<AuditStoreUnderTest>> {
                               return std::unique_ptr<AuditStoreUnderTest>(std::make_unique<SqliteStore>());
                             }}),
                         testing::store_kind_name);

class SqliteAuditLogTest : public ::testing::Test {
 protected:
  SqliteStore store_;
};

TEST_F(SqliteAuditLogTest, AnotherProgramsDatabaseIsRefused) {
  // The file exists and is SQLite, but holds none of the log's tables.
  ASSERT_EQ(store_.sql("CREATE TABLE other(x);"), "");
  auto foreign = store_.open({.read_only = true});
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, "audit.open");
  EXPECT_NE(foreign.error().message.find("is not a fixgate audit log"), std::string::npos);
}

TEST_F(SqliteAuditLogTest, TwoConnectionsOnOneFileShareTheChain) {
  // Two independent handles stand in for two processes: the chain is read
  // under the write lock, so they interleave without forking it.
  auto a = store_.open({.clock = &system_clock(), .fast_commits = true});
  auto b = store_.open({.clock = &system_clock(), .fast_commits = true});
  ASSERT_TRUE(a.ok() && b.ok());
  std::thread ta([&] {
    for (int i = 0; i < 200; ++i) ASSERT_TRUE((*a)->append(entry("decision", "a", "f", {{"i", i}})).ok());
  });
  std::thread tb([&] {
    for (int i = 0; i < 200; ++i) ASSERT_TRUE((*b)->append(entry("decision", "b", "f", {{"i", i}})).ok());
  });
  ta.join();
  tb.join();
  auto report = (*a)->verify();
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->records, 400);
}

}  // namespace
}  // namespace fixgate::audit
