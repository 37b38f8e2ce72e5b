// `fixgate serve` as a child process for the CLI tests: started with stdout and
// stderr in files, its port read from the first stdout line, stopped by signal.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "service_harness.h"

namespace fixgate::testing {

class ServeProcess {
 public:
  // Starts `fixgate serve --config C --state-dir S --listen 127.0.0.1:0` with the
  // platform identity of the simulator at `endpoint` in its environment.
  ServeProcess(const fs::path& config, const fs::path& state, const std::string& endpoint, const fs::path& logs,
               int run) {
    out_ = logs / ("serve-" + std::to_string(run) + ".out");
    err_ = logs / ("serve-" + std::to_string(run) + ".err");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setenv("AWS_ACCESS_KEY_ID", kPlatformKeyId, 1);
      ::setenv("AWS_SECRET_ACCESS_KEY", kPlatformSecret, 1);
      ::unsetenv("AWS_SESSION_TOKEN");
      ::unsetenv("AWS_PROFILE");
      ::setenv("AWS_REGION", "us-east-1", 1);
      ::setenv("AWS_ENDPOINT_URL", endpoint.c_str(), 1);
      ::setenv("AWS_CONFIG_FILE", "/nonexistent", 1);
      ::setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent", 1);
      ::setenv("FIXGATE_EXTERNAL_ID", "demo-external-id", 1);
      if (!std::freopen(out_.c_str(), "w", stdout) || !std::freopen(err_.c_str(), "w", stderr)) ::_exit(126);
      const std::string binary = FIXGATE_BINARY_DIR "/fixgate";
      const std::string config_arg = config.string();
      const std::string state_arg = state.string();
      ::execl(binary.c_str(), binary.c_str(), "serve", "--config", config_arg.c_str(), "--state-dir",
              state_arg.c_str(), "--listen", "127.0.0.1:0", static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~ServeProcess() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  // The bound port from "listening HOST:PORT", or 0 when it did not come up in time.
  int wait_port(std::chrono::seconds limit = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string text = slurp(out_);
      const size_t line_end = text.find('\n');
      if (line_end != std::string::npos) {
        const size_t colon = text.rfind(':', line_end);
        if (text.rfind("listening ", 0) == 0 && colon != std::string::npos) {
          return std::stoi(text.substr(colon + 1, line_end - colon - 1));
        }
        return 0;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped_ = true;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return 0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return 0;
  }

  void kill_hard() { ::kill(pid_, SIGKILL); }

  // Sends `signal` and waits (bounded) for the exit; the exit code, or -1 when it
  // did not exit normally in time (then it is killed).
  int stop(int signal, std::chrono::seconds limit = std::chrono::seconds(30)) {
    if (reaped_) return exit_code_;
    ::kill(pid_, signal);
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

  // Waits for a process that was SIGKILLed.
  void reap() {
    ::waitpid(pid_, nullptr, 0);
    reaped_ = true;
  }

  std::string stderr_text() const { return slurp(err_); }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int exit_code_ = -1;
  fs::path out_;
  fs::path err_;
};

}  // namespace fixgate::testing
