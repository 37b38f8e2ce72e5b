// `fixgate notify test|deliver|list|retry` as the binary, against a loopback
// receiver like the notify tests' (tests/aws/loopback_server.h) playing a signed
// webhook and Jira: exit codes, escaping of text a receiver or a finding
// controls, and no secret (env-held token, webhook key, Slack URL) ever printed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "../aws/loopback_server.h"
#include "cli_harness.h"

namespace fixgate {
namespace {

namespace fs = std::filesystem;
using aws::testing_support::LoopbackServer;
using aws::testing_support::Recorded;
using cli_test::fixgate;
using cli_test::run;

constexpr const char* kHookSecret = "hmac-SECRET-hook-key";
constexpr const char* kJiraToken = "jira-t0ken-SECRET";
constexpr const char* kSlackToken = "XXXXSECRETXXXX";
const std::string kFinding = FIXGATE_SOURCE_DIR "/examples/findings/wiz-s3-public-no-owner.json";  // notify

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Terminal control characters that would let text rewrite the operator's screen.
bool has_control_bytes(const std::string& text) {
  for (const char c : text) {
    if (c == '\x1b' || c == '\x07' || c == '\r' || c == '\x08') return true;
  }
  return false;
}

class NotifyCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fixgate-notify-cli-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "state");
    config_ = (dir_ / "fixgate.yaml").string();
    std::ofstream(config_) << slurp(FIXGATE_SHARED_DIR "/examples/fixgate.yaml") << R"yaml(
notifications:
  delivery: {max_attempts: 2, initial_backoff_ms: 1, max_backoff_ms: 1, timeout_ms: 5000}
  channels:
    hook: {type: webhook, url: ")yaml" << receiver_.url() << R"yaml(/hook", secret_env: HOOK_SECRET}
    slack: {type: slack, url_env: SLACK_URL}
    jira: {type: jira, base_url: ")yaml" << receiver_.url() << R"yaml(/jira", project: SEC,
           auth: {email_env: JIRA_EMAIL, token_env: JIRA_TOKEN}}
  routes:
    - outcomes: [notify]
      channels: [hook]
)yaml";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // `fixgate <args>` with the channel secrets and the state dir in its
  // environment; stdout and stderr together, so both are checked for secrets.
  cli_test::CommandRun fixgate_with(const std::string& args) {
    const std::string env = "env -u FIXGATE_AUDIT_URL FIXGATE_STATE_DIR=" + (dir_ / "state").string() +
                            " HOOK_SECRET=" + kHookSecret + " JIRA_EMAIL=bot@acme.example JIRA_TOKEN=" + kJiraToken +
                            " SLACK_URL=" + receiver_.url() + "/services/T0/B0/" + kSlackToken +
                            " AWS_REGION=us-east-1 AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent ";
    auto result = run(env + fixgate() + " " + args, true);
    for (const char* secret : {kHookSecret, kJiraToken, kSlackToken}) {
      EXPECT_EQ(result.out.find(secret), std::string::npos) << "secret printed by `" << args << "`: " << result.out;
    }
    return result;
  }

  std::vector<Recorded> requests_to(const std::string& path) const {
    std::vector<Recorded> out;
    for (auto& r : receiver_.requests()) {
      if (r.request.path == path) out.push_back(r);
    }
    return out;
  }

  std::vector<nlohmann::json> outbox(const std::string& state) {
    const auto listed = fixgate_with("notify list --config " + config_ + " --json --state " + state);
    EXPECT_EQ(listed.exit_code, 0) << listed.out;
    std::vector<nlohmann::json> rows;
    std::istringstream lines(listed.out);
    for (std::string line; std::getline(lines, line);) rows.push_back(nlohmann::json::parse(line));
    return rows;
  }

  std::atomic<int> hook_status_{200};
  std::string hook_reply_ = "{}";  // guarded by reply_mutex_
  std::string jira_key_ = "SEC-1";  // guarded by reply_mutex_
  std::mutex reply_mutex_;
  LoopbackServer receiver_{[this](const Recorded& r, httplib::Response& res) {
    std::lock_guard lock(reply_mutex_);
    if (r.request.path == "/jira/rest/api/3/issue") {
      res.status = 201;
      res.set_content(nlohmann::json{{"id", "10001"}, {"key", jira_key_}}.dump(), "application/json");
    } else if (r.request.path == "/hook") {
      res.status = hook_status_.load();
      res.set_content(hook_reply_, "application/json");
    } else {
      res.status = 404;
    }
  }};
  fs::path dir_;
  std::string config_;
};

TEST_F(NotifyCli, TestSendsOnOneChannelNowAndEscapesTheReceiversReference) {
  {
    std::lock_guard lock(reply_mutex_);
    jira_key_ = "SEC-7\x1b]0;owned\x07\x1b[2J";  // a hostile receiver's issue key
  }
  const auto sent = fixgate_with("notify test --config " + config_ + " --channel jira " + kFinding);
  EXPECT_EQ(sent.exit_code, 0) << sent.out;
  EXPECT_NE(sent.out.find("sent on jira: HTTP 201, reference SEC-7"), std::string::npos) << sent.out;
  EXPECT_FALSE(has_control_bytes(sent.out)) << sent.out;
  const auto jira = requests_to("/jira/rest/api/3/issue");
  ASSERT_EQ(jira.size(), 1u);
  // The receiver got the configured credentials; the terminal never saw them (checked in fixgate_with).
  const std::string* auth = jira[0].request.header("Authorization");
  ASSERT_NE(auth, nullptr);
  EXPECT_EQ(auth->rfind("Basic ", 0), 0u);
  // `test` bypasses the outbox.
  EXPECT_TRUE(outbox("pending").empty());
  EXPECT_TRUE(outbox("sent").empty());

  const auto hooked = fixgate_with("notify test --config " + config_ + " --channel hook " + kFinding);
  EXPECT_EQ(hooked.exit_code, 0) << hooked.out;
  const auto hook = requests_to("/hook");
  ASSERT_EQ(hook.size(), 1u);
  const std::string* signature = hook[0].request.header("X-Fixgate-Signature");
  ASSERT_NE(signature, nullptr);
  EXPECT_EQ(signature->rfind("sha256=", 0), 0u);
}

