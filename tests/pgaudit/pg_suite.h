// One throwaway PostgreSQL cluster per test binary (a gtest Environment) and a
// fixture giving every test its own empty schema in it. Without PostgreSQL
// the suite fails loudly; under FIXGATE_SKIP_PEERS it is skipped with the reason
// (the convention of tests/sqs/fauxqs_suite.h).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "core/result.h"
#include "pg_cluster.h"

namespace fixgate::testing {

class PgClusterEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (auto why = PgCluster::unavailable()) {
      skip_reason_ = *why;
      return;
    }
    cluster_ = std::make_unique<PgCluster>();
  }
  void TearDown() override { cluster_.reset(); }

  static PgClusterEnvironment* instance() {
    static PgClusterEnvironment* env =
        static_cast<PgClusterEnvironment*>(::testing::AddGlobalTestEnvironment(new PgClusterEnvironment));
    return env;
  }
  PgCluster* cluster() const { return cluster_.get(); }
  const std::string& skip_reason() const { return skip_reason_; }

 private:
  std::unique_ptr<PgCluster> cluster_;
  std::string skip_reason_;
};

// Registered before main(), as gtest requires of environments.
inline PgClusterEnvironment* const kPgClusterEnvironment = PgClusterEnvironment::instance();

// The binary's cluster, or why there is none: code "test.skip" when
// FIXGATE_SKIP_PEERS allows the peer to be missing, "test.no_peer" otherwise.
inline Result<PgCluster*> shared_cluster() {
  auto* env = PgClusterEnvironment::instance();
  if (!env->skip_reason().empty()) {
    return make_error(std::getenv("FIXGATE_SKIP_PEERS") != nullptr ? "test.skip" : "test.no_peer",
                      env->skip_reason());
  }
  if (env->cluster() == nullptr) return make_error("test.no_peer", "the PostgreSQL environment did not run");
  if (!env->cluster()->ok()) return make_error("test.no_peer", env->cluster()->error());
  return env->cluster();
}

// A derived SetUp calls PgSuite::SetUp() first and returns when the test was
// skipped or failed (peer_missing()).
class PgSuite : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = shared_cluster();
    if (!cluster.ok()) {
      if (cluster.error().code == "test.skip") GTEST_SKIP() << cluster.error().message;
      FAIL() << cluster.error().message;
    }
    cluster_ = *cluster;
    schema_ = cluster_->create_schema();
    uri_ = cluster_->uri(schema_);
  }
  bool peer_missing() const { return IsSkipped() || HasFailure(); }
  // Superuser SQL in this test's schema; "" on success, else the server's message.
  std::string sql(const std::string& statement) const { return cluster_->exec(schema_, statement); }

  PgCluster* cluster_ = nullptr;
  std::string schema_;
  std::string uri_;
};

}  // namespace fixgate::testing
