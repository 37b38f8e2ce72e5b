// Shared by the notify tests: the reference configuration with a notifications
// section appended, and the bundled example findings decided under it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "config/config.h"
#include "decision/decision.h"
#include "intake/intake.h"

namespace fixgate::notify::testing {

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The reference configuration (shared/examples/fixgate.yaml) plus `notifications`
// (a YAML block starting with "notifications:").
inline Config reference_config_with(const std::string& notifications) {
  const std::string text = read_text(FIXGATE_SHARED_DIR "/examples/fixgate.yaml") + "\n" + notifications;
  auto config = load_config_text(text, "fixgate.yaml");
  if (!config) ADD_FAILURE() << config.error().to_string();
  return config.value();
}

inline std::chrono::system_clock::time_point test_now() {
  return std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} + std::chrono::hours(12);
}

struct Decided {
  Finding finding;
  Decision decision;
};

// Parses examples/findings/<file> (its first finding) and decides it with the
// owners from the ownership tags, as the demo does.
inline Decided decide_example(const std::string& file, const Config& config) {
  auto findings = intake::parse_payload(read_text(FIXGATE_SOURCE_DIR "/examples/findings/" + file));
  EXPECT_FALSE(findings.empty()) << file;
  Decided out{findings.front(), {}};
  out.decision = decide(out.finding, enrich_from_config(out.finding, config, test_now()), config);
  return out;
}

}  // namespace fixgate::notify::testing
