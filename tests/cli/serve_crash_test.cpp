// `fixgate serve` killed with SIGKILL while a load generator posts thousands of
// distinct findings, then restarted and drained: every acknowledged finding has
// exactly one audited decision, and no resource was changed twice.
#include <httplib.h>

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "audit/sqlite_audit_log.h"
#include "queue/durable_queue.h"
#include "serve_process.h"

namespace fixgate::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr int kFindings = 2400;
constexpr int kBuckets = 60;        // every 20th finding remediates one of these; each gets two
constexpr int kKillAfterAcks = 700;
constexpr int kSenders = 4;

std::string finding(int i) {
  const std::string id = "crash-" + std::to_string(i);
  if (i % 20 == 0) {
    return wiz_variant("wiz-s3-public-bucket-production.json", id,
                       "crash-bucket-" + std::to_string((i / 20) % kBuckets));
  }
  return wiz_variant("wiz-s3-public-unknown-environment.json", id);
}

struct Sent {
  std::mutex mutex;
  std::set<int> acked;
};

// Posts findings [from, to) stepping by `step` until one fails (the server died).
void send_range(int port, int from, int to, int step, Sent& sent, std::atomic<bool>& stop) {
  httplib::Client client("127.0.0.1", port);
  client.set_keep_alive(true);
  client.set_read_timeout(10, 0);
  const httplib::Headers headers = {{"Authorization", std::string("Bearer ") + kWizToken}};
  for (int i = from; i < to && !stop.load(); i += step) {
    auto res = client.Post("/v1/wiz", headers, finding(i), "application/json");
    if (!res) return;  // connection refused/reset: the server is gone
    if (res->status / 100 == 2) {
      std::lock_guard lock(sent.mutex);
      sent.acked.insert(i);
    }
  }
}

int64_t queue_depth(const fs::path& state) {
  queue::QueueOptions options;
  options.durability = queue::Durability::normal;
  auto q = queue::open_sqlite_queue((state / "queue.db").string(), options);
  if (!q) return -1;
  auto counts = (*q)->counts();
  return counts ? counts->depth() : -1;
}

TEST(ServeCrash, EveryAcknowledgedFindingIsDecidedExactlyOnceAcrossAKill) {
  const fs::path dir = fresh_dir("fixgate-serve-crash");
  const fs::path state = dir / "state";
  auto sim = start_demo_world();
  ASSERT_NE(sim, nullptr);
  sim->with_world([](cloudsim::World& world) {
    for (int b = 0; b < kBuckets; ++b) {
      cloudsim::Bucket bucket;
      bucket.name = "crash-bucket-" + std::to_string(b);
      world.find_account("111111111111")->buckets.push_back(bucket);
    }
  });
  const fs::path config = write_config(dir, "queue:\n  workers: 2\n  visibility_timeout_ms: 2000\n");

  Sent sent;
  {
    ServeProcess serve(config, state, sim->endpoint(), dir, 1);
    const int port = serve.wait_port();
    ASSERT_GT(port, 0) << serve.stderr_text();
    std::atomic<bool> stop{false};
    std::vector<std::thread> senders;
    for (int s = 0; s < kSenders; ++s) {
      senders.emplace_back([&, s] { send_range(port, s, kFindings, kSenders, sent, stop); });
    }
    const auto deadline = std::chrono::steady_clock::now() + 40s;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(sent.mutex);
        if (sent.acked.size() >= static_cast<size_t>(kKillAfterAcks)) break;
      }
      std::this_thread::sleep_for(2ms);
    }
    serve.kill_hard();  // mid-way: requests in flight, messages leased, actions running
    serve.reap();
    stop = true;
    for (auto& t : senders) t.join();
  }
  const std::set<int> acked_before_kill = sent.acked;
  ASSERT_GE(acked_before_kill.size(), static_cast<size_t>(kKillAfterAcks));
  ASSERT_LT(acked_before_kill.size(), static_cast<size_t>(kFindings)) << "the kill came too late to test anything";

  // Restart on the same state; the sender retries what was not acknowledged and
  // redelivers a slice of what was (a source's at-least-once).
  ServeProcess serve(config, state, sim->endpoint(), dir, 2);
  const int port = serve.wait_port();
  ASSERT_GT(port, 0) << serve.stderr_text();
  {
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(10, 0);
    const httplib::Headers headers = {{"Authorization", std::string("Bearer ") + kWizToken}};
    int redelivered = 0;
    for (int i = 0; i < kFindings; ++i) {
      const bool was_acked = acked_before_kill.count(i) != 0;
      if (was_acked && redelivered >= 100) continue;
      auto res = client.Post("/v1/wiz", headers, finding(i), "application/json");
      ASSERT_TRUE(res) << "finding " << i;
      ASSERT_EQ(res->status, 202) << res->body;
      if (was_acked) {
        ++redelivered;
        EXPECT_EQ(json::parse(res->body)["duplicate"], true) << "finding " << i;
      }
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + 50s;
  while (queue_depth(state) != 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
  ASSERT_EQ(queue_depth(state), 0) << "the queue did not drain";
  ASSERT_EQ(serve.stop(SIGTERM), 0) << serve.stderr_text().substr(0, 4000);

  auto audit = audit::SqliteAuditLog::open((state / "audit.db").string());
  ASSERT_TRUE(audit.ok()) << audit.error().to_string();
  audit::AuditQuery query;
  query.kind = "decision";
  query.limit = 0;
  auto decisions = (*audit)->read(query);
  ASSERT_TRUE(decisions.ok());
  std::map<std::string, int> per_finding;
  for (const auto& record : *decisions) ++per_finding[record.finding_id];
  for (int i = 0; i < kFindings; ++i) {
    const auto it = per_finding.find("crash-" + std::to_string(i));
    ASSERT_NE(it, per_finding.end()) << "crash-" << i << (acked_before_kill.count(i) ? " (acked before the kill)" : "");
    EXPECT_EQ(it->second, 1) << "crash-" << i << " was decided " << it->second << " times";
  }
  EXPECT_EQ(per_finding.size(), static_cast<size_t>(kFindings));
  auto verified = (*audit)->verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->ok()) << verified->first_break->message;

  // Each bucket was the subject of two remediations and was changed exactly once.
  int puts = 0;
  for (const auto& [operation, count] : sim->call_counts()) {
    if (operation.find("PutPublicAccessBlock") != std::string::npos) puts += count;
  }
  EXPECT_EQ(puts, kBuckets);
  for (int b = 0; b < kBuckets; ++b) EXPECT_TRUE(bucket_blocked(*sim, "crash-bucket-" + std::to_string(b))) << b;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace fixgate::testing
