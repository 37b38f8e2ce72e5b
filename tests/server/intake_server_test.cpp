#include "server/intake_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <map>
#include <mutex>

#include "fake_sink.h"
#include "sns_test_support.h"

namespace fixgate::server {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using sns::testing::corpus_dir;
using sns::testing::read_file;

constexpr const char* kToken = "s3cret-token-do-not-log";
constexpr const char* kBasicUser = "wiz-hook";
constexpr const char* kBasicPassword = "hunter2-do-not-log";
constexpr const char* kGeneratedCertUrl = "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-test.pem";
constexpr const char* kGeneratedTopic = "arn:aws:sns:us-west-2:123456789012:MyTopic";

std::string wiz_payload(const std::string& issue_id, const std::string& status = "OPEN") {
  return json{{"trigger", {{"source", "ISSUE"}, {"type", "Open"}, {"ruleId", "r-1"}}},
              {"issue", {{"id", issue_id}, {"status", status}, {"severity", "HIGH"}}},
              {"resource", {{"id", "arn:aws:s3:::bucket-" + issue_id}}},
              {"note", "body-marker-never-logged"}}
      .dump();
}

class IntakeServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fetcher.serve(sns::testing::kCorpusCertUrl, sns::testing::corpus_cert_pem());
    fetcher.serve(kGeneratedCertUrl, signer.cert_pem());
    options.port = 0;
    options.max_body_bytes = 4096;
    options.read_timeout = 1000ms;
    options.keep_alive_timeout = 1s;
    options.threads = 4;
    options.wiz = WizAuth{kToken, kBasicUser, kBasicPassword};
    for (const char* name : {"notification-sigv1-no-subject", "notification-sigv2-with-subject"}) {
      options.sns_allowed_topic_arns.push_back(
          json::parse(read_file(corpus_dir() + "/http/" + name + ".json"))["TopicArn"].get<std::string>());
    }
    options.sns_allowed_topic_arns.push_back(kGeneratedTopic);
  }

  void start() {
    sns::VerifierOptions verifier_options;
    verifier_options.skip_cert_date_check = true;  // the corpus certificate expired in 2022
    verifier = std::make_unique<sns::SnsVerifier>(fetcher, verifier_options);
    auto created = IntakeServer::create(options, sink, *verifier, registry, [this](std::string_view line) {
      std::lock_guard lock(log_mutex);
      log_lines.emplace_back(line);
    });
    ASSERT_TRUE(created.ok()) << created.error().to_string();
    server = std::move(*created);
    auto bound = server->start();
    ASSERT_TRUE(bound.ok()) << bound.error().to_string();
    port = *bound;
    ASSERT_GT(port, 0);
  }

  void TearDown() override {
    if (server) server->stop();
    std::lock_guard lock(log_mutex);
    for (const std::string& line : log_lines) {
      EXPECT_EQ(line.find(kToken), std::string::npos) << line;
      EXPECT_EQ(line.find(kBasicPassword), std::string::npos) << line;
      EXPECT_EQ(line.find(sns::testing::base64(std::string(kBasicUser) + ":" + kBasicPassword)), std::string::npos);
      EXPECT_EQ(line.find("body-marker-never-logged"), std::string::npos) << line;
      EXPECT_TRUE(json::accept(line)) << line;
    }
  }

  httplib::Client client() {
    httplib::Client c("127.0.0.1", port);
    c.set_keep_alive(true);
    c.set_tcp_nodelay(true);
    c.set_read_timeout(10, 0);
    return c;
  }

  httplib::Result post_wiz(httplib::Client& c, const std::string& body, httplib::Headers headers = {},
                           const char* type = "application/json") {
    if (headers.find("Authorization") == headers.end()) headers.emplace("Authorization", std::string("Bearer ") + kToken);
    return c.Post("/v1/wiz", headers, body, type);
  }

  httplib::Result post_sns(httplib::Client& c, const std::string& body, const std::string& type_header) {
    httplib::Headers headers{{"x-amz-sns-message-type", type_header}};
    return c.Post("/v1/sns", headers, body, "text/plain; charset=UTF-8");
  }

  std::vector<std::string> logs() {
    std::lock_guard lock(log_mutex);
    return log_lines;
  }

  sns::testing::FakeFetcher fetcher;
  sns::testing::TestSigner signer{std::chrono::system_clock::now() - 24h, std::chrono::system_clock::now() + 24h};
  testing::FakeSink sink;
  metrics::Registry registry;
  ServerOptions options;
  std::unique_ptr<sns::SnsVerifier> verifier;
  std::unique_ptr<IntakeServer> server;
  int port = 0;
  std::mutex log_mutex;
  std::vector<std::string> log_lines;
};

