// open_audit_store picks the store by location; the CLI and the engine open
// every user-given audit location through it.
#include "pgaudit/audit_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "audit/sqlite_audit_log.h"
#include "pg_suite.h"
#include "pgaudit/pg_audit_log.h"
#include "test_support.h"

namespace fixgate::pgaudit {
namespace {

using audit::testing::entry;

class AuditStoreTest : public fixgate::testing::PgSuite {};

TEST_F(AuditStoreTest, APostgresUriOpensThePostgresStore) {
  if (peer_missing()) return;
  for (const std::string scheme : {"postgresql://", "postgres://"}) {
    const std::string uri = scheme + uri_.substr(uri_.find("://") + 3);
    auto store = open_audit_store(uri);
    ASSERT_TRUE(store.ok()) << store.error().to_string();
    EXPECT_NE(dynamic_cast<PgAuditLog*>(store->get()), nullptr);
    ASSERT_TRUE((*store)->append(entry("decision", "c", "f", {})).ok());
  }
  auto read_only = open_audit_store(uri_, {.read_only = true});
  ASSERT_TRUE(read_only.ok());
  EXPECT_EQ((*read_only)->verify()->records, 2);
  EXPECT_EQ((*read_only)->append(entry("decision", "c", "f", {})).error().code, "audit.read_only");
}

TEST(AuditStoreFileTest, AnythingElseOpensTheSqliteFile) {
  audit::testing::TempDir dir;
  const std::string path = dir.file("audit.db");
  auto missing = open_audit_store(path, {.read_only = true});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no audit log at"), std::string::npos);
  auto store = open_audit_store(path);
  ASSERT_TRUE(store.ok()) << store.error().to_string();
  EXPECT_NE(dynamic_cast<audit::SqliteAuditLog*>(store->get()), nullptr);
  ASSERT_TRUE((*store)->append(entry("decision", "c", "f", {})).ok());
}

TEST(AuditStoreFileTest, LocationsArePrintedWithoutPasswords) {
  EXPECT_EQ(display_audit_location("postgresql://w:hunter2@db/audit"), "postgresql://w:***@db/audit");
  EXPECT_EQ(display_audit_location("/var/lib/fixgate/password=x.db"), "/var/lib/fixgate/password=x.db");
}

TEST(AuditStoreFileTest, TheFlagWinsThenTheEnvironmentThenTheStateDir) {
  ::unsetenv(kAuditUrlEnv);
  int defaults = 0;
  auto state_default = [&] {
    ++defaults;
    return std::string(".fixgate/audit.db");
  };
  EXPECT_EQ(choose_audit_location("", state_default), ".fixgate/audit.db");
  ::setenv(kAuditUrlEnv, "postgresql://db/audit", 1);
  EXPECT_EQ(choose_audit_location("", state_default), "postgresql://db/audit");
  EXPECT_EQ(choose_audit_location("/tmp/a.db", state_default), "/tmp/a.db");
  ::setenv(kAuditUrlEnv, "", 1);
  EXPECT_EQ(choose_audit_location("", state_default), ".fixgate/audit.db");
  ::unsetenv(kAuditUrlEnv);
  EXPECT_EQ(defaults, 2);  // only consulted when nothing else named a log
}

}  // namespace
}  // namespace fixgate::pgaudit
