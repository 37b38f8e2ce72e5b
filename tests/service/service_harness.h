// Shared by the service and serve CLI tests: a temporary state directory, the
// reference configuration plus the sections a test needs, the demo world in the
// in-process cloud simulator, and Wiz payloads made from the bundled examples.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/http.h"
#include "cloudsim/simulator.h"

namespace fixgate::testing {

namespace fs = std::filesystem;

inline constexpr const char* kWizToken = "test-wiz-token-0123456789abcdef";
inline constexpr const char* kPlatformKeyId = "AKIDEXAMPLE";
inline constexpr const char* kPlatformSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

inline std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline std::string example(const std::string& name) {
  return slurp(fs::path(FIXGATE_SOURCE_DIR) / "examples/findings" / name);
}

// A fresh directory named after the running test.
inline fs::path fresh_dir(const std::string& prefix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path dir = fs::temp_directory_path() /
                 (prefix + "-" + std::to_string(::getpid()) + "-" + info->test_suite_name() + "-" + info->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// The reference configuration followed by `extra` (YAML top-level sections).
// Rate limits are raised so load tests measure the pipeline, not the limiter.
inline fs::path write_config(const fs::path& dir, const std::string& extra) {
  std::string text = slurp(fs::path(FIXGATE_SOURCE_DIR) / "examples/fixgate.yaml");
  text += "\nserver:\n  wiz:\n    bearer_token: \"" + std::string(kWizToken) + "\"\n  max_body_bytes: 65536\n";
  text += "guardrails:\n  rate_limits: {per_account_per_minute: 100000, global_per_minute: 100000}\n";
  text += extra;
  const fs::path path = dir / "fixgate.yaml";
  std::ofstream(path) << text;
  return path;
}

inline std::unique_ptr<cloudsim::Simulator> start_demo_world() {
  auto sim = cloudsim::Simulator::create_from_file(FIXGATE_SOURCE_DIR "/src/cloudsim/seeds/demo-findings.json");
  if (!sim.ok()) {
    ADD_FAILURE() << sim.error().to_string();
    return nullptr;
  }
  if (auto port = (*sim)->start(0); !port.ok()) {
    ADD_FAILURE() << port.error().to_string();
    return nullptr;
  }
  return std::move(*sim);
}

inline aws::ClientConfig simulator_platform(const cloudsim::Simulator& sim) {
  aws::ClientConfig platform;
  platform.region = "us-east-1";
  platform.endpoint_url = sim.endpoint();
  platform.transport = aws::make_curl_transport();
  platform.credentials = std::make_shared<aws::StaticCredentialsProvider>(
      aws::Credentials{kPlatformKeyId, kPlatformSecret, "", std::nullopt, "test"});
  return platform;
}

// A Wiz webhook payload from a bundled example with its issue id replaced (and,
// when given, its bucket), so a test can send many distinct findings.
inline std::string wiz_variant(const std::string& example_name, const std::string& issue_id,
                               const std::string& bucket = "") {
  nlohmann::json payload = nlohmann::json::parse(example(example_name));
  payload["issue"]["id"] = issue_id;
  if (!bucket.empty()) {
    payload["resource"]["id"] = "arn:aws:s3:::" + bucket;
    payload["resource"]["name"] = bucket;
  }
  return payload.dump();
}

inline bool bucket_blocked(cloudsim::Simulator& sim, const std::string& name) {
  bool blocked = false;
  sim.with_world([&](cloudsim::World& world) {
    const auto* bucket = world.find_bucket(name);
    blocked = bucket != nullptr && bucket->public_access_block && bucket->public_access_block->block_public_acls &&
              bucket->public_access_block->restrict_public_buckets;
  });
  return blocked;
}

}  // namespace fixgate::testing
