// `fixgate worker` and `fixgate lambda` as processes, configured only through the
// standard AWS environment: SQS at fauxqs (AWS_ENDPOINT_URL_SQS), the member
// account at the in-process cloud simulator (AWS_ENDPOINT_URL).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "cloudsim/simulator.h"
#include "fauxqs_suite.h"

extern char** environ;

namespace fixgate {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using fixgate::testing::FauxqsPeer;

constexpr const char* kSecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The process's stderr, one JSON object per line (fails the test otherwise).
std::vector<nlohmann::json> log_lines(const fs::path& path) {
  std::vector<nlohmann::json> out;
  std::istringstream lines(slurp(path));
  for (std::string line; std::getline(lines, line);) {
    auto doc = nlohmann::json::parse(line, nullptr, false);
    EXPECT_TRUE(doc.is_object()) << "not a JSON log line: " << line;
    if (!doc.is_object()) continue;
    for (const char* key : {"ts", "level", "component", "correlation_id", "msg"}) {
      EXPECT_TRUE(doc.contains(key) && doc[key].is_string()) << key << " missing: " << line;
    }
    out.push_back(std::move(doc));
  }
  return out;
}

std::vector<nlohmann::json> with_message(const std::vector<nlohmann::json>& lines, const std::string& msg) {
  std::vector<nlohmann::json> out;
  for (const auto& line : lines) {
    if (line.value("msg", std::string()) == msg) out.push_back(line);
  }
  return out;
}

// Runs the fixgate binary with extra environment; stdout and stderr go to files.
class Process {
 public:
  Process(const std::vector<std::string>& args, const std::vector<std::string>& env, const fs::path& out,
          const fs::path& err) {
    std::vector<std::string> envs;
    for (char** e = environ; *e != nullptr; ++e) envs.emplace_back(*e);
    envs.insert(envs.end(), env.begin(), env.end());
    std::vector<char*> envp;
    for (auto& e : envs) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_s = {std::string(FIXGATE_BINARY_DIR) + "/fixgate"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  void signal(int sig) const { ::kill(pid_, sig); }
  // The exit code, or -1 when it did not exit within `limit`.
  int wait(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(50ms);
    }
    return -1;
  }
  bool started() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

class WorkerCli : public fixgate::testing::FauxqsSuite<WorkerCli> {
 protected:
  void SetUp() override {
    FauxqsSuite::SetUp();
    if (peer_missing()) return;
    auto created = cloudsim::Simulator::create_from_file(FIXGATE_SOURCE_DIR "/src/cloudsim/seeds/demo.json");
    ASSERT_TRUE(created.ok()) << created.error().to_string();
    sim_ = std::move(*created);
    ASSERT_TRUE(sim_->start(0).ok());
    sim_->with_world([](cloudsim::World& world) {
      cloudsim::Bucket bucket;
      bucket.name = "acme-customer-exports";
      world.find_account("111111111111")->buckets.push_back(bucket);
    });
    dir_ = fs::temp_directory_path() / ("fixgate-worker-cli-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    sim_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::vector<std::string> aws_env() const {
    return {"AWS_REGION=us-east-1",
            "AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
            std::string("AWS_SECRET_ACCESS_KEY=") + kSecretKey,
            "AWS_CONFIG_FILE=/nonexistent",
            "AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
            "AWS_ENDPOINT_URL=" + sim_->endpoint(),
            "AWS_ENDPOINT_URL_S3_CONTROL=http://localhost:" + std::to_string(sim_->port()),
            "AWS_ENDPOINT_URL_SQS=" + peer_->endpoint(),
            "FIXGATE_EXTERNAL_ID=demo-external-id"};
  }

  std::unique_ptr<cloudsim::Simulator> sim_;
  fs::path dir_;
};

TEST_F(WorkerCli, DrainsTheQueueFixesTheBucketAndStopsOnSigterm) {
  const auto q = peer_->setup("cli-worker", 2, 5);
  ASSERT_FALSE(peer_->publish(q.topic_arn, slurp(FIXGATE_SOURCE_DIR "/examples/findings/wiz-s3-public-bucket-production.json")).empty());
  ASSERT_FALSE(peer_->publish(q.topic_arn, slurp(FIXGATE_SOURCE_DIR "/examples/findings/wiz-unknown-control.json")).empty());
  Process worker({"worker", "--config", FIXGATE_SOURCE_DIR "/examples/fixgate.yaml", "--queue-url", q.queue_url,
                  "--state-dir", (dir_ / "state").string(), "--wait-seconds", "1", "--visibility-timeout", "5",
                  "--concurrency", "2"},
                 aws_env(), dir_ / "out", dir_ / "err");
  ASSERT_TRUE(worker.started());
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto state = peer_->inspect("cli-worker");
    if (state["ready"].empty() && state["inflight"].empty()) break;
    std::this_thread::sleep_for(200ms);
  }
  worker.signal(SIGTERM);
  EXPECT_EQ(worker.wait(20s), 0) << slurp(dir_ / "err");

  std::vector<std::string> outcomes;
  std::map<std::string, std::string> correlation_by_message;
  std::istringstream lines(slurp(dir_ / "out"));
  for (std::string line; std::getline(lines, line);) {
    const auto doc = nlohmann::json::parse(line);
    EXPECT_FALSE(doc["message_id"].get<std::string>().empty());
    EXPECT_EQ(doc["receive_count"], 1);
    outcomes.push_back(doc["decision"]["outcome"]);
    correlation_by_message[doc["message_id"]] = doc["decision"]["correlation_id"];
  }
  std::sort(outcomes.begin(), outcomes.end());
  EXPECT_EQ(outcomes, (std::vector<std::string>{"reject", "remediate"})) << slurp(dir_ / "err");
  bool blocked = false;
  sim_->with_world([&](cloudsim::World& world) {
    const auto* bucket = world.find_bucket("acme-customer-exports");
    blocked = bucket && bucket->public_access_block && bucket->public_access_block->block_public_acls;
  });
  EXPECT_TRUE(blocked);
  EXPECT_TRUE(fs::exists(dir_ / "state" / "audit.db"));

  // stderr: JSON log lines; each finding's line carries its correlation id.
  const auto log = log_lines(dir_ / "err");
  const auto decided = with_message(log, "finding decided");
  ASSERT_EQ(decided.size(), 2u) << slurp(dir_ / "err");
  for (const auto& line : decided) {
    EXPECT_EQ(line["component"], "worker");
    EXPECT_EQ(line["correlation_id"], correlation_by_message[line.value("message_id", std::string())])
        << line.dump();
    EXPECT_TRUE(line.contains("outcome") && line.contains("audit_seq")) << line.dump();
  }
  const auto stopped = with_message(log, "stopped");
  ASSERT_EQ(stopped.size(), 1u) << slurp(dir_ / "err");
  EXPECT_EQ(stopped[0]["deleted"], 2);
  EXPECT_EQ(stopped[0]["received"], 2);
  // --log-level info: no debug lines; the platform's secret key never appears.
  for (const auto& line : log) EXPECT_NE(line["level"], "debug");
  EXPECT_EQ(slurp(dir_ / "err").find(kSecretKey), std::string::npos);
  EXPECT_EQ(slurp(dir_ / "out").find(kSecretKey), std::string::npos);
}

// --log-level must be a level (any case); an access key id pasted into the
// queue URL is replaced wherever a line would carry it.
TEST_F(WorkerCli, LogLevelIsCheckedAndKeyIdsNeverReachTheLog) {
  Process bad_level({"worker", "--config", FIXGATE_SOURCE_DIR "/examples/fixgate.yaml", "--queue-url",
                     "http://127.0.0.1:9/q", "--log-level", "verbose"},
                    aws_env(), dir_ / "out", dir_ / "err");
  EXPECT_EQ(bad_level.wait(30s), 2);
  EXPECT_NE(slurp(dir_ / "err").find("--log-level"), std::string::npos) << slurp(dir_ / "err");

  const std::string key_id = "AKIAIOSFODNN7EXAMPLE";
  Process leaky({"worker", "--config", FIXGATE_SOURCE_DIR "/examples/fixgate.yaml", "--queue-url",
                 peer_->endpoint() + "/000000000000/no-such-queue-" + key_id, "--state-dir",
                 (dir_ / "state").string(), "--wait-seconds", "0", "--log-level", "Info"},
                aws_env(), dir_ / "out2", dir_ / "err2");
  EXPECT_EQ(leaky.wait(30s), 1) << slurp(dir_ / "err2");
  const auto polling = with_message(log_lines(dir_ / "err2"), "polling");
  ASSERT_EQ(polling.size(), 1u) << slurp(dir_ / "err2");
  EXPECT_NE(polling[0].value("queue_url", std::string()).find("no-such-queue-[REDACTED]"), std::string::npos)
      << polling[0].dump();
  EXPECT_EQ(slurp(dir_ / "err2").find(key_id), std::string::npos) << slurp(dir_ / "err2");
}

TEST_F(WorkerCli, MissingQueueStopsWithExit1AndBadConfigExits2) {
  Process missing({"worker", "--config", FIXGATE_SOURCE_DIR "/examples/fixgate.yaml", "--queue-url",
                   peer_->endpoint() + "/000000000000/no-such-queue", "--state-dir", (dir_ / "state").string(),
                   "--wait-seconds", "0"},
                  aws_env(), dir_ / "out", dir_ / "err");
  EXPECT_EQ(missing.wait(30s), 1) << slurp(dir_ / "err");
  const auto fatal = with_message(log_lines(dir_ / "err"), "stopped on a receive error retrying cannot fix");
  ASSERT_EQ(fatal.size(), 1u) << slurp(dir_ / "err");
  EXPECT_EQ(fatal[0]["level"], "error");
  EXPECT_NE(fatal[0].value("error", std::string()).find("NonExistentQueue"), std::string::npos) << fatal[0].dump();

  Process bad({"worker", "--config", "/nonexistent/fixgate.yaml", "--queue-url", "http://127.0.0.1:9/q"}, aws_env(),
              dir_ / "out2", dir_ / "err2");
  EXPECT_EQ(bad.wait(30s), 2);
  const auto refused = with_message(log_lines(dir_ / "err2"), "cannot start: the engine did not open");
  ASSERT_EQ(refused.size(), 1u) << slurp(dir_ / "err2");
  EXPECT_NE(refused[0].value("error", std::string()).find("/nonexistent/fixgate.yaml"), std::string::npos);
}

// `fixgate lambda` with a configuration that does not load: the runtime posts
// an init error to the Runtime API and exits 2.
TEST_F(WorkerCli, LambdaPostsAnInitErrorForABadConfig) {
  httplib::Server api;
  std::string init_error_type;
  std::string init_error_body;
  std::mutex mutex;
  api.Post("/2018-06-01/runtime/init/error", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    init_error_type = req.get_header_value("Lambda-Runtime-Function-Error-Type");
    init_error_body = req.body;
    res.status = 202;
  });
  const int port = api.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { api.listen_after_bind(); });
  Process lambda({"lambda", "--config", "/nonexistent/fixgate.yaml", "--state-dir", (dir_ / "tmp").string()},
                 {"AWS_LAMBDA_RUNTIME_API=127.0.0.1:" + std::to_string(port)}, dir_ / "out", dir_ / "err");
  EXPECT_EQ(lambda.wait(30s), 2) << slurp(dir_ / "err");
  api.stop();
  serving.join();
  std::lock_guard lock(mutex);
  EXPECT_EQ(init_error_type, "fixgate.ConfigError");
  EXPECT_NE(init_error_body.find("/nonexistent/fixgate.yaml"), std::string::npos) << init_error_body;
  const auto refused =
      with_message(log_lines(dir_ / "err"), "cannot start: the engine did not open; posting an init error");
  ASSERT_EQ(refused.size(), 1u) << slurp(dir_ / "err");
  EXPECT_EQ(refused[0]["component"], "lambda");
  EXPECT_NE(refused[0].value("error", std::string()).find("/nonexistent/fixgate.yaml"), std::string::npos);
}

}  // namespace
}  // namespace fixgate
