// The embedded service end to end over loopback HTTP: intake → durable queue →
// workers → Engine → the in-process cloud simulator → the audit log.
#include "service/service.h"

#include <httplib.h>

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "approvals/service.h"
#include "service_harness.h"

namespace fixgate::service {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace t = fixgate::testing;
namespace fs = std::filesystem;

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("FIXGATE_EXTERNAL_ID", "demo-external-id", 1);
    dir = t::fresh_dir("fixgate-service");
    sim = t::start_demo_world();
    ASSERT_NE(sim, nullptr);
  }
  void TearDown() override {
    service.reset();
    sim.reset();
    fs::remove_all(dir);
  }

  void open(const std::string& extra = "queue:\n  durability: normal\n  backoff_base_ms: 10\n  backoff_cap_ms: 50\n",
            bool start = true) {
    ServiceOptions options;
    options.config_path = t::write_config(dir, extra).string();
    options.state_dir = (dir / "state").string();
    options.listen = "127.0.0.1:0";
    options.platform = t::simulator_platform(*sim);
    options.log_writer = [this](std::string_view line) {
      std::lock_guard lock(log_mutex);
      logs.emplace_back(line);
    };
    auto opened = Service::open(std::move(options));
    ASSERT_TRUE(opened.ok()) << opened.error().to_string();
    service = std::move(*opened);
    if (start) this->start();
  }

  void start() {
    auto port = service->start();
    ASSERT_TRUE(port.ok()) << port.error().to_string();
    client = std::make_unique<httplib::Client>("127.0.0.1", *port);
    client->set_read_timeout(10, 0);
  }

  httplib::Result post(const std::string& body, const std::string& token = t::kWizToken,
                       const std::string& type = "application/json") {
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return client->Post("/v1/wiz", headers, body, type.c_str());
  }

  std::vector<audit::AuditRecord> records(const std::string& kind) {
    audit::AuditQuery query;
    query.kind = kind;
    query.limit = 0;
    auto read = service->engine().audit().read(query);
    EXPECT_TRUE(read.ok());
    return read.ok() ? *read : std::vector<audit::AuditRecord>{};
  }

  std::string all_logs() {
    std::lock_guard lock(log_mutex);
    std::string joined;
    for (const auto& line : logs) joined += line + "\n";
    return joined;
  }

  fs::path dir;
  std::unique_ptr<cloudsim::Simulator> sim;
  std::unique_ptr<Service> service;
  std::unique_ptr<httplib::Client> client;
  std::mutex log_mutex;
  std::vector<std::string> logs;
};

TEST_F(ServiceTest, PostedFindingIsDecidedRemediatedVerifiedAndAudited) {
  open();
  auto res = post(t::example("wiz-s3-public-bucket-production.json"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  EXPECT_EQ(json::parse(res->body)["duplicate"], false);
  ASSERT_TRUE(service->wait_drained(30s));

  const auto decisions = records("decision");
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(json::parse(decisions[0].body)["decision"]["outcome"], "remediate");
  const auto results = records("action_result");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].correlation_id, decisions[0].correlation_id);
  EXPECT_NE(results[0].body.find("\"succeeded\""), std::string::npos) << results[0].body;
  EXPECT_TRUE(t::bucket_blocked(*sim, "acme-customer-exports"));
  EXPECT_EQ(sim->call_count("s3control:PutPublicAccessBlock") + sim->call_count("s3:PutPublicAccessBlock"), 1);

  auto verified = service->engine().audit().verify();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->ok());

  auto metrics = client->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("fixgate_decisions_total{outcome=\"remediate\"} 1"), std::string::npos);
  EXPECT_NE(metrics->body.find("fixgate_action_results_total{status=\"succeeded\"} 1"), std::string::npos);
  EXPECT_NE(metrics->body.find("fixgate_decision_seconds_count 1"), std::string::npos);
  EXPECT_NE(metrics->body.find("fixgate_worker_messages_total{result=\"acked\"} 1"), std::string::npos);
  EXPECT_NE(metrics->body.find("fixgate_intake_enqueue_seconds_bucket"), std::string::npos);
}

