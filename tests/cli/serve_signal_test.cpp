// `fixgate serve` stops gracefully on SIGTERM and SIGINT: exit 0, nothing
// acknowledged is lost, and its stderr is JSON lines with a correlation id each.
#include <httplib.h>

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <thread>

#include "audit/sqlite_audit_log.h"
#include "queue/durable_queue.h"
#include "serve_process.h"

namespace fixgate::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

int post_findings(int port, int from, int to) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(10, 0);
  const httplib::Headers headers = {{"Authorization", std::string("Bearer ") + kWizToken}};
  int acked = 0;
  for (int i = from; i < to; ++i) {
    auto res = client.Post("/v1/wiz", headers,
                           wiz_variant("wiz-s3-public-unknown-environment.json", "sig-" + std::to_string(i)),
                           "application/json");
    if (res && res->status == 202) ++acked;
  }
  return acked;
}

std::map<std::string, int> decisions_per_finding(const fs::path& state) {
  std::map<std::string, int> out;
  auto audit = audit::SqliteAuditLog::open((state / "audit.db").string());
  if (!audit) return out;
  audit::AuditQuery query;
  query.kind = "decision";
  query.limit = 0;
  auto records = (*audit)->read(query);
  if (!records) return out;
  for (const auto& record : *records) ++out[record.finding_id];
  return out;
}

void expect_json_lines(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    const json j = json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    EXPECT_TRUE(j.contains("correlation_id") && j["correlation_id"].is_string() &&
                !j["correlation_id"].get<std::string>().empty())
        << line;
    EXPECT_TRUE(j.contains("level") && j.contains("component") && j.contains("msg")) << line;
    EXPECT_EQ(line.find(kWizToken), std::string::npos);
    EXPECT_EQ(line.find(kPlatformSecret), std::string::npos);
    ++lines;
  }
  EXPECT_GT(lines, 0);
}

TEST(ServeSignals, SigtermMidWorkExitsZeroAndLosesNothing) {
  const fs::path dir = fresh_dir("fixgate-serve-sigterm");
  const fs::path state = dir / "state";
  auto sim = start_demo_world();
  ASSERT_NE(sim, nullptr);
  const fs::path config = write_config(dir, "queue:\n  workers: 2\n");
  int acked = 0;
  {
    ServeProcess serve(config, state, sim->endpoint(), dir, 1);
    const int port = serve.wait_port();
    ASSERT_GT(port, 0) << serve.stderr_text();
    acked = post_findings(port, 0, 300);
    ASSERT_EQ(acked, 300);
    EXPECT_EQ(serve.stop(SIGTERM), 0);  // workers are still draining: they finish or release
    const std::string err = serve.stderr_text();
    expect_json_lines(err);
    EXPECT_NE(err.find("\"msg\":\"stop signal received\""), std::string::npos);
    EXPECT_NE(err.find("\"msg\":\"stopped\""), std::string::npos);
  }
  // Whatever was left is still queued and is decided after a restart.
  ServeProcess serve(config, state, sim->endpoint(), dir, 2);
  const int port = serve.wait_port();
  ASSERT_GT(port, 0) << serve.stderr_text();
  const auto deadline = std::chrono::steady_clock::now() + 40s;
  while (decisions_per_finding(state).size() < 300 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(serve.stop(SIGINT), 0);
  const auto decided = decisions_per_finding(state);
  EXPECT_EQ(decided.size(), 300u);
  for (const auto& [id, count] : decided) EXPECT_EQ(count, 1) << id;
  fs::remove_all(dir);
}

TEST(ServeSignals, BadConfigurationExitsTwoWithTheReason) {
  const fs::path dir = fresh_dir("fixgate-serve-badconfig");
  const fs::path config = write_config(dir, "queue:\n  max_attempts: 0\n");
  ServeProcess serve(config, dir / "state", "http://127.0.0.1:9", dir, 1);
  EXPECT_EQ(serve.wait_port(5s), 0);
  EXPECT_EQ(serve.stop(SIGTERM, 10s), 2);
  EXPECT_NE(serve.stderr_text().find("queue.max_attempts"), std::string::npos) << serve.stderr_text();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace fixgate::testing
