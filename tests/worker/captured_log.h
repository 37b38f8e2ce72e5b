// A logging::Logger whose JSON lines are kept in memory, parsed, so tests can
// check each line's fields (and that none carries a secret) rather than grep text.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "logging/logger.h"

namespace fixgate::testing {

class CapturedLog {
 public:
  // A logger under `component` writing here; `secrets` are registered with its
  // redaction guard as the commands register the environment's credentials.
  logging::Logger logger(std::string component, const std::vector<std::string>& secrets = {}) {
    auto redactor = std::make_shared<logging::Redactor>();
    for (const auto& secret : secrets) redactor->add_secret(secret);
    return logging::Logger(
        std::move(component), [this](std::string_view line) { add(line); }, std::move(redactor), "run-test",
        logging::Level::debug);
  }

  // Every line so far, each parsed (a line that is not a JSON object fails the test).
  std::vector<nlohmann::json> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }
  // The lines whose "msg" is `message`.
  std::vector<nlohmann::json> with_message(std::string_view message) const {
    std::vector<nlohmann::json> out;
    for (const auto& line : lines()) {
      if (line.value("msg", std::string()) == message) out.push_back(line);
    }
    return out;
  }
  std::string text() const {
    std::lock_guard lock(mutex_);
    return raw_;
  }

 private:
  void add(std::string_view line) {
    auto doc = nlohmann::json::parse(line, nullptr, false);
    EXPECT_TRUE(doc.is_object()) << "not a JSON line: " << line;
    std::lock_guard lock(mutex_);
    raw_.append(line).push_back('\n');
    if (doc.is_object()) lines_.push_back(std::move(doc));
  }

  mutable std::mutex mutex_;
  std::vector<nlohmann::json> lines_;
  std::string raw_;
};

// The five fields every fixgate log line has.
inline void expect_log_shape(const nlohmann::json& line, const std::string& component) {
  for (const char* key : {"ts", "level", "component", "correlation_id", "msg"}) {
    EXPECT_TRUE(line.contains(key) && line[key].is_string() && !line[key].get<std::string>().empty())
        << key << " missing in " << line.dump();
  }
  EXPECT_EQ(line.value("component", std::string()), component) << line.dump();
}

}  // namespace fixgate::testing
