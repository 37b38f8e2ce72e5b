// End-to-end delivery against loopback receivers that play Slack, Jira,
// PagerDuty and a signed webhook: each validates the documented schema and the
// auth header of what it receives, and answers as the real service does.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <deque>
#include <map>

#include "../aws/loopback_server.h"
#include "audit/memory_audit_log.h"
#include "aws/crypto.h"
#include "fixtures.h"
#include "notify/notifier.h"
#include "schemas.h"

namespace fixgate::notify {
namespace {

using nlohmann::json;
using aws::testing_support::LoopbackServer;
using aws::testing_support::Recorded;
using namespace fixgate::notify::testing;

const std::map<std::string, std::string> kSecrets = {
    {"SLACK_URL", ""},  // filled with the receiver's URL (the token is in the path)
    {"JIRA_EMAIL", "fixgate-bot@acme.example"},
    {"JIRA_TOKEN", "jira-t0ken-SECRET"},
    {"PD_KEY", "R0UTINGKEYSECRET0000000000000000"},
    {"HOOK_SECRET", "hmac-SECRET-key"},
};
constexpr const char* kSlackPath = "/services/T0000/B0000/XXXXSECRETXXXX";

struct Reply {
  int status = 0;  // 0: the service's normal success
  std::string retry_after;
  std::string body;
};

class Receivers {
 public:
  Receivers()
      : server_([this](const Recorded& r, httplib::Response& res) { handle(r, res); }) {}

  std::string url() const { return server_.url(); }
  void script(const std::string& path, std::vector<Reply> replies) {
    std::lock_guard lock(mutex_);
    for (auto& r : replies) scripts_[path].push_back(std::move(r));
  }
  std::vector<Recorded> requests_to(const std::string& path) const {
    std::vector<Recorded> out;
    for (auto& r : server_.requests()) {
      if (r.request.path == path) out.push_back(r);
    }
    return out;
  }
  std::vector<std::string> problems() const {
    std::lock_guard lock(mutex_);
    return problems_;
  }

 private:
  void problem(const std::string& what) {
    std::lock_guard lock(mutex_);
    problems_.push_back(what);
  }
  static std::string header(const Recorded& r, const char* name) {
    const std::string* v = r.request.header(name);
    return v ? *v : std::string();
  }

  void handle(const Recorded& r, httplib::Response& res) {
    const std::string& path = r.request.path;
    const json body = json::parse(r.request.body, nullptr, false);
    if (r.method != "POST") problem(path + ": method " + r.method);
    if (header(r, "Content-Type").rfind("application/json", 0) != 0) problem(path + ": content type");
    Problems found;
    std::string ok_body;
    int ok_status = 200;
    if (path == kSlackPath) {
      found = slack_problems(body);
      ok_body = "ok";
    } else if (path == "/jira/rest/api/3/issue") {
      found = jira_problems(body, 3);
      if (header(r, "Authorization") != "Basic " + aws::base64_encode(kSecrets.at("JIRA_EMAIL") + ":" + kSecrets.at("JIRA_TOKEN"))) {
        found.push_back("Authorization: not the configured Basic credentials");
      }
      ok_status = 201;
      ok_body = R"({"id":"10001","key":"SEC-1","self":"https://jira.example/rest/api/3/issue/10001"})";
    } else if (path == "/v2/enqueue") {
      found = pagerduty_problems(body);
      if (body.value("routing_key", "") != kSecrets.at("PD_KEY")) found.push_back("routing_key: not the configured key");
      ok_status = 202;
      ok_body = json{{"status", "success"}, {"message", "Event processed"}, {"dedup_key", body.value("dedup_key", "")}}.dump();
    } else if (path == "/hook") {
      found = notification_problems(body);
      const std::string ts = header(r, "X-Fixgate-Timestamp");
      const std::string expected =
          "sha256=" + aws::hex_encode(aws::hmac_sha256(kSecrets.at("HOOK_SECRET"), ts + "." + r.request.body));
      if (ts.empty() || !aws::constant_time_equals(header(r, "X-Fixgate-Signature"), expected)) found.push_back("signature");
      if (header(r, "X-Fixgate-Delivery").rfind("ntf-", 0) != 0) found.push_back("X-Fixgate-Delivery");
      if (header(r, "X-Team") != "security") found.push_back("X-Team header");
      ok_body = "{}";
    } else {
      found.push_back("unexpected path");
    }
    for (const auto& f : found) problem(path + ": " + f);
    Reply reply;
    {
      std::lock_guard lock(mutex_);
      auto& queue = scripts_[path];
      if (!queue.empty()) {
        reply = queue.front();
        queue.pop_front();
      }
    }
    res.status = reply.status ? reply.status : ok_status;
    if (!reply.retry_after.empty()) res.set_header("Retry-After", reply.retry_after);
    res.set_content(reply.status ? reply.body : ok_body, "application/json");
  }

