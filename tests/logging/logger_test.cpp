#include "logging/logger.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>
#include <vector>

namespace fixgate::logging {
namespace {

using nlohmann::json;

struct Captured {
  std::mutex mutex;
  std::vector<std::string> lines;
  Writer writer() {
    return [this](std::string_view line) {
      std::lock_guard lock(mutex);
      lines.emplace_back(line);
    };
  }
};

TEST(Logger, EveryLineIsOneJsonObjectWithTheRequiredFields) {
  Captured out;
  Logger logger("service", out.writer(), nullptr, "run-abc");
  logger.log(Level::warn, "fg-123", "retrying", {{"attempt", 2}});
  logger.info("started");
  ASSERT_EQ(out.lines.size(), 2u);
  const json first = json::parse(out.lines[0]);
  EXPECT_EQ(first["level"], "warn");
  EXPECT_EQ(first["component"], "service");
  EXPECT_EQ(first["correlation_id"], "fg-123");
  EXPECT_EQ(first["msg"], "retrying");
  EXPECT_EQ(first["attempt"], 2);
  EXPECT_TRUE(first["ts"].is_string());
  // A line about no finding carries the run id.
  EXPECT_EQ(json::parse(out.lines[1])["correlation_id"], "run-abc");
}

TEST(Logger, FieldsCannotOverrideTheEnvelope) {
  Captured out;
  Logger logger("server", out.writer(), nullptr, "run-1");
  logger.log(Level::info, "fg-1", "m", {{"level", "debug"}, {"correlation_id", "forged"}, {"x", 1}});
  const json line = json::parse(out.lines.at(0));
  EXPECT_EQ(line["level"], "info");
  EXPECT_EQ(line["correlation_id"], "fg-1");
  EXPECT_EQ(line["x"], 1);
}

TEST(Logger, BelowTheMinimumLevelNothingIsWritten) {
  Captured out;
  Logger logger("c", out.writer(), nullptr, "run-1", Level::warn);
  logger.info("hidden");
  logger.error("shown");
  ASSERT_EQ(out.lines.size(), 1u);
  EXPECT_EQ(json::parse(out.lines[0])["msg"], "shown");
}

TEST(Logger, ChildSharesRedactorAndRunId) {
  Captured out;
  auto redactor = std::make_shared<Redactor>();
  Logger root("root", out.writer(), redactor, "run-9");
  Logger child = root.child("worker");
  redactor->add_secret("platform-secret-value");
  child.info("leaked?", {{"detail", "platform-secret-value"}});
  const json line = json::parse(out.lines.at(0));
  EXPECT_EQ(line["component"], "worker");
  EXPECT_EQ(line["correlation_id"], "run-9");
  EXPECT_EQ(line["detail"], "[REDACTED]");
}

TEST(Logger, HostileMessageTextStaysOneEscapedLineWithoutSecrets) {
  Captured out;
  Logger logger("c", out.writer(), nullptr, "run-1");
  logger.info("title\n\x1b[31mfake\r\n{\"level\":\"error\"} AKIAIOSFODNN7EXAMPLE Bearer sk-live-123456");
  ASSERT_EQ(out.lines.size(), 1u);
  EXPECT_EQ(out.lines[0].find('\n'), std::string::npos);
  EXPECT_EQ(out.lines[0].find('\x1b'), std::string::npos);
  EXPECT_EQ(out.lines[0].find("AKIAIOSFODNN7EXAMPLE"), std::string::npos);
  EXPECT_EQ(out.lines[0].find("sk-live-123456"), std::string::npos);
  EXPECT_EQ(json::parse(out.lines[0])["level"], "info");
}

TEST(Logger, ConcurrentLinesNeverInterleave) {
  Captured out;
  Logger logger("c", out.writer(), nullptr, "run-1");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&logger, t] {
      for (int i = 0; i < 200; ++i) logger.info("line", {{"t", t}, {"i", i}});
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(out.lines.size(), 800u);
  for (const auto& line : out.lines) EXPECT_TRUE(json::accept(line)) << line;
}

TEST(Level, ParsesTheUsualSpellings) {
  EXPECT_EQ(level_from_string("WARNING"), Level::warn);
  EXPECT_EQ(level_from_string("debug"), Level::debug);
  EXPECT_FALSE(level_from_string("loud").has_value());
}

}  // namespace
}  // namespace fixgate::logging