// The approvals REST API rides on the intake's port once approvers have tokens;
// a caller without the token learns nothing.
TEST_F(ServiceTest, ApprovalsApiIsServedBesideIntakeOnlyWithTokens) {
  ::setenv("FIXGATE_TEST_APPROVER_ALICE", "alice-token-0123456789abcdef", 1);
  open("approvals:\n  api_tokens:\n    alice: \"${FIXGATE_TEST_APPROVER_ALICE}\"\n");
  auto anonymous = client->Get("/api/v1/approvals");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  httplib::Headers wrong{{"Authorization", "Bearer not-alice-token-0000000000"}};
  auto refused = client->Get("/api/v1/approvals", wrong);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  httplib::Headers alice{{"Authorization", "Bearer alice-token-0123456789abcdef"}};
  auto listed = client->Get("/api/v1/approvals", alice);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->status, 200) << listed->body;
  EXPECT_TRUE(nlohmann::json::parse(listed->body).contains("approvals"));
  EXPECT_EQ(all_logs().find("alice-token-0123456789abcdef"), std::string::npos);
}

TEST_F(ServiceTest, ApprovalsApiIsAbsentWithoutTokens) {
  open();
  auto res = client->Get("/api/v1/approvals");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
}

// Nobody looks at a request that waits past its TTL: the service's sweep marks
// it expired (audited, counted) so the pending list never offers it.
TEST_F(ServiceTest, ApprovalRequestPastItsTtlIsExpiredBySweep) {
  open("approvals:\n  ttl: 1s\nqueue:\n  durability: normal\n");
  auto res = post(t::example("wiz-sg-ssh-open-production.json"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  ASSERT_TRUE(service->wait_drained(30s));
  auto& approvals = service->engine().approvals();
  auto pending = approvals.list(approvals::ListQuery{.status = approvals::Status::pending});
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  const std::string id = pending->front().id;

  // TTL 1 s, sweep every second: expired within about two seconds.
  approvals::Status status = approvals::Status::pending;
  for (int i = 0; i < 100 && status == approvals::Status::pending; ++i) {
    std::this_thread::sleep_for(50ms);
    auto request = approvals.get(id);
    ASSERT_TRUE(request.ok());
    status = request->status;
  }
  EXPECT_EQ(status, approvals::Status::expired);
  bool audited = false;
  for (const auto& record : records("approval")) audited = audited || record.body.find("expired") != std::string::npos;
  EXPECT_TRUE(audited);
  // The sweep marks the request, then counts it: wait for the counter too.
  bool counted = false;
  for (int i = 0; i < 100 && !counted; ++i) {
    auto metrics = client->Get("/metrics");
    ASSERT_TRUE(metrics);
    counted = metrics->body.find("fixgate_approvals_expired_total 1") != std::string::npos;
    if (!counted) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(counted);
}

// The notification outbox registers its delivery metrics on the service's
// /metrics when a notifications: section is configured.
TEST_F(ServiceTest, NotificationMetricsAreServed) {
  open("queue:\n  durability: normal\nnotifications:\n  channels:\n"
       "    hook: {type: webhook, url: \"http://127.0.0.1:9/hook\"}\n"
       "  routes:\n    - outcomes: [remediate]\n      channels: [hook]\n");
  auto res = post(t::example("wiz-s3-public-bucket-production.json"));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202) << res->body;
  ASSERT_TRUE(service->wait_drained(30s));
  auto metrics = client->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("# TYPE fixgate_notification_deliveries_total counter"), std::string::npos);
  EXPECT_NE(metrics->body.find("fixgate_notification_outbox_rows"), std::string::npos);
}

TEST_F(ServiceTest, BadInputGetsItsStatusAndNothingIsQueued) {
  open();
  const std::string good = t::example("wiz-s3-public-bucket-production.json");
  struct Case { const char* name; int status; httplib::Result res; };
  std::vector<Case> cases;
  cases.push_back({"no credentials", 401, post(good, "")});
  cases.push_back({"wrong token", 401, post(good, "wrong-token-0000000000000000")});
  cases.push_back({"text/plain", 415, post(good, t::kWizToken, "text/plain")});
  cases.push_back({"not JSON", 400, post("{\"issue\": ", t::kWizToken)});
  cases.push_back({"JSON array", 400, post("[1,2,3]", t::kWizToken)});
  cases.push_back({"oversized", 413, post("{\"pad\":\"" + std::string(70000, 'x') + "\"}", t::kWizToken)});
  cases.push_back({"GET", 405, client->Get("/v1/wiz")});
  for (auto& c : cases) {
    ASSERT_TRUE(c.res) << c.name;
    EXPECT_EQ(c.res->status, c.status) << c.name << ": " << c.res->body;
  }
  auto counts = service->queue().counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->depth() + counts->dead, 0);
  EXPECT_TRUE(records("decision").empty());
}

