// The fixture the engine tests share (tests/engine, and pgaudit_engine_test
// over PostgreSQL): the in-process cloud simulator on loopback, an Engine over
// the reference configuration with a state dir and an audit store of the
// test's choosing, and the bundled example findings to feed it.
#pragma once

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "aws/credentials.h"
#include "aws/http.h"
#include "cloudsim/simulator.h"
#include "core/result.h"
#include "engine/engine.h"

namespace fixgate::testing {

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// examples/findings/<name>: one bundled finding payload.
inline std::string example_finding(const std::string& name) {
  return slurp(std::filesystem::path(FIXGATE_SOURCE_DIR) / "examples/findings" / name);
}

// Every bundled finding file, in name order.
inline std::vector<std::filesystem::path> example_findings() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(FIXGATE_SOURCE_DIR "/examples/findings")) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// A simulator seeded from src/cloudsim/seeds/<seed> on an ephemeral loopback
// port, and fixgate's own AWS configuration that reaches it. The key is the
// SigV4 test-suite example key, not a real credential.
struct SimulatedCloud {
  std::unique_ptr<cloudsim::Simulator> sim;
  aws::ClientConfig platform;
};

inline Result<SimulatedCloud> start_cloud(const std::string& seed) {
  std::string seed_path = FIXGATE_SOURCE_DIR "/src/cloudsim/seeds/";
  auto created = cloudsim::Simulator::create_from_file(seed_path.append(seed));
  if (!created.ok()) return created.error();
  SimulatedCloud cloud;
  cloud.sim = std::move(created).value();
  if (auto started = cloud.sim->start(0); !started.ok()) return started.error();
  cloud.platform.region = "us-east-1";
  cloud.platform.endpoint_url = cloud.sim->endpoint();
  std::string s3_control = "http://localhost:";
  cloud.platform.endpoint_urls["S3 Control"] = s3_control.append(std::to_string(cloud.sim->port()));
  cloud.platform.transport = aws::make_curl_transport();
  cloud.platform.credentials = std::make_shared<aws::StaticCredentialsProvider>(
      aws::Credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", std::nullopt, "test"});
  return cloud;
}

// The member role's external id in examples/fixgate.yaml, which names it
// through $FIXGATE_EXTERNAL_ID.
inline constexpr const char* kExternalId = "demo-external-id";

struct EngineSetup {
  std::filesystem::path state_dir;  // created when missing
  std::string audit_db;             // "": the state dir's SQLite log
  std::string actor = "fixgate";
};

// An Engine over examples/fixgate.yaml acting in `cloud`.
inline Result<std::unique_ptr<engine::Engine>> open_engine(const SimulatedCloud& cloud, const EngineSetup& setup) {
  ::setenv("FIXGATE_EXTERNAL_ID", kExternalId, 1);
  std::error_code error;
  std::filesystem::create_directories(setup.state_dir, error);
  if (error) return make_error("test.state_dir", setup.state_dir.string().append(": ").append(error.message()));
  engine::EngineOptions options;
  options.config_path = FIXGATE_SOURCE_DIR "/examples/fixgate.yaml";
  options.state_dir = setup.state_dir.string();
  options.audit_db = setup.audit_db;
  options.platform = cloud.platform;
  options.actor = setup.actor;
  return engine::Engine::open(std::move(options));
}

// Hands each file's payload to `engine` in order: every outcome, or the first
// failure with its file named.
inline Result<std::vector<engine::FindingOutcome>> feed(engine::Engine& engine,
                                                        const std::vector<std::filesystem::path>& files) {
  std::vector<engine::FindingOutcome> all;
  for (const auto& file : files) {
    auto outcomes = engine.handle_payload(slurp(file));
    if (!outcomes.ok()) {
      return make_error(outcomes.error().code, file.string().append(": ").append(outcomes.error().message));
    }
    for (auto& outcome : *outcomes) all.push_back(std::move(outcome));
  }
  return all;
}

}  // namespace fixgate::testing