TEST_F(NotifyCli, ExitCodesSayWhatWentWrong) {
  // Refused by the receiver: 1, with its status.
  hook_status_ = 404;
  const auto refused = fixgate_with("notify test --config " + config_ + " --channel hook " + kFinding);
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_NE(refused.out.find("not delivered on hook: HTTP 404"), std::string::npos) << refused.out;

  // A channel that is not configured (the name is shown escaped): 2.
  const auto unknown =
      fixgate_with("notify test --config " + config_ + " --channel \"$(printf 'pag\\033[2Jer')\" " + kFinding);
  EXPECT_EQ(unknown.exit_code, 2) << unknown.out;
  EXPECT_NE(unknown.out.find("no channel named"), std::string::npos) << unknown.out;
  EXPECT_FALSE(has_control_bytes(unknown.out)) << unknown.out;

  // A configuration without notifications, or none at all: 2.
  const auto plain = fixgate_with("notify deliver --config " FIXGATE_SHARED_DIR "/examples/fixgate.yaml");
  EXPECT_EQ(plain.exit_code, 2) << plain.out;
  EXPECT_NE(plain.out.find("has no notifications section"), std::string::npos) << plain.out;
  EXPECT_EQ(fixgate_with("notify list --config " + (dir_ / "missing.yaml").string()).exit_code, 2);
  // Usage: a state that does not exist, a retry without an id.
  EXPECT_EQ(fixgate_with("notify list --config " + config_ + " --state lost").exit_code, 2);
  EXPECT_EQ(fixgate_with("notify retry --config " + config_).exit_code, 2);
  // A missing finding file: 1.
  EXPECT_EQ(fixgate_with("notify test --config " + config_ + " --channel hook " + (dir_ / "none.json").string())
                .exit_code,
            1);
}

// process queues the finding's notification; a receiver that refuses it
// permanently leaves it failed; list shows it (the receiver's reply escaped);
// retry re-arms it; deliver sends it.
TEST_F(NotifyCli, FailedNotificationIsListedRetriedAndDelivered) {
  hook_status_ = 400;
  {
    std::lock_guard lock(reply_mutex_);
    hook_reply_ = "\x1b[31mrejected\x1b[0m\r\x1b[2K<script>";
  }
  const auto processed = fixgate_with("process --config " + config_ + " " + kFinding);
  ASSERT_EQ(processed.exit_code, 0) << processed.out;
  // Whatever the process's background delivery got to, deliver attempts the rest.
  const auto first = fixgate_with("notify deliver --config " + config_);
  EXPECT_EQ(first.exit_code, 0) << first.out;

  const auto failed = outbox("failed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0]["channel"], "hook");
  EXPECT_EQ(failed[0]["outcome"], "notify");
  EXPECT_EQ(failed[0]["last_status"], 400);
  EXPECT_EQ(failed[0]["attempts"], 1);  // a 4xx is not retried
  const auto plain = fixgate_with("notify list --config " + config_);
  EXPECT_EQ(plain.exit_code, 0);
  EXPECT_NE(plain.out.find("failed"), std::string::npos) << plain.out;
  EXPECT_NE(plain.out.find("rejected"), std::string::npos) << plain.out;
  EXPECT_FALSE(has_control_bytes(plain.out)) << plain.out;

  const std::string id = std::to_string(failed[0]["id"].get<long long>());
  hook_status_ = 200;
  const auto rearmed = fixgate_with("notify retry --config " + config_ + " " + id);
  EXPECT_EQ(rearmed.exit_code, 0) << rearmed.out;
  EXPECT_NE(rearmed.out.find("notification " + id + " re-armed"), std::string::npos) << rearmed.out;
  // Only a failed notification can be re-armed.
  const auto again = fixgate_with("notify retry --config " + config_ + " " + id);
  EXPECT_EQ(again.exit_code, 1) << again.out;
  EXPECT_NE(again.out.find("no failed notification with id " + id), std::string::npos) << again.out;
  EXPECT_EQ(fixgate_with("notify retry --config " + config_ + " 999999").exit_code, 1);

  const auto delivered = fixgate_with("notify deliver --config " + config_);
  EXPECT_EQ(delivered.exit_code, 0) << delivered.out;
  EXPECT_NE(delivered.out.find("sent 1, retrying later 0, failed 0"), std::string::npos) << delivered.out;
  EXPECT_TRUE(outbox("failed").empty());
  ASSERT_EQ(outbox("sent").size(), 1u);
  EXPECT_EQ(requests_to("/hook").size(), 2u);
  // Nothing is due any more.
  EXPECT_NE(fixgate_with("notify deliver --config " + config_).out.find("sent 0, retrying later 0, failed 0"),
            std::string::npos);
}

}  // namespace
}  // namespace fixgate