TEST_F(IntakeServerTest, BearerTokenAcceptsAndAcknowledgesAfterEnqueue) {
  start();
  auto c = client();
  auto res = post_wiz(c, wiz_payload("i-1"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 202);
  const json body = json::parse(res->body);
  EXPECT_EQ(body, (json{{"queued", true}, {"id", "1"}, {"duplicate", false}}));
  EXPECT_FALSE(res->get_header_value("X-Request-Id").empty());
  ASSERT_EQ(sink.stored(), 1u);
  const auto item = sink.items()[0];
  EXPECT_EQ(item.payload, wiz_payload("i-1"));
  EXPECT_EQ(item.key.rfind("wiz:", 0), 0u);
  EXPECT_EQ(item.meta.source, "wiz");
  EXPECT_EQ(item.meta.request_id, res->get_header_value("X-Request-Id"));
}

TEST_F(IntakeServerTest, DuplicateDeliveryIsAcknowledgedAsDuplicate) {
  start();
  auto c = client();
  ASSERT_EQ(post_wiz(c, wiz_payload("i-1"))->status, 202);
  auto again = post_wiz(c, wiz_payload("i-1"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 202);
  EXPECT_EQ(json::parse(again->body), (json{{"queued", true}, {"id", "1"}, {"duplicate", true}}));
  // A status change is a new event.
  auto resolved = post_wiz(c, wiz_payload("i-1", "RESOLVED"));
  EXPECT_EQ(json::parse(resolved->body)["duplicate"], false);
  EXPECT_EQ(sink.stored(), 2u);
}

TEST_F(IntakeServerTest, IdempotencyKeyHeaderWins) {
  start();
  auto c = client();
  auto first = post_wiz(c, wiz_payload("a"), {{"Idempotency-Key", "delivery-42"}});
  auto second = post_wiz(c, wiz_payload("b"), {{"Idempotency-Key", "delivery-42"}});
  EXPECT_EQ(json::parse(first->body)["duplicate"], false);
  EXPECT_EQ(json::parse(second->body)["duplicate"], true);
  EXPECT_EQ(sink.items().at(0).key, "wiz-key:delivery-42");
  auto bad = post_wiz(c, wiz_payload("c"), {{"Idempotency-Key", std::string(300, 'k')}});
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(sink.stored(), 1u);
}

TEST_F(IntakeServerTest, BasicAuthAccepted) {
  start();
  auto c = client();
  c.set_basic_auth(kBasicUser, kBasicPassword);
  auto res = c.Post("/v1/wiz", wiz_payload("basic"), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 202);
  EXPECT_EQ(sink.stored(), 1u);
}

TEST_F(IntakeServerTest, RefusedCredentialsGet401WithChallengeAndEnqueueNothing) {
  start();
  auto c = client();
  for (const std::string& authorization :
       {std::string("Bearer wrong"), std::string("Bearer ") + kToken + "x", std::string("Basic ") +
        sns::testing::base64(std::string(kBasicUser) + ":wrong"), std::string("Digest abc"), std::string("Bearer")}) {
    SCOPED_TRACE(authorization);
    auto res = post_wiz(c, wiz_payload("x"), {{"Authorization", authorization}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401);
    EXPECT_EQ(json::parse(res->body)["error"], "unauthorized");
    EXPECT_EQ(res->get_header_value_count("WWW-Authenticate"), 2u);
  }
  auto missing = c.Post("/v1/wiz", wiz_payload("x"), "application/json");
  EXPECT_EQ(missing->status, 401);
  EXPECT_EQ(json::parse(missing->body)["reason"], "credentials missing");
  EXPECT_EQ(sink.calls(), 0u);
}

TEST_F(IntakeServerTest, WrongMediaTypeIs415) {
  start();
  auto c = client();
  EXPECT_EQ(post_wiz(c, wiz_payload("x"), {}, "text/plain")->status, 415);
  EXPECT_EQ(post_wiz(c, wiz_payload("x"), {}, "application/x-www-form-urlencoded")->status, 415);
  EXPECT_EQ(post_wiz(c, wiz_payload("x"), {}, "application/json; charset=utf-8")->status, 202);
  EXPECT_EQ(post_wiz(c, wiz_payload("y"), {}, "application/vnd.wiz+json")->status, 202);
  EXPECT_EQ(sink.stored(), 2u);
}

TEST_F(IntakeServerTest, BadJsonIs400WithReason) {
  start();
  auto c = client();
  for (const std::string& body : {std::string("{\"issue\":"), std::string("[1,2,3]"), std::string("\"text\""),
                                  std::string(100, '[') + std::string(100, ']'), std::string("")}) {
    SCOPED_TRACE(body);
    auto res = post_wiz(c, body);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400);
    const json reply = json::parse(res->body);
    EXPECT_EQ(reply["error"], "bad_json");
    EXPECT_FALSE(reply["reason"].get<std::string>().empty());
  }
  EXPECT_EQ(sink.calls(), 0u);
}

TEST_F(IntakeServerTest, OversizedBodyIs413) {
  start();
  auto c = client();
  json big = json::parse(wiz_payload("big"));
  big["padding"] = std::string(options.max_body_bytes, 'p');
  auto res = post_wiz(c, big.dump());
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(json::parse(res->body)["error"], "payload_too_large");
  EXPECT_EQ(sink.calls(), 0u);
  // The server still serves afterwards.
  auto after = client();
  EXPECT_EQ(post_wiz(after, wiz_payload("small"))->status, 202);
}

TEST_F(IntakeServerTest, WrongMethodIs405WithAllow) {
  start();
  auto c = client();
  auto get = c.Get("/v1/wiz");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);
  EXPECT_EQ(get->get_header_value("Allow"), "POST");
  auto del = c.Delete("/v1/sns");
  EXPECT_EQ(del->status, 405);
  auto post_health = c.Post("/healthz", "{}", "application/json");
  EXPECT_EQ(post_health->status, 405);
  EXPECT_EQ(post_health->get_header_value("Allow"), "GET");
  auto put_metrics = c.Put("/metrics", "{}", "application/json");
  EXPECT_EQ(put_metrics->status, 405);
  auto unknown = c.Get("/v1/other");
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(json::parse(unknown->body)["error"], "not_found");
  EXPECT_EQ(sink.calls(), 0u);
}

// Connects, sends the headers and part of the body, then stalls: the server must
// give up on its own within a bounded time (read_timeout is 1 s here).
TEST_F(IntakeServerTest, StalledClientIsDroppedInBoundedTime) {
  start();
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval guard{10, 0};  // the test's own bound: never hang the suite
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof guard);
  const std::string request = std::string("POST /v1/wiz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ") + kToken +
                              "\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"issue\":";
  ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  const auto begin = std::chrono::steady_clock::now();
  std::string received;
  char buffer[1024];
  ssize_t n = 0;
  while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0) received.append(buffer, static_cast<size_t>(n));
  const auto waited = std::chrono::steady_clock::now() - begin;
  ::close(fd);
  EXPECT_EQ(n, 0) << "server closed the connection (not our 10 s guard)";
  EXPECT_LT(waited, 10s);
  EXPECT_EQ(received.find("202"), std::string::npos);
  EXPECT_EQ(sink.calls(), 0u);
}

