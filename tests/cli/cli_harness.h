// Running the fixgate binary from CLI tests: a command line with its exit code
// and stdout, and `fixgate cloudsim` as a background process on an ephemeral
// loopback port (stopped with SIGTERM when the handle goes away).
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <string>

namespace fixgate::cli_test {

struct CommandRun {
  int exit_code = -1;
  std::string out;
};

// Runs a shell command line; stdout is captured, stderr is appended to it when
// `with_stderr` (so error texts can be asserted).
inline CommandRun run(const std::string& command, bool with_stderr = false) {
  CommandRun result;
  FILE* pipe = popen((command + (with_stderr ? " 2>&1" : "")).c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.out.append(buffer.data(), n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline std::string fixgate() { return std::string(FIXGATE_BINARY_DIR) + "/fixgate"; }

// `fixgate cloudsim --port 0 --seed <seed>` in the background; port() is 0
// when it did not start.
class BackgroundSimulator {
 public:
  explicit BackgroundSimulator(const std::string& seed) {
    int fds[2];
    if (pipe(fds) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    const std::string binary = fixgate();
    char* argv[] = {const_cast<char*>(binary.c_str()), const_cast<char*>("cloudsim"), const_cast<char*>("--port"),
                    const_cast<char*>("0"), const_cast<char*>("--seed"), const_cast<char*>(seed.c_str()), nullptr};
    const int spawned = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (spawned != 0) {
      pid_ = 0;
      close(fds[0]);
      return;
    }
    // First line: "listening 127.0.0.1:PORT".
    std::string line;
    char c = 0;
    while (line.size() < 200 && read(fds[0], &c, 1) == 1 && c != '\n') line += c;
    close(fds[0]);
    const size_t colon = line.rfind(':');
    if (line.rfind("listening ", 0) == 0 && colon != std::string::npos) port_ = std::atoi(line.c_str() + colon + 1);
  }
  ~BackgroundSimulator() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }
  BackgroundSimulator(const BackgroundSimulator&) = delete;
  BackgroundSimulator& operator=(const BackgroundSimulator&) = delete;

  int port() const { return port_; }

 private:
  pid_t pid_ = 0;
  int port_ = 0;
};

}  // namespace fixgate::cli_test
