#include "pgaudit/conninfo.h"

#include <gtest/gtest.h>

namespace fixgate::pgaudit {
namespace {

TEST(ConninfoTest, RecognisesBothUriSchemesOnly) {
  EXPECT_TRUE(is_postgres_uri("postgresql://db/fixgate"));
  EXPECT_TRUE(is_postgres_uri("postgres://db/fixgate"));
  EXPECT_FALSE(is_postgres_uri("/var/lib/fixgate/audit.db"));
  EXPECT_FALSE(is_postgres_uri("postgresql.db"));
  EXPECT_FALSE(is_postgres_uri("host=db dbname=fixgate"));
}

TEST(ConninfoTest, RedactsEveryPlaceAPasswordCanBe) {
  EXPECT_EQ(redact_conninfo("postgresql://fixgate:hunter2@db.internal:5432/audit?sslmode=require"),
            "postgresql://fixgate:***@db.internal:5432/audit?sslmode=require");
  EXPECT_EQ(redact_conninfo("postgres://fixgate@db/audit?sslmode=require&password=hunter2&connect_timeout=5"),
            "postgres://fixgate@db/audit?sslmode=require&password=***&connect_timeout=5");
  EXPECT_EQ(redact_conninfo("host=db password='hun ter2' dbname=audit"),
            "host=db password='***' dbname=audit");
  EXPECT_EQ(redact_conninfo("host=db password = hunter2 dbname=audit"),
            "host=db password = *** dbname=audit");
  // Nothing to hide: unchanged, including a user name with no password and an
  // '@' that belongs to the path, not the user info.
  EXPECT_EQ(redact_conninfo("postgresql://fixgate@db/audit"), "postgresql://fixgate@db/audit");
  EXPECT_EQ(redact_conninfo("postgresql://db/a:b@c"), "postgresql://db/a:b@c");
}

TEST(ConninfoTest, SecretsIncludeDecodedAndMalformedSpellings) {
  const auto decoded = conninfo_secrets("postgresql://fixgate:p%40ss@db/audit");
  EXPECT_NE(std::find(decoded.begin(), decoded.end(), "p%40ss"), decoded.end());
  EXPECT_NE(std::find(decoded.begin(), decoded.end(), "p@ss"), decoded.end());
  const auto malformed = conninfo_secrets("postgresql://fixgate:s3cr%zzet@db/audit");
  EXPECT_NE(std::find(malformed.begin(), malformed.end(), "s3cr%zzet"), malformed.end());
  EXPECT_TRUE(conninfo_secrets("postgresql://fixgate@db/audit").empty());
}

TEST(ConninfoTest, ScrubReplacesEveryOccurrence) {
  EXPECT_EQ(scrub_secrets("invalid percent-encoded token: \"s3cr%zzet\" (s3cr%zzet)", {"s3cr%zzet"}),
            "invalid percent-encoded token: \"***\" (***)");
  EXPECT_EQ(scrub_secrets("nothing here", {"", "absent"}), "nothing here");
}

}  // namespace
}  // namespace fixgate::pgaudit