TEST_F(IntakeServerTest, SnsCorpusNotificationIsVerifiedAndItsMessageQueued) {
  start();
  auto c = client();
  const std::string body = read_file(corpus_dir() + "/http/notification-sigv2-with-subject.json");
  auto res = post_sns(c, body, "Notification");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 202) << res->body;
  EXPECT_EQ(json::parse(res->body)["duplicate"], false);
  ASSERT_EQ(sink.stored(), 1u);
  const auto item = sink.items()[0];
  EXPECT_EQ(item.payload, "Hello world");
  EXPECT_EQ(item.key, "sns:4504e649-d933-5aa9-8199-bd14ccf05f0b");
  EXPECT_EQ(item.meta.source, "sns");
  EXPECT_EQ(item.meta.sns_message_id, "4504e649-d933-5aa9-8199-bd14ccf05f0b");
  // SNS retries deliver the same MessageId.
  auto retry = post_sns(c, body, "Notification");
  EXPECT_EQ(json::parse(retry->body)["duplicate"], true);
  EXPECT_EQ(sink.stored(), 1u);
}

TEST_F(IntakeServerTest, SnsRefusalsEnqueueNothing) {
  start();
  auto c = client();
  const json original = json::parse(read_file(corpus_dir() + "/http/notification-sigv1-no-subject.json"));

  json tampered = original;
  tampered["Message"] = "{\"issue\":{\"id\":\"forged\"}}";
  auto res = post_sns(c, tampered.dump(), "Notification");
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(json::parse(res->body)["error"], "sns.signature_mismatch");

  json evil_host = original;
  evil_host["SigningCertURL"] = "https://sns.us-east-2.amazonaws.com.evil.com/x.pem";
  res = post_sns(c, evil_host.dump(), "Notification");
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(json::parse(res->body)["error"], "sns.cert_url_refused");

  json version3 = original;
  version3["SignatureVersion"] = "3";
  EXPECT_EQ(json::parse(post_sns(c, version3.dump(), "Notification")->body)["error"],
            "sns.unsupported_signature_version");

  const size_t fetches_before = fetcher.count();
  json stranger = original;
  stranger["TopicArn"] = "arn:aws:sns:us-east-2:999999999999:someone-else";
  res = post_sns(c, stranger.dump(), "Notification");
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(json::parse(res->body)["error"], "sns.topic_not_allowed");
  EXPECT_EQ(fetcher.count(), fetches_before) << "a stranger's topic never makes us fetch";

  res = post_sns(c, original.dump(), "SubscriptionConfirmation");
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(json::parse(res->body)["error"], "sns.type_mismatch");

  res = c.Post("/v1/sns", original.dump(), "text/plain");
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(json::parse(res->body)["error"], "sns.missing_message_type");

  res = post_sns(c, "not json", "Notification");
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(json::parse(res->body)["error"], "sns.bad_json");

  res = c.Post("/v1/sns", httplib::Headers{{"x-amz-sns-message-type", "Notification"}}, original.dump(), "text/html");
  EXPECT_EQ(res->status, 415);
  EXPECT_EQ(sink.calls(), 0u);
}

