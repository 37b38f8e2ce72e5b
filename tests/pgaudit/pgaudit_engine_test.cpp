// Distributed mode end to end: two Engines — two workers, each with its own
// state dir — decide and act on the example findings at the same time into one
// PostgreSQL audit log. The shared chain must verify, hold exactly one decision
// per finding, and hold the same records, kind for kind, as one Engine
// processing the same findings alone into its embedded SQLite log.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <thread>

#include "engine/engine.h"
#include "pg_suite.h"
#include "support/engine_harness.h"
#include "support/temp_dir.h"

namespace fixgate::engine {
namespace {

class DistributedEngineTest : public fixgate::testing::PgSuite {
 protected:
  // A worker: its own state dir under root_, deciding into `audit_db`.
  std::unique_ptr<Engine> open_engine(const testing::SimulatedCloud& cloud, const std::string& name,
                                      const std::string& audit_db) {
    std::string actor = "fixgate-";
    auto opened = testing::open_engine(
        cloud, {.state_dir = root_.path() / name, .audit_db = audit_db, .actor = actor.append(name)});
    if (!opened.ok()) ADD_FAILURE() << name << ": " << opened.error().to_string();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  static std::map<std::string, int> kinds(audit::AuditSink& log) {
    std::map<std::string, int> count;
    auto records = log.read(audit::AuditQuery{.limit = 0});
    if (!records.ok()) {
      ADD_FAILURE() << records.error().to_string();
      return count;
    }
    for (const auto& r : *records) ++count[r.kind];
    return count;
  }

  testing::TempDir root_;
};

TEST_F(DistributedEngineTest, TwoWorkersShareOneGaplessChain) {
  if (peer_missing()) return;
  const std::vector<std::filesystem::path> files = testing::example_findings();
  ASSERT_GE(files.size(), 10u);

  // Reference: one Engine, the findings in order, its own SQLite log and cloud.
  std::map<std::string, int> expected;
  {
    auto cloud = testing::start_cloud("demo-findings.json");
    ASSERT_TRUE(cloud.ok()) << cloud.error().to_string();
    auto alone = open_engine(*cloud, "alone", "");
    ASSERT_NE(alone, nullptr);
    auto outcomes = testing::feed(*alone, files);
    ASSERT_TRUE(outcomes.ok()) << outcomes.error().to_string();
    auto report = alone->audit().verify();
    ASSERT_TRUE(report.ok() && report->ok());
    expected = kinds(alone->audit());
  }

  // Two workers, alternate findings each, at the same time, one PostgreSQL log.
  auto cloud = testing::start_cloud("demo-findings.json");
  ASSERT_TRUE(cloud.ok()) << cloud.error().to_string();
  auto worker_a = open_engine(*cloud, "worker-a", uri_);
  auto worker_b = open_engine(*cloud, "worker-b", uri_);
  ASSERT_TRUE(worker_a && worker_b);
  std::vector<std::vector<FindingOutcome>> outcomes(2);
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      Engine& engine = w == 0 ? *worker_a : *worker_b;
      for (size_t i = static_cast<size_t>(w); i < files.size(); i += 2) {
        auto handled = engine.handle_payload(testing::slurp(files[i]));
        if (!handled.ok()) {
          ADD_FAILURE() << files[i] << ": " << handled.error().to_string();
          continue;
        }
        for (auto& outcome : *handled) outcomes[w].push_back(std::move(outcome));
      }
    });
  }
  for (auto& t : threads) t.join();

  // Both workers read the same chain, and it is intact.
  auto report_a = worker_a->audit().verify();
  auto report_b = worker_b->audit().verify();
  ASSERT_TRUE(report_a.ok()) << report_a.error().to_string();
  ASSERT_TRUE(report_b.ok()) << report_b.error().to_string();
  EXPECT_TRUE(report_a->ok()) << report_a->first_break->message;
  EXPECT_TRUE(report_a->warnings.empty());
  EXPECT_EQ(report_a->head_hash, report_b->head_hash);

