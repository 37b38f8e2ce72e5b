// Everything the AWS client reads from its surroundings — environment variables,
// files, the clock, sleeping — goes through these interfaces, so tests replace them
// and run hermetically and instantly.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace fixgate::aws {

class Environment {
 public:
  virtual ~Environment() = default;
  // The variable's value; nullopt when unset. An empty value counts as set.
  virtual std::optional<std::string> get(std::string_view name) const = 0;
  // The whole file; aws.file.unreadable naming the path when it cannot be read.
  virtual Result<std::string> read_file(const std::string& path) const = 0;
};

// The process environment and the real filesystem.
std::shared_ptr<Environment> system_environment();

// In-memory environment for tests and embedding: variables and files from maps.
class MapEnvironment final : public Environment {
 public:
  std::map<std::string, std::string> variables;
  std::map<std::string, std::string> files;  // path → content

  std::optional<std::string> get(std::string_view name) const override;
  Result<std::string> read_file(const std::string& path) const override;
};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point now() const = 0;
  virtual void sleep(std::chrono::milliseconds duration) = 0;
};

// Wall clock and a real sleep.
std::shared_ptr<Clock> system_clock();

// A clock that moves only when told to; sleep() advances it and records the request.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::chrono::system_clock::time_point start) : now_(start) {}
  std::chrono::system_clock::time_point now() const override { return now_; }
  void sleep(std::chrono::milliseconds duration) override {
    sleeps.push_back(duration);
    now_ += duration;
  }
  void advance(std::chrono::system_clock::duration d) { now_ += d; }
  std::vector<std::chrono::milliseconds> sleeps;

 private:
  std::chrono::system_clock::time_point now_;
};

}  // namespace fixgate::aws
