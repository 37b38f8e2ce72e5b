// The approvals REST API over loopback: 401 without a token, with a wrong one
// or another scheme; the token names the approver, so the requester's own token
// cannot approve (403); status codes for unknown, expired and already decided
// requests; the `approvals:` config section that feeds it.
#include <gtest/gtest.h>

#include <httplib.h>

#include <filesystem>

#include "approvals/rest.h"
#include "approvals/settings.h"
#include "audit/memory_audit_log.h"

namespace fixgate::approvals {
namespace {

using namespace std::chrono;

constexpr const char* kAliceToken = "alice-token-0123456789abcdef";
constexpr const char* kBobToken = "bob-token-0123456789abcdefgh";

class RestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() /
          ("fixgate-approvals-rest-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    store = std::move(ApprovalStore::open((dir / "approvals.db").string()).value());
    ServiceOptions options;
    options.ttl = hours(1);
    options.clock = [this] { return now; };
    options.requested_by = "alice";
    service = std::make_unique<ApprovalService>(
        *store, audit,
        [this](const actions::RunRequest& request) {
          runs.push_back(request);
          actions::RunReport report;
          report.status = request.dry_run ? actions::RunStatus::dry_run : actions::RunStatus::succeeded;
          report.reason = request.dry_run ? "would revoke" : "changed and verified";
          report.plan = {actions::ApiCall{"ec2", "RevokeSecurityGroupIngress", nlohmann::json::object()}};
          return report;
        },
        options);
    ApiOptions api;
    api.tokens = {{"alice", kAliceToken}, {"bob", kBobToken}};
    httpd::Router router;
    ASSERT_TRUE(mount_approvals_api(router, *service, api).ok());
    httpd::ServerOptions server_options;
    server_options.port = 0;
    server = httpd::Server::create(server_options, std::move(router), {});
    auto bound = server->start();
    ASSERT_TRUE(bound.ok()) << bound.error().to_string();
    port = *bound;
  }
  void TearDown() override {
    if (server) server->stop();
    std::filesystem::remove_all(dir);
  }

  std::string new_request() {
    Finding f;
    f.id = "finding-" + std::to_string(++counter);
    f.resource_arn = "arn:aws:ec2:us-east-1:111111111111:security-group/sg-0bastion0000000000";
    f.resource_type = "AWS::EC2::SecurityGroup";
    f.account = "111111111111";
    Decision d;
    d.outcome = Outcome::approval_required;
    d.action = "aws.ec2.revoke_public_ingress";
    d.correlation_id = correlation_id_for(f);
    d.reasons = {{"environment_requires_approval", "production needs approval"}};
    return service->request_for_decision(f, d)->request->id;
  }

  httplib::Result call(const std::string& method, const std::string& path, const char* token,
                       const std::string& body = "") {
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(5);
    client.set_read_timeout(10);
    httplib::Headers headers;
    if (token != nullptr) headers.emplace("Authorization", std::string("Bearer ") + token);
    if (method == "GET") return client.Get(path.c_str(), headers);
    return client.Post(path.c_str(), headers, body, "application/json");
  }

  std::filesystem::path dir;
  audit::MemoryAuditLog audit;
  std::unique_ptr<ApprovalStore> store;
  std::unique_ptr<ApprovalService> service;
  std::vector<actions::RunRequest> runs;
  std::unique_ptr<httpd::Server> server;
  int port = 0;
  int counter = 0;
  system_clock::time_point now = system_clock::now();
};

TEST_F(RestTest, EveryRouteNeedsAValidBearerToken) {
  const std::string id = new_request();
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"GET", "/api/v1/approvals"},
      {"GET", "/api/v1/approvals/" + id},
      {"POST", "/api/v1/approvals/" + id + "/approve"},
      {"POST", "/api/v1/approvals/" + id + "/deny"},
  };
  for (const auto& [method, path] : routes) {
    auto missing = call(method, path, nullptr);
    ASSERT_TRUE(missing) << path;
    EXPECT_EQ(missing->status, 401) << method << " " << path;
    EXPECT_NE(missing->get_header_value("WWW-Authenticate").find("Bearer"), std::string::npos);
    auto wrong = call(method, path, "not-the-token-0123456789abcdef");
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 401) << method << " " << path;
    // A prefix of a real token is as wrong as any other string.
    auto prefix = call(method, path, std::string(kBobToken).substr(0, 10).c_str());
    EXPECT_EQ(prefix->status, 401);
  }
  httplib::Client client("127.0.0.1", port);
  auto basic = client.Get("/api/v1/approvals", {{"Authorization", std::string("Basic ") + kBobToken}});
  EXPECT_EQ(basic->status, 401);
  EXPECT_EQ(service->get(id)->status, Status::pending);
  EXPECT_EQ(runs.size(), 1u);  // only the dry run for the plan
}

