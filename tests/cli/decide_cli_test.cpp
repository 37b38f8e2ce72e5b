// `fixgate decide` as a user runs it: exit codes, JSON lines, the audit record.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct CommandRun {
  int exit_code = -1;
  std::string out;
};

// Runs a shell command line and captures stdout (stderr goes to the test log).
CommandRun run(const std::string& command) {
  CommandRun result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.out.append(buffer.data(), n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class DecideCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fixgate-cli-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string fixgate() const { return std::string(FIXGATE_BINARY_DIR) + "/fixgate"; }
  std::string db() const { return (dir_ / "audit.db").string(); }
  fs::path dir_;
};

TEST_F(DecideCli, EmbeddedConfigIsTheReferenceConfigUnchanged) {
  EXPECT_EQ(slurp(FIXGATE_SOURCE_DIR "/examples/fixgate.yaml"), slurp(FIXGATE_SHARED_DIR "/examples/fixgate.yaml"));
}

TEST_F(DecideCli, JsonLinesCarryEveryDocumentedFieldAndAuditChainVerifies) {
  const std::string examples = std::string(FIXGATE_SOURCE_DIR) + "/examples/findings";
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(examples)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path().string());
  }
  ASSERT_GE(files.size(), 15u);
  std::string command = "FIXGATE_EXTERNAL_ID=x " + fixgate() + " decide --json --config " FIXGATE_SHARED_DIR
                        "/examples/fixgate.yaml --audit-db " + db();
  for (const auto& f : files) command += " '" + f + "'";
  const CommandRun result = run(command);
  ASSERT_EQ(result.exit_code, 0) << result.out;

  std::map<std::string, int> outcomes;
  size_t lines = 0;
  std::istringstream in(result.out);
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    ++lines;
    for (const char* key : {"finding_id", "outcome", "reasons", "catalog_entry", "action", "environment", "owner",
                            "exception", "correlation_id"}) {
      EXPECT_TRUE(j.contains(key)) << key << " missing in " << line;
    }
    ASSERT_TRUE(j["reasons"].is_array());
    ASSERT_FALSE(j["reasons"].empty());
    EXPECT_TRUE(j["reasons"][0].contains("code"));
    EXPECT_TRUE(j["reasons"][0].contains("detail"));
    EXPECT_GT(j.value("audit_seq", 0), 0);
    ++outcomes[j["outcome"].get<std::string>()];
  }
  EXPECT_GE(lines, files.size());
  for (const char* outcome : {"remediate", "approval_required", "notify", "skip", "reject"}) {
    EXPECT_GT(outcomes[outcome], 0) << "no example produced " << outcome;
  }

  const CommandRun verify = run(fixgate() + " audit verify --db " + db());
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  EXPECT_NE(verify.out.find("ok"), std::string::npos) << verify.out;
}

TEST_F(DecideCli, ReadableTableEscapesAttackerControlledText) {
  const fs::path payload = dir_ / "evil.json";
  std::ofstream(payload) << R"({"trigger":{"source":"ISSUE","type":"Open"},
    "issue":{"id":"iss-\u001b[31mred","status":"OPEN","severity":"HIGH"},
    "resource":{"id":"arn:aws:s3:::b","name":"b","type":"BUCKET","cloudPlatform":"AWS","subscriptionId":"111111111111",
                "region":"us-east-1","tags":{"owner":"\u001b]0;pwned\u0007"}},
    "control":{"id":"wc-s3-public-bucket","severity":"HIGH"}})";
  const CommandRun result = run(fixgate() + " decide --config " FIXGATE_SHARED_DIR "/examples/fixgate.yaml --audit-db " +
                         db() + " " + payload.string());
  ASSERT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out.find('\x1b'), std::string::npos) << "raw escape sequence reached the terminal";
  EXPECT_NE(result.out.find("\\x1b"), std::string::npos);
}

TEST_F(DecideCli, BadConfigExitsTwoNamingFileLineAndKey) {
  const fs::path config = dir_ / "bad.yaml";
  std::ofstream(config) << "version: 1\nmode: enforce\ncatalog:\n  - id: x\n    controls: [a]\n"
                           "    resource_types: [\"AWS::S3::Bucket\"]\n    action: aws.s3.block_public_access\n"
                           "    min_severity: SEVERE\n";
  const CommandRun result = run(fixgate() + " decide --config " + config.string() + " --audit-db " + db() + " " +
                         FIXGATE_SOURCE_DIR "/examples/findings/wiz-s3-resolved.json 2>&1");
  EXPECT_EQ(result.exit_code, 2) << result.out;
  EXPECT_NE(result.out.find("bad.yaml:8"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("min_severity"), std::string::npos) << result.out;
}

TEST_F(DecideCli, UsageErrorsExitTwo) {
  EXPECT_EQ(run(fixgate() + " decide 2>/dev/null").exit_code, 2);
  EXPECT_EQ(run(fixgate() + " decide --config " FIXGATE_SHARED_DIR "/examples/fixgate.yaml /nonexistent.json 2>/dev/null")
                .exit_code,
            2);
}

TEST_F(DecideCli, MalformedInputIsRejectedWithANamedFieldNotDropped) {
  const fs::path payload = dir_ / "truncated.json";
  std::ofstream(payload) << R"({"trigger":{"source":"ISSUE"},"issue":{"id":"iss-9","sta)";
  const CommandRun result = run(fixgate() + " decide --json --config " FIXGATE_SHARED_DIR "/examples/fixgate.yaml --audit-db " +
                         db() + " " + payload.string());
  ASSERT_EQ(result.exit_code, 0);
  const auto j = nlohmann::json::parse(result.out.substr(0, result.out.find('\n')));
  EXPECT_EQ(j["outcome"], "reject");
  EXPECT_EQ(j["reasons"][0]["code"], "malformed_payload");
  EXPECT_FALSE(j["reasons"][0]["detail"].get<std::string>().empty());
}

}  // namespace