  LoopbackServer server_;
  mutable std::mutex mutex_;
  std::map<std::string, std::deque<Reply>> scripts_;
  std::vector<std::string> problems_;
};

class DeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    secrets_ = kSecrets;
    secrets_["SLACK_URL"] = receivers_.url() + kSlackPath;
    const std::string section = R"yaml(
notifications:
  delivery: {max_attempts: 3, initial_backoff_ms: 1000, max_backoff_ms: 60000, timeout_ms: 5000}
  channels:
    slack: {type: slack, url_env: SLACK_URL}
    jira: {type: jira, base_url: ")yaml" + receivers_.url() + R"yaml(/jira", project: SEC,
           auth: {email_env: JIRA_EMAIL, token_env: JIRA_TOKEN}}
    pd: {type: pagerduty, routing_key_env: PD_KEY, url: ")yaml" + receivers_.url() + R"yaml(/v2/enqueue"}
    hook: {type: webhook, url: ")yaml" + receivers_.url() + R"yaml(/hook", headers: {X-Team: security},
           secret_env: HOOK_SECRET}
  routes:
    - outcomes: [notify]
      channels: [slack, jira, pd, hook]
    - outcomes: [approval_required]
      channels: [hook]
)yaml";
    config_ = reference_config_with(section);
    open_notifier();
  }

  void open_notifier(std::shared_ptr<NotifyMetrics> metrics = nullptr) {
    NotifierOptions options;
    options.metrics = std::move(metrics);
    options.env = [this](std::string_view name) -> std::optional<std::string> {
      auto it = secrets_.find(std::string(name));
      return it == secrets_.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    options.clock = [this] { return now_; };
    notifier_ = std::make_unique<Notifier>(load_notify_config(config_).value(), Outbox::open(":memory:").value(), audit_,
                                           options);
  }

  EnqueueReport enqueue(const std::string& file, const std::string& title = {}) {
    Decided d = decide_example(file, config_);
    if (!title.empty()) d.finding.title = title;
    auto report = notifier_->enqueue({d.finding, d.decision, {}, nullptr});
    EXPECT_TRUE(report.ok()) << report.error().to_string();
    return report.value();
  }

  std::vector<audit::AuditRecord> audited(const std::string& kind) {
    audit::AuditQuery q;
    q.kind = kind;
    q.limit = 0;
    return audit_.read(q).value();
  }

  void advance(std::chrono::milliseconds by) { now_ += by; }

  Receivers receivers_;
  std::map<std::string, std::string> secrets_;
  Config config_;
  audit::MemoryAuditLog audit_;
  std::chrono::system_clock::time_point now_ = test_now();
  std::unique_ptr<Notifier> notifier_;
};

TEST_F(DeliveryTest, EveryChannelReceivesItsDocumentedPayloadAndSuccessIsAudited) {
  const EnqueueReport queued = enqueue("wiz-s3-public-no-owner.json");
  EXPECT_EQ(queued.queued, (std::vector<std::string>{"slack", "jira", "pd", "hook"}));
  const DeliveryReport report = notifier_->deliver_due();
  EXPECT_EQ(report.sent, 4u);
  EXPECT_TRUE(report.errors.empty()) << report.errors.front();
  EXPECT_TRUE(receivers_.problems().empty()) << receivers_.problems().front();
  EXPECT_EQ(receivers_.requests_to(kSlackPath).size(), 1u);
  EXPECT_EQ(receivers_.requests_to("/jira/rest/api/3/issue").size(), 1u);
  EXPECT_EQ(receivers_.requests_to("/v2/enqueue").size(), 1u);
  EXPECT_EQ(receivers_.requests_to("/hook").size(), 1u);

  const auto sent = audited("notification_sent");
  ASSERT_EQ(sent.size(), 4u);
  std::map<std::string, json> by_channel;
  for (const auto& record : sent) by_channel[json::parse(record.body)["channel"]] = json::parse(record.body);
  EXPECT_EQ(by_channel["jira"]["status"], 201);
  EXPECT_EQ(by_channel["jira"]["reference"], "SEC-1");
  EXPECT_EQ(by_channel["pd"]["status"], 202);
  EXPECT_EQ(by_channel["slack"]["channel_type"], "slack");
  EXPECT_EQ(by_channel["hook"]["attempts"], 1);
  // No secret, URL token or credential reaches the audit log.
  for (const auto& record : audit_.records_for_test()) {
    for (const auto& [name, value] : kSecrets) {
      if (!value.empty()) {
        EXPECT_EQ(record.body.find(value), std::string::npos) << name;
      }
    }
    EXPECT_EQ(record.body.find("XXXXSECRETXXXX"), std::string::npos);
  }
  EXPECT_TRUE(audit_.verify()->ok());
  EXPECT_EQ(notifier_->outbox().list(OutboxState::sent)->size(), 4u);
  EXPECT_FALSE(notifier_->next_delay().value().has_value());
}