TEST_F(RestTest, ListAndShow) {
  const std::string id = new_request();
  auto list = call("GET", "/api/v1/approvals?status=pending", kBobToken);
  ASSERT_EQ(list->status, 200);
  const auto listed = nlohmann::json::parse(list->body);
  ASSERT_EQ(listed["approvals"].size(), 1u);
  EXPECT_EQ(listed["approvals"][0]["id"], id);
  EXPECT_EQ(listed["approvals"][0]["plan"][0]["operation"], "RevokeSecurityGroupIngress");
  EXPECT_EQ(call("GET", "/api/v1/approvals?status=bogus", kBobToken)->status, 400);
  auto shown = call("GET", "/api/v1/approvals/" + id, kBobToken);
  ASSERT_EQ(shown->status, 200);
  EXPECT_EQ(nlohmann::json::parse(shown->body)["status"], "pending");
  EXPECT_EQ(call("GET", "/api/v1/approvals/apr-00000000000000ff", kBobToken)->status, 404);
}

TEST_F(RestTest, TheTokenNamesTheApproverSoTheRequesterCannotApprove) {
  const std::string id = new_request();
  // The body cannot claim another identity.
  auto self = call("POST", "/api/v1/approvals/" + id + "/approve", kAliceToken, R"({"approver":"bob"})");
  ASSERT_TRUE(self);
  EXPECT_EQ(self->status, 403);
  EXPECT_EQ(nlohmann::json::parse(self->body)["error"]["code"], "approvals.self_approval");

  auto approved = call("POST", "/api/v1/approvals/" + id + "/approve", kBobToken, R"({"note":"CHG-7"})");
  ASSERT_EQ(approved->status, 200) << approved->body;
  const auto body = nlohmann::json::parse(approved->body);
  EXPECT_EQ(body["status"], "approved");
  EXPECT_EQ(body["decided_by"], "bob");
  EXPECT_EQ(body["result"]["status"], "succeeded");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_TRUE(runs[1].approved);
  EXPECT_FALSE(runs[1].dry_run);
  EXPECT_EQ(call("POST", "/api/v1/approvals/" + id + "/approve", kBobToken)->status, 409);
}

TEST_F(RestTest, DenyNeedsAReasonAndBadBodiesAre400) {
  const std::string id = new_request();
  EXPECT_EQ(call("POST", "/api/v1/approvals/" + id + "/deny", kBobToken, "{}")->status, 400);
  EXPECT_EQ(call("POST", "/api/v1/approvals/" + id + "/deny", kBobToken, "[1]")->status, 400);
  EXPECT_EQ(call("POST", "/api/v1/approvals/" + id + "/deny", kBobToken, R"({"reason": 5})")->status, 400);
  auto denied = call("POST", "/api/v1/approvals/" + id + "/deny", kBobToken, R"({"reason":"not now"})");
  ASSERT_EQ(denied->status, 200) << denied->body;
  EXPECT_EQ(nlohmann::json::parse(denied->body)["note"], "not now");
  EXPECT_EQ(runs.size(), 1u);
}

TEST_F(RestTest, ExpiredIs410) {
  const std::string id = new_request();
  now += hours(2);
  auto late = call("POST", "/api/v1/approvals/" + id + "/approve", kBobToken);
  EXPECT_EQ(late->status, 410);
  EXPECT_EQ(nlohmann::json::parse(late->body)["error"]["code"], "approvals.expired");
  EXPECT_EQ(runs.size(), 1u);
}