TEST_F(ServiceTest, RedeliveryFromTheSourceIsDecidedOnce) {
  open();
  const std::string payload = t::example("wiz-s3-public-no-owner.json");
  auto first = post(payload);
  auto second = post(payload);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->status, 202);
  EXPECT_EQ(second->status, 202);
  EXPECT_EQ(json::parse(second->body)["duplicate"], true);
  EXPECT_EQ(json::parse(second->body)["id"], json::parse(first->body)["id"]);
  ASSERT_TRUE(service->wait_drained(30s));
  EXPECT_EQ(records("decision").size(), 1u);
}

// A worker died after the decision was committed but before the ack: the
// message comes back (attempt 2) and must not be decided a second time.
TEST_F(ServiceTest, MessageRedeliveredAfterItsDecisionWasRecordedIsNotDecidedAgain) {
  open("queue:\n  durability: normal\n  visibility_timeout_ms: 200\n", /*start=*/false);
  const std::string payload = t::example("wiz-s3-public-bucket-production.json");
  ASSERT_TRUE(service->queue().enqueue("k-crash", payload, queue::SourceMetadata{"wiz", {}}).ok());
  auto leased = service->queue().lease("dead-worker", 1, 200ms);
  ASSERT_TRUE(leased.ok() && leased->size() == 1);
  // The dead worker got as far as recording the decision; the action never ran.
  ASSERT_TRUE(service->engine().pipeline().decide_payload(payload).ok());
  std::this_thread::sleep_for(250ms);  // its lease expires

  start();
  ASSERT_TRUE(service->wait_drained(30s));
  EXPECT_EQ(records("decision").size(), 1u);
  EXPECT_EQ(service->handler().redeliveries_already_decided(), 1u);
  // The interrupted action was completed, once.
  EXPECT_EQ(records("action_result").size(), 1u);
  EXPECT_TRUE(t::bucket_blocked(*sim, "acme-customer-exports"));
}

TEST_F(ServiceTest, HostilePayloadNeverPutsASecretInTheLogs) {
  open();
  json payload = json::parse(t::example("wiz-s3-public-bucket-production.json"));
  const std::string fake_key = "AKIAIOSFODNN7EXAMPLE";
  const std::string fake_secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzHOSTILE";
  const std::string fake_bearer = "hostile-bearer-token-9f8e7d6c";
  payload["issue"]["id"] = "issue-" + fake_key + "\n\x1b[2J Bearer " + fake_bearer;
  payload["control"]["name"] = "aws_secret_access_key=" + fake_secret;
  httplib::Headers headers = {{"Authorization", std::string("Bearer ") + t::kWizToken},
                              {"X-Request-Id", "req-hostile-1"}};
  auto res = client->Post("/v1/wiz", headers, payload.dump(), "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 202);
  auto refused = post(payload.dump(), fake_bearer);  // the attacker's own token, refused
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  ASSERT_TRUE(service->wait_drained(30s));
  service->stop();

  const std::string text = all_logs();
  EXPECT_EQ(text.find(t::kWizToken), std::string::npos);
  EXPECT_EQ(text.find(fake_key), std::string::npos);
  EXPECT_EQ(text.find(fake_secret), std::string::npos);
  EXPECT_EQ(text.find(fake_bearer), std::string::npos);
  EXPECT_EQ(text.find(t::kPlatformSecret), std::string::npos);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  bool saw_request = false;
  bool saw_decision = false;
  std::lock_guard lock(log_mutex);
  for (const auto& line : logs) {
    const json j = json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    for (const char* key : {"ts", "level", "component", "correlation_id", "msg"}) {
      EXPECT_TRUE(j.contains(key)) << key << " missing in " << line;
    }
    EXPECT_FALSE(j["correlation_id"].get<std::string>().empty()) << line;
    saw_request = saw_request || j["correlation_id"] == "req-hostile-1";
    saw_decision = saw_decision || (j["msg"] == "finding decided" && j["request_id"] == "req-hostile-1");
  }
  EXPECT_TRUE(saw_request);
  EXPECT_TRUE(saw_decision);
}

TEST(ParseListen, AcceptsHostPortAndRefusesTheRest) {
  auto ok = parse_listen("127.0.0.1:0");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->first, "127.0.0.1");
  EXPECT_EQ(ok->second, 0);
  EXPECT_EQ(parse_listen("[::1]:8080")->first, "::1");
  for (const char* bad : {"", "8080", ":80", "host:", "host:99999", "host:8x"}) {
    EXPECT_FALSE(parse_listen(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace fixgate::service