TEST_F(DeliveryTest, RetriesOn500ThenHonours429RetryAfterThenSucceeds) {
  receivers_.script("/hook", {{500, "", "upstream down"}, {429, "7", "slow down"}});
  enqueue("wiz-s3-public-restricted-production.json");  // approval_required → hook only
  DeliveryReport r = notifier_->deliver_due();
  EXPECT_EQ(r.retried, 1u);
  EXPECT_EQ(notifier_->next_delay().value(), std::optional(std::chrono::milliseconds(1000)));  // initial backoff
  advance(std::chrono::milliseconds(999));
  EXPECT_EQ(notifier_->deliver_due().retried + notifier_->deliver_due().sent, 0u);
  advance(std::chrono::milliseconds(1));
  r = notifier_->deliver_due();
  EXPECT_EQ(r.retried, 1u);  // the 429
  // Retry-After: 7 beats the 2 s exponential backoff.
  EXPECT_EQ(notifier_->next_delay().value(), std::optional(std::chrono::milliseconds(7000)));
  advance(std::chrono::milliseconds(6999));
  EXPECT_EQ(notifier_->deliver_due().sent, 0u);
  advance(std::chrono::milliseconds(1));
  r = notifier_->deliver_due();
  EXPECT_EQ(r.sent, 1u);
  EXPECT_EQ(receivers_.requests_to("/hook").size(), 3u);
  EXPECT_TRUE(receivers_.problems().empty()) << receivers_.problems().front();
  const auto sent = audited("notification_sent");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(json::parse(sent[0].body)["attempts"], 3);
  EXPECT_TRUE(audited("notification_failed").empty());
}

TEST_F(DeliveryTest, RetryAfterAsHttpDateIsHonoured) {
  receivers_.script("/hook", {{429, "Wed, 25 Nov 2026 12:00:30 GMT", ""}});
  enqueue("wiz-s3-public-restricted-production.json");
  EXPECT_EQ(notifier_->deliver_due().retried, 1u);
  EXPECT_EQ(notifier_->next_delay().value(), std::optional(std::chrono::milliseconds(30000)));
}

TEST_F(DeliveryTest, FailureAfterTheLastAttemptIsAuditedAndKeptForReview) {
  receivers_.script("/hook", {{503, "", "no"}, {503, "", "no"}, {503, "", "still no"}});
  enqueue("wiz-s3-public-restricted-production.json");
  EXPECT_EQ(notifier_->deliver_due().retried, 1u);
  advance(std::chrono::seconds(1));
  EXPECT_EQ(notifier_->deliver_due().retried, 1u);
  advance(std::chrono::seconds(2));
  EXPECT_EQ(notifier_->deliver_due().failed, 1u);
  advance(std::chrono::hours(1));
  EXPECT_EQ(notifier_->deliver_due().failed, 0u);  // failed rows are not retried on their own
  EXPECT_EQ(receivers_.requests_to("/hook").size(), 3u);
  const auto failed = audited("notification_failed");
  ASSERT_EQ(failed.size(), 1u);
  const json body = json::parse(failed[0].body);
  EXPECT_EQ(body["channel"], "hook");
  EXPECT_EQ(body["status"], 503);
  EXPECT_EQ(body["attempts"], 3);
  EXPECT_EQ(body["permanent"], false);
  EXPECT_EQ(body["error"], "HTTP 503: still no");
  EXPECT_FALSE(failed[0].correlation_id.empty());
  auto kept = notifier_->outbox().list(OutboxState::failed).value();
  ASSERT_EQ(kept.size(), 1u);
  // Re-armed after review, it is delivered.
  ASSERT_TRUE(notifier_->outbox().rearm(kept[0].id, 0).value());
  EXPECT_EQ(notifier_->deliver_due().sent, 1u);
}