TEST_F(IntakeServerTest, SnsSubscriptionConfirmationIsConfirmedThroughTheFetcher) {
  start();
  auto c = client();
  sns::SnsMessage m = sns::testing::make_confirmation(kGeneratedTopic, kGeneratedCertUrl);
  signer.sign_message(m, "2");
  fetcher.serve(m.subscribe_url, "<ConfirmSubscriptionResponse/>");
  auto res = post_sns(c, sns::testing::to_json(m), "SubscriptionConfirmation");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body), (json{{"confirmed", true}, {"topic_arn", kGeneratedTopic}}));
  EXPECT_EQ(fetcher.requested().back(), m.subscribe_url);

  // A confirmation whose SubscribeURL leaves SNS is refused even when signed.
  sns::SnsMessage evil = sns::testing::make_confirmation(kGeneratedTopic, kGeneratedCertUrl);
  evil.subscribe_url = "https://evil.com/sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription";
  signer.sign_message(evil, "2");
  const size_t before = fetcher.count();
  res = post_sns(c, sns::testing::to_json(evil), "SubscriptionConfirmation");
  EXPECT_EQ(res->status, 403);
  EXPECT_EQ(fetcher.count(), before);

  sns::SnsMessage unsubscribe = sns::testing::make_confirmation(kGeneratedTopic, kGeneratedCertUrl);
  unsubscribe.type = sns::MessageType::unsubscribe_confirmation;
  signer.sign_message(unsubscribe, "1");
  res = post_sns(c, sns::testing::to_json(unsubscribe), "UnsubscribeConfirmation");
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(sink.calls(), 0u);
}

