#include "fauxqs_peer.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

extern char** environ;

namespace fixgate::testing {

namespace {

const std::string kPeerDir = std::string(FIXGATE_SOURCE_DIR) + "/tests/peers/fauxqs";

}  // namespace

std::optional<std::string> FauxqsPeer::unavailable() {
  if (!std::filesystem::exists(kPeerDir + "/node_modules/fauxqs/package.json")) {
    return "tests/peers/fauxqs/node_modules is absent: run tests/peers/setup.sh (npm ci) first";
  }
  if (std::system("node --version >/dev/null 2>&1") != 0) return "node is not installed";
  return std::nullopt;
}

FauxqsPeer::FauxqsPeer() {
  int in[2];
  int out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
    error_ = "pipe failed";
    return;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  // The SDK's Node version notice and any crash report go to a file, not the test log.
  const std::string err_path = std::string(FIXGATE_BINARY_DIR) + "/fauxqs-harness-" + std::to_string(::getpid()) + ".stderr";
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const std::string script = kPeerDir + "/harness.mjs";
  char* argv[] = {const_cast<char*>("node"), const_cast<char*>(script.c_str()), nullptr};
  const int rc = posix_spawnp(&pid_, "node", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  to_child_ = in[1];
  from_child_ = out[0];
  if (rc != 0) {
    pid_ = -1;
    error_ = "cannot start node";
    return;
  }
  const std::string first = read_line();
  try {
    endpoint_ = nlohmann::json::parse(first).at("endpoint").get<std::string>();
  } catch (const std::exception&) {
    error_ = "harness did not start (stderr in " + err_path + "): '" + first + "'";
  }
}

FauxqsPeer::~FauxqsPeer() {
  if (to_child_ >= 0) ::close(to_child_);
  if (pid_ > 0) {
    // Closing stdin stops the harness; give it 5 s, then kill it.
    for (int i = 0; i < 100; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      ::usleep(50 * 1000);
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  if (from_child_ >= 0) ::close(from_child_);
}

std::string FauxqsPeer::read_line() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (true) {
    const auto nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return {};
    pollfd p{from_child_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return {};
    char chunk[4096];
    const ssize_t n = ::read(from_child_, chunk, sizeof chunk);
    if (n <= 0) return {};
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

nlohmann::json FauxqsPeer::command(const nlohmann::json& cmd) {
  const std::string line = cmd.dump() + "\n";
  if (::write(to_child_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    return {{"error", "write to harness failed"}};
  }
  const std::string reply = read_line();
  try {
    return nlohmann::json::parse(reply);
  } catch (const std::exception&) {
    return {{"error", "no reply from harness: '" + reply + "'"}};
  }
}

FauxqsQueue FauxqsPeer::setup(const std::string& name, int max_receive_count, int visibility_timeout_s) {
  const auto r = command({{"op", "setup"}, {"name", name}, {"maxReceiveCount", max_receive_count},
                          {"visibilityTimeout", visibility_timeout_s}});
  FauxqsQueue q;
  q.queue_url = r.value("queueUrl", "");
  q.queue_arn = r.value("queueArn", "");
  q.dlq_url = r.value("dlqUrl", "");
  q.topic_arn = r.value("topicArn", "");
  return q;
}

std::string FauxqsPeer::publish(const std::string& topic_arn, const std::string& message) {
  return command({{"op", "publish"}, {"topicArn", topic_arn}, {"message", message}}).value("messageId", "");
}

std::string FauxqsPeer::send(const std::string& queue_url, const std::string& message) {
  return command({{"op", "send"}, {"queueUrl", queue_url}, {"message", message}}).value("messageId", "");
}

nlohmann::json FauxqsPeer::inspect(const std::string& name) { return command({{"op", "inspect"}, {"name", name}}); }

}  // namespace fixgate::testing