TEST_F(DeliveryTest, ClientErrorIsPermanentAtOnce) {
  receivers_.script(kSlackPath, {{404, "", "no_service"}});
  enqueue("wiz-s3-public-no-owner.json");
  const DeliveryReport r = notifier_->deliver_due();
  EXPECT_EQ(r.sent, 3u);
  EXPECT_EQ(r.failed, 1u);
  const auto failed = audited("notification_failed");
  ASSERT_EQ(failed.size(), 1u);
  const json body = json::parse(failed[0].body);
  EXPECT_EQ(body["channel"], "slack");
  EXPECT_EQ(body["attempts"], 1);
  EXPECT_EQ(body["permanent"], true);
  EXPECT_EQ(body["error"], "HTTP 404: no_service");
}

TEST_F(DeliveryTest, RedeliveredFindingNotifiesOncePerChannel) {
  enqueue("wiz-s3-public-no-owner.json");
  const EnqueueReport again = enqueue("wiz-s3-public-no-owner.json");
  EXPECT_TRUE(again.queued.empty());
  EXPECT_EQ(again.duplicates.size(), 4u);
  EXPECT_EQ(notifier_->deliver_due().sent, 4u);
  EXPECT_EQ(enqueue("wiz-s3-public-no-owner.json").duplicates.size(), 4u);  // also after delivery
  EXPECT_EQ(notifier_->deliver_due().sent, 0u);
  EXPECT_EQ(receivers_.requests_to(kSlackPath).size(), 1u);
  EXPECT_EQ(receivers_.requests_to("/hook").size(), 1u);
  EXPECT_EQ(audited("notification_sent").size(), 4u);
}

TEST_F(DeliveryTest, HostileFindingTextIsEscapedForSlackAndIntactInJson) {
  const std::string hostile = "<!channel> please <https://evil.example/fix|click> & pay\n\x1b[2J";
  enqueue("wiz-s3-public-no-owner.json", hostile);
  EXPECT_EQ(notifier_->deliver_due().sent, 4u);
  EXPECT_TRUE(receivers_.problems().empty()) << receivers_.problems().front();  // Slack: no raw < > &
  const auto slack = receivers_.requests_to(kSlackPath);
  ASSERT_EQ(slack.size(), 1u);
  EXPECT_NE(slack[0].request.body.find("&lt;!channel&gt; please &lt;https://evil.example/fix|click&gt; &amp; pay"),
            std::string::npos);
  const auto hook = receivers_.requests_to("/hook");
  ASSERT_EQ(hook.size(), 1u);
  EXPECT_EQ(json::parse(hook[0].request.body)["finding"]["title"], hostile);
}

TEST_F(DeliveryTest, MissingSecretIsRetriedAndNamesTheVariable) {
  secrets_.erase("PD_KEY");
  enqueue("wiz-s3-public-no-owner.json");
  const DeliveryReport r = notifier_->deliver_due();
  EXPECT_EQ(r.sent, 3u);
  EXPECT_EQ(r.retried, 1u);
  auto row = notifier_->outbox().list(OutboxState::pending).value();
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0].channel, "pd");
  EXPECT_NE(row[0].last_error.find("environment variable PD_KEY"), std::string::npos) << row[0].last_error;
  secrets_["PD_KEY"] = kSecrets.at("PD_KEY");  // the operator fixes the environment
  advance(std::chrono::seconds(1));
  EXPECT_EQ(notifier_->deliver_due().sent, 1u);
}

TEST_F(DeliveryTest, UnreachableReceiverIsRetried) {
  // A port that was free a moment ago and has nothing listening now.
  int closed_port = 0;
  {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    closed_port = ntohs(addr.sin_port);
    ::close(fd);
  }
  secrets_["SLACK_URL"] = "http://127.0.0.1:" + std::to_string(closed_port) + kSlackPath;
  enqueue("wiz-s3-public-no-owner.json");
  const DeliveryReport r = notifier_->deliver_due();
  EXPECT_EQ(r.retried, 1u);
  auto pending = notifier_->outbox().list(OutboxState::pending).value();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_NE(pending[0].last_error.find("aws.http.connect"), std::string::npos) << pending[0].last_error;
  EXPECT_EQ(pending[0].last_error.find("XXXXSECRETXXXX"), std::string::npos);
}