TEST_F(IntakeServerTest, FailingSinkIs503AndNeverAcknowledged) {
  start();
  sink.set_failing(true);
  auto c = client();
  auto res = post_wiz(c, wiz_payload("x"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(res->get_header_value("Retry-After"), "5");
  EXPECT_EQ(json::parse(res->body)["error"], "queue_unavailable");
  EXPECT_EQ(res->body.find("/var/lib"), std::string::npos) << "sink internals are not shown to callers";
  EXPECT_EQ(sink.stored(), 0u);
}

TEST_F(IntakeServerTest, HealthAndReadinessWhileDraining) {
  start();
  auto c = client();
  EXPECT_EQ(c.Get("/healthz")->status, 200);
  EXPECT_EQ(c.Get("/readyz")->status, 200);
  sink.set_healthy(false);
  auto unhealthy = c.Get("/readyz");
  EXPECT_EQ(unhealthy->status, 503);
  EXPECT_EQ(json::parse(unhealthy->body)["reason"], "queue unavailable");
  sink.set_healthy(true);
  server->drain();
  EXPECT_TRUE(server->draining());
  auto draining = c.Get("/readyz");
  EXPECT_EQ(draining->status, 503);
  EXPECT_EQ(json::parse(draining->body), (json{{"ready", false}, {"reason", "draining"}}));
  EXPECT_EQ(c.Get("/healthz")->status, 200);
}

TEST_F(IntakeServerTest, MetricsExposeRequestsEnqueueLatencyAndBodyBytes) {
  start();
  auto c = client();  // one keep-alive connection: each request is logged before the next is read
  const std::string body = wiz_payload("m");
  ASSERT_EQ(post_wiz(c, body)->status, 202);
  ASSERT_EQ(post_wiz(c, body)->status, 202);
  ASSERT_EQ(post_wiz(c, body, {{"Authorization", "Bearer nope"}})->status, 401);
  auto res = c.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = res->body;
  auto has_line = [&](const std::string& line) { return text.find("\n" + line + "\n") != std::string::npos; };
  EXPECT_TRUE(has_line("# TYPE fixgate_http_requests_total counter")) << text;
  EXPECT_TRUE(has_line("fixgate_http_requests_total{route=\"/v1/wiz\",status=\"202\"} 2")) << text;
  EXPECT_TRUE(has_line("fixgate_http_requests_total{route=\"/v1/wiz\",status=\"401\"} 1")) << text;
  EXPECT_TRUE(has_line("fixgate_intake_enqueue_seconds_count{source=\"wiz\"} 2")) << text;
  EXPECT_TRUE(has_line("fixgate_intake_enqueued_total{source=\"wiz\",result=\"duplicate\"} 1")) << text;
  EXPECT_TRUE(has_line("fixgate_intake_enqueued_total{source=\"wiz\",result=\"new\"} 1")) << text;
  EXPECT_TRUE(has_line("fixgate_http_request_body_bytes_count{route=\"/v1/wiz\"} 3")) << text;
  EXPECT_TRUE(has_line("fixgate_http_request_body_bytes_sum{route=\"/v1/wiz\"} " + std::to_string(3 * body.size())))
      << text;
  // An attacker-chosen path is counted as "other", never as a label of its own.
  (void)c.Get("/x\"y");
  EXPECT_NE(c.Get("/metrics")->body.find("route=\"other\",status=\"404\"} 1"), std::string::npos);
}

TEST_F(IntakeServerTest, AccessLogHasOneJsonLinePerRequestWithTheRequestId) {
  start();
  auto c = client();
  auto res = post_wiz(c, wiz_payload("log"), {{"X-Request-Id", "corr-123"}});
  EXPECT_EQ(res->get_header_value("X-Request-Id"), "corr-123");
  auto refused = post_wiz(c, wiz_payload("log"), {{"X-Request-Id", "bad id with spaces"}, {"Authorization", "Bearer no"}});
  const std::string generated = refused->get_header_value("X-Request-Id");
  EXPECT_NE(generated, "bad id with spaces");
  EXPECT_EQ(generated.size(), 24u);
  (void)c.Get("/healthz");  // forces the earlier lines out on this connection
  const auto lines = logs();
  ASSERT_GE(lines.size(), 2u);
  const json first = json::parse(lines[0]);
  EXPECT_EQ(first["request_id"], "corr-123");
  EXPECT_EQ(first["status"], 202);
  EXPECT_EQ(first["route"], "/v1/wiz");
  EXPECT_EQ(first["method"], "POST");
  EXPECT_EQ(first["outcome"], "queued");
  EXPECT_EQ(first["remote"], "127.0.0.1");
  const json second = json::parse(lines[1]);
  EXPECT_EQ(second["request_id"], generated);
  EXPECT_EQ(second["status"], 401);
  EXPECT_EQ(second["outcome"], "unauthorized");
}

TEST_F(IntakeServerTest, StopFinishesInFlightRequests) {
  sink.set_delay(300ms);
  start();
  auto in_flight = std::async(std::launch::async, [this] {
    auto c = client();
    return post_wiz(c, wiz_payload("slow"));
  });
  while (sink.calls() == 0) std::this_thread::sleep_for(1ms);  // the request is inside enqueue()
  server->stop();
  auto res = in_flight.get();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 202);
  EXPECT_EQ(sink.stored(), 1u);
  auto after = client();
  after.set_connection_timeout(1, 0);
  EXPECT_FALSE(after.Get("/healthz")) << "no longer accepting";
}

TEST_F(IntakeServerTest, SecondServerOnOneRegistryIsRefused) {
  start();
  auto second = IntakeServer::create(options, sink, *verifier, registry);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, "metrics.duplicate");
  EXPECT_EQ(server->start().error().code, "server.already_started");
}