  // Each finding decided exactly once, by the worker that handled it.
  size_t decided = 0;
  for (int w = 0; w < 2; ++w) {
    for (const FindingOutcome& outcome : outcomes[w]) {
      ++decided;
      auto records = worker_b->audit().read(
          audit::AuditQuery{.correlation_id = outcome.decided.decision.correlation_id, .kind = "decision"});
      ASSERT_TRUE(records.ok());
      ASSERT_EQ(records->size(), 1u) << outcome.decided.decision.correlation_id;
      EXPECT_EQ((*records)[0].seq, outcome.decided.audit_seq);
      EXPECT_EQ((*records)[0].actor, w == 0 ? "fixgate-worker-a" : "fixgate-worker-b");
    }
  }
  EXPECT_EQ(decided, files.size());

  // The same evidence as one Engine alone, record for record by kind.
  const std::map<std::string, int> shared = kinds(worker_a->audit());
  EXPECT_EQ(shared, expected);
  ASSERT_TRUE(shared.count("decision"));
  EXPECT_EQ(static_cast<size_t>(shared.at("decision")), files.size());
  int total = 0;
  for (const auto& [kind, n] : expected) total += n;
  EXPECT_EQ(report_a->records, total);
  EXPECT_GT(shared.count("action_result"), 0u);
}

// The fixgate binary: `decide --audit-db URI` writes to PostgreSQL and prints
// the location without its password; `audit verify|show` find the same log
// through $FIXGATE_AUDIT_URL; a wrong password fails without showing it.
TEST_F(DistributedEngineTest, CommandsUseThePostgresLogFromFlagOrEnvironment) {
  if (peer_missing()) return;
  auto run = [&](const std::string& command) {
    std::string line = "cd " FIXGATE_SOURCE_DIR " && FIXGATE_EXTERNAL_ID=";
    line.append(testing::kExternalId).append(" FIXGATE_STATE_DIR=").append(root_.path().string());
    line.append(" ").append(command).append(" 2>&1");
    std::string out;
    FILE* pipe = popen(line.c_str(), "r");
    char buffer[4096];
    size_t n = 0;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    const int status = pclose(pipe);
    return std::make_pair(WIFEXITED(status) ? WEXITSTATUS(status) : -1, out);
  };
  const std::string fixgate = FIXGATE_BINARY_DIR "/fixgate";
  // fixgate_pw is the role the test cluster makes give its password (pg_cluster.cpp).
  ASSERT_EQ(sql("CREATE ROLE fixgate_pw LOGIN PASSWORD 'cli-secret-pw'; GRANT ALL ON SCHEMA " + schema_ +
                " TO fixgate_pw"),
            "");
  const std::string uri = cluster_->uri(schema_, "fixgate_pw", "cli-secret-pw");
  const auto decided = run(fixgate + " decide --config examples/fixgate.yaml --audit-db '" + uri +
                           "' examples/findings/wiz-s3-public-bucket-production.json");
  ASSERT_EQ(decided.first, 0) << decided.second;
  EXPECT_NE(decided.second.find("audit evidence: postgresql://fixgate_pw:***@"), std::string::npos)
      << decided.second;
  EXPECT_EQ(decided.second.find("cli-secret-pw"), std::string::npos) << decided.second;

  const auto verified = run("FIXGATE_AUDIT_URL='" + uri + "' " + fixgate + " audit verify");
  EXPECT_EQ(verified.first, 0) << verified.second;
  EXPECT_EQ(verified.second.rfind("ok: 1 records", 0), 0u) << verified.second;
  const auto shown = run("FIXGATE_AUDIT_URL='" + uri + "' " + fixgate + " audit show --kind decision");
  EXPECT_EQ(shown.first, 0) << shown.second;
  EXPECT_NE(shown.second.find("c3a1f0d2-5b8e-4f6a-9d10-2e7b4c8a1f01"), std::string::npos) << shown.second;

  const std::string wrong = cluster_->uri(schema_, "fixgate_pw", "not-the-cli-pw");
  const auto refused = run(fixgate + " audit verify --db '" + wrong + "'");
  EXPECT_EQ(refused.first, 2) << refused.second;
  EXPECT_NE(refused.second.find("password authentication failed"), std::string::npos) << refused.second;
  EXPECT_EQ(refused.second.find("not-the-cli-pw"), std::string::npos) << refused.second;
}

}  // namespace
}  // namespace fixgate::engine