TEST_F(DeliveryTest, OutcomesWithoutARouteQueueNothing) {
  const EnqueueReport r = enqueue("wiz-s3-resolved.json");  // skip
  EXPECT_TRUE(r.queued.empty());
  EXPECT_TRUE(notifier_->outbox().list(std::nullopt)->empty());
}

TEST_F(DeliveryTest, SendNowDeliversWithoutTheOutbox) {
  Decided d = decide_example("wiz-s3-public-no-owner.json", config_);
  auto result = notifier_->send_now("jira", build_message({d.finding, d.decision, {}, nullptr}));
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->ok);
  EXPECT_EQ(result->reference, "SEC-1");
  EXPECT_TRUE(notifier_->outbox().list(std::nullopt)->empty());
  EXPECT_FALSE(notifier_->send_now("nope", json::object()).ok());
}

// The delivery metrics as /metrics exposes them: one count per attempt by
// channel and result, re-tries apart, the outbox depth after each round, and
// the queued→accepted latency (on the test clock, so exact).
TEST_F(DeliveryTest, MetricsCountAttemptsRetriesOutboxDepthAndLatency) {
  metrics::Registry registry;
  auto created = NotifyMetrics::create(registry);
  ASSERT_TRUE(created.ok()) << created.error().to_string();
  open_notifier(*created);
  auto exposed = [&registry](const std::string& sample) {
    const std::string text = registry.expose();
    const size_t at = text.find("\n" + sample + " ");
    if (at == std::string::npos) return std::string("absent");
    const size_t value = at + 1 + sample.size() + 1;
    return text.substr(value, text.find('\n', value) - value);
  };

  receivers_.script("/hook", {{503, "", "down"}});
  enqueue("wiz-s3-public-no-owner.json");  // slack, jira, pd, hook
  ASSERT_EQ(notifier_->deliver_due().retried, 1u);
  EXPECT_EQ(exposed(R"(fixgate_notification_deliveries_total{channel="slack",result="sent"})"), "1");
  EXPECT_EQ(exposed(R"(fixgate_notification_deliveries_total{channel="hook",result="retry"})"), "1");
  EXPECT_EQ(exposed(R"(fixgate_notification_retries_total{channel="hook"})"), "absent");  // a first attempt
  EXPECT_EQ(exposed(R"(fixgate_notification_outbox_rows{state="pending"})"), "1");
  EXPECT_EQ(exposed(R"(fixgate_notification_delivery_seconds_count{channel="jira"})"), "1");
  EXPECT_EQ(exposed(R"(fixgate_notification_delivery_seconds_sum{channel="jira"})"), "0");

  advance(std::chrono::milliseconds(1500));
  ASSERT_EQ(notifier_->deliver_due().sent, 1u);
  EXPECT_EQ(exposed(R"(fixgate_notification_deliveries_total{channel="hook",result="sent"})"), "1");
  EXPECT_EQ(exposed(R"(fixgate_notification_retries_total{channel="hook"})"), "1");
  EXPECT_EQ(exposed(R"(fixgate_notification_delivery_seconds_sum{channel="hook"})"), "1.5");
  EXPECT_EQ(exposed(R"(fixgate_notification_delivery_seconds_bucket{channel="hook",le="1"})"), "0");
  EXPECT_EQ(exposed(R"(fixgate_notification_delivery_seconds_bucket{channel="hook",le="2.5"})"), "1");
  EXPECT_EQ(exposed(R"(fixgate_notification_outbox_rows{state="pending"})"), "0");

  receivers_.script("/hook", {{400, "", "bad request"}});
  enqueue("wiz-s3-public-restricted-production.json");  // approval_required → hook only
  ASSERT_EQ(notifier_->deliver_due().failed, 1u);
  EXPECT_EQ(exposed(R"(fixgate_notification_deliveries_total{channel="hook",result="failed"})"), "1");
  EXPECT_EQ(exposed(R"(fixgate_notification_outbox_rows{state="failed"})"), "1");
  EXPECT_EQ(exposed(R"(fixgate_notification_delivery_seconds_count{channel="hook"})"), "1");  // failures: no latency

  // One set of families per registry.
  auto again = NotifyMetrics::create(registry);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "metrics.duplicate");
}

}  // namespace
}  // namespace fixgate::notify