TEST(WizIdempotencyKey, CorpusPayloadsAreStableAndDistinct) {
  const std::string dir = std::string(FIXGATE_SHARED_DIR) + "/corpus/wiz/panther-webhook-issues/";
  std::map<std::string, std::string> keys;
  for (const char* name : {"open-alert.json", "resolved-alert.json", "low-severity-open-alert.json"}) {
    const std::string raw = read_file(dir + name);
    ASSERT_FALSE(raw.empty()) << name;
    auto event = read_wiz_event(raw);
    ASSERT_TRUE(event.ok()) << name;
    const std::string key = wiz_idempotency_key(*event, raw);
    EXPECT_EQ(key.rfind("wiz:", 0), 0u);
    EXPECT_EQ(key.size(), 4u + 64u);
    EXPECT_EQ(key, wiz_idempotency_key(*read_wiz_event(raw + " "), raw + " "));  // same event, different bytes
    keys[name] = key;
  }
  // The corpus holds one issue (e3188a71-...) twice while OPEN (only the
  // severity differs: same event by the key's definition) and once Resolved.
  EXPECT_EQ(keys["open-alert.json"], keys["low-severity-open-alert.json"]);
  EXPECT_NE(keys["open-alert.json"], keys["resolved-alert.json"]);
  const WizEvent no_issue = *read_wiz_event("{\"foo\":1}");
  EXPECT_EQ(wiz_idempotency_key(no_issue, "{\"foo\":1}").rfind("wiz-body:", 0), 0u);
  EXPECT_NE(wiz_idempotency_key(no_issue, "{\"foo\":1}"), wiz_idempotency_key(no_issue, "{\"foo\": 1}"));
}

TEST(ReadWizEvent, RefusesWhatIsNotAShallowJsonObject) {
  EXPECT_EQ(read_wiz_event("[1,2]").error().message, "body must be a JSON object");
  EXPECT_EQ(read_wiz_event("{\"a\":").error().code, "bad_json");
  EXPECT_EQ(read_wiz_event(std::string(65, '[') + std::string(65, ']')).error().message,
            "JSON nesting deeper than 64");
  EXPECT_TRUE(read_wiz_event(std::string("{\"a\":") + std::string(60, '[') + std::string(60, ']') + "}").ok());
  auto event = read_wiz_event(R"({"trigger":{"source":"s","ruleId":7},"issue":{"id":"i-1","status":"OPEN"}})");
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->issue_id, "i-1");
  EXPECT_EQ(event->trigger_rule_id, "");  // not a string
  EXPECT_EQ(event->resource_id, "");
}

}  // namespace
}  // namespace fixgate::server