TEST(RestMount, RefusesToMountWithoutTokens) {
  httpd::Router router;
  audit::MemoryAuditLog audit;
  auto dir = std::filesystem::temp_directory_path() / ("fixgate-approvals-mount-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto store = ApprovalStore::open((dir / "a.db").string()).value();
  ApprovalService service(*store, audit, [](const actions::RunRequest&) { return actions::RunReport{}; });
  auto mounted = mount_approvals_api(router, service, ApiOptions{});
  ASSERT_FALSE(mounted.ok());
  EXPECT_EQ(mounted.error().code, "approvals.no_tokens");
  std::filesystem::remove_all(dir);
}

Config config_with(const std::string& approvals_yaml) {
  auto loaded = load_config_text("version: 1\n" + approvals_yaml, "test.yaml");
  EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.error().to_string());
  return loaded.ok() ? *loaded : Config{};
}

TEST(Settings, ReadsTtlRequesterAndTokensFromTheEnvironment) {
  const Config config = config_with(
      "approvals:\n  ttl: 90m\n  requested_by: fixgate-prod\n"
      "  api_tokens:\n    alice: \"${ALICE_TOKEN}\"\n    bob: literal-token-0123456789\n");
  const EnvLookup env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "ALICE_TOKEN") return std::string("from-env-0123456789abcdef");
    return std::nullopt;
  };
  auto settings = settings_from_config(config, env);
  ASSERT_TRUE(settings.ok()) << settings.error().to_string();
  EXPECT_EQ(settings->service.ttl, minutes(90));
  EXPECT_EQ(settings->service.requested_by, "fixgate-prod");
  EXPECT_EQ(settings->api.tokens.at("alice"), "from-env-0123456789abcdef");
  EXPECT_EQ(settings->api.tokens.at("bob"), "literal-token-0123456789");
}

TEST(Settings, DefaultsWithoutTheSection) {
  auto settings = settings_from_config(config_with(""));
  ASSERT_TRUE(settings.ok());
  EXPECT_EQ(settings->service.ttl, hours(24));
  EXPECT_TRUE(settings->api.tokens.empty());
}

TEST(Settings, ErrorsNameTheKeyAndNeverTheSecret) {
  const EnvLookup none = [](std::string_view) { return std::optional<std::string>(); };
  struct Case {
    std::string yaml;
    std::string code;
    std::string text;
  };
  const std::vector<Case> cases = {
      {"approvals:\n  ttl: 3 weeks\n", "config.invalid_approvals", "approvals.ttl"},
      {"approvals:\n  ttl: 0h\n", "config.invalid_approvals", "approvals.ttl"},
      {"approvals:\n  tll: 1h\n", "config.invalid_approvals", "approvals.tll: unknown key"},
      {"approvals:\n  api_tokens:\n    bob: short\n", "config.invalid_approvals", "approvals.api_tokens.bob"},
      {"approvals:\n  api_tokens:\n    bob: \"${BOB_TOKEN}\"\n", "config.env_missing", "BOB_TOKEN"},
      {"approvals:\n  api_tokens: [a, b]\n", "config.invalid_approvals", "approvals.api_tokens"},
  };
  for (const auto& c : cases) {
    auto settings = settings_from_config(config_with(c.yaml), none);
    ASSERT_FALSE(settings.ok()) << c.yaml;
    EXPECT_EQ(settings.error().code, c.code) << c.yaml;
    EXPECT_NE(settings.error().message.find(c.text), std::string::npos) << settings.error().message;
    EXPECT_EQ(settings.error().message.find("short"), std::string::npos) << settings.error().message;
  }
}

TEST(Settings, Durations) {
  EXPECT_EQ(parse_duration("30s"), seconds(30));
  EXPECT_EQ(parse_duration("7d"), hours(24 * 7));
  EXPECT_FALSE(parse_duration("h"));
  EXPECT_FALSE(parse_duration("-1h"));
  EXPECT_FALSE(parse_duration("1w"));
  EXPECT_FALSE(parse_duration("1.5h"));
}

}  // namespace
}  // namespace fixgate::approvals
