// `fixgate exceptions` as a user runs it: add (approved / pending), the checks
// that refuse a bad request with exit 2 and the field's name, approve, revoke,
// list (expired config waivers shown as expired), every change on the audit log
// and the registry feeding `fixgate decide`.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <sstream>

#include "cli_harness.h"

namespace fixgate::cli_test {
namespace {

namespace fs = std::filesystem;

class ExceptionsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("fixgate-exceptions-cli-" + std::to_string(::getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  CommandRun fg(const std::string& args) {
    return run("FIXGATE_EXTERNAL_ID=x FIXGATE_STATE_DIR='" + dir.string() + "' " + fixgate() + " " + args, true);
  }

  std::map<std::string, nlohmann::json> listed(const std::string& extra = "") {
    const CommandRun r = fg("exceptions list --json " + extra);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    std::map<std::string, nlohmann::json> out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
      const auto j = nlohmann::json::parse(line);
      out[j["id"].get<std::string>()] = j;
    }
    return out;
  }

  static constexpr const char* kAdd =
      "exceptions add --id WVR-2001 --control wc-sg-ssh-open "
      "--resource arn:aws:ec2:us-east-1:111111111111:security-group/sg-0a1b2c3d4e5f60718 "
      "--expires 2099-12-31 --reason 'web tier migration' --requested-by alice";
  fs::path dir;
};

TEST_F(ExceptionsCli, AddApprovedThenRevokeAllAudited) {
  const CommandRun added = fg(std::string(kAdd) + " --approver bob");
  ASSERT_EQ(added.exit_code, 0) << added.out;
  EXPECT_NE(added.out.find("added WVR-2001 (approved)"), std::string::npos) << added.out;
  auto rows = listed();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows["WVR-2001"]["status"], "approved");
  EXPECT_EQ(rows["WVR-2001"]["approver"], "bob");
  EXPECT_EQ(rows["WVR-2001"]["created_by"], "alice");

  const CommandRun revoked = fg("exceptions revoke WVR-2001 --by carol --reason 'migration done'");
  ASSERT_EQ(revoked.exit_code, 0) << revoked.out;
  EXPECT_EQ(listed()["WVR-2001"]["effective_status"], "revoked");
  EXPECT_EQ(fg("exceptions revoke WVR-2001 --by carol --reason again").exit_code, 2);
  EXPECT_EQ(fg("exceptions revoke WVR-7777 --by carol --reason x").exit_code, 1);

  const CommandRun exported = fg("audit export --db '" + (dir / "audit.db").string() + "' --format jsonl");
  ASSERT_EQ(exported.exit_code, 0) << exported.out;
  std::vector<std::string> events;
  std::istringstream in(exported.out);
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.value("kind", "") == "exception") {
      const auto body = j["body"].is_string() ? nlohmann::json::parse(j["body"].get<std::string>()) : j["body"];
      events.push_back(body["event"]);
    }
  }
  EXPECT_EQ(events, (std::vector<std::string>{"added", "revoked"})) << exported.out;
  const CommandRun verified = fg("audit verify --db '" + (dir / "audit.db").string() + "'");
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
}

TEST_F(ExceptionsCli, PendingUntilSomeoneElseApproves) {
  ASSERT_EQ(fg(kAdd).exit_code, 0);
  EXPECT_EQ(listed()["WVR-2001"]["status"], "pending");
  const CommandRun self = fg("exceptions approve WVR-2001 --approver alice");
  EXPECT_EQ(self.exit_code, 2);
  EXPECT_NE(self.out.find("self_approval"), std::string::npos) << self.out;
  ASSERT_EQ(fg("exceptions approve WVR-2001 --approver bob").exit_code, 0);
  EXPECT_EQ(listed()["WVR-2001"]["status"], "approved");
}

TEST_F(ExceptionsCli, BadRequestsExit2NamingTheFieldAndStoreNothing) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {std::string(kAdd) + " --approver alice", "approver"},
      {"exceptions add --id wvr-1 --control c --expires 2099-01-01 --reason r --requested-by a", "id"},
      {"exceptions add --id WVR-1 --expires 2099-01-01 --reason r --requested-by a", "scope"},
      {"exceptions add --id WVR-1 --account 12345 --expires 2099-01-01 --reason r --requested-by a", "accounts[0]"},
      {"exceptions add --id WVR-1 --control c --expires 2099-02-30 --reason r --requested-by a", "expires"},
      {"exceptions add --id WVR-1 --control c --expires 2020-01-01 --reason r --requested-by a", "expires"},
      {"exceptions add --id WVR-1 --tag novalue --expires 2099-01-01 --reason r --requested-by a", "tags"},
      {"exceptions add --id WVR-0999 --control c --expires 2099-01-01 --reason r --requested-by a --approver b "
       "--config " FIXGATE_SOURCE_DIR "/examples/fixgate.yaml",
       "configuration"},
  };
  for (const auto& [args, field] : cases) {
    const CommandRun r = fg(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.out;
    EXPECT_NE(r.out.find(field), std::string::npos) << args << "\n" << r.out;
  }
  EXPECT_TRUE(listed().empty());
  EXPECT_EQ(fg("exceptions add --id WVR-1").exit_code, 2);  // usage: required options missing
}

TEST_F(ExceptionsCli, ListWithConfigShowsExpiredWaiversAsExpired) {
  ASSERT_EQ(fg(std::string(kAdd) + " --approver bob").exit_code, 0);
  auto rows = listed("--config " FIXGATE_SOURCE_DIR "/examples/fixgate.yaml");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows["WVR-0999"]["origin"], "config");
  EXPECT_EQ(rows["WVR-0999"]["status"], "approved");
  EXPECT_EQ(rows["WVR-0999"]["effective_status"], "expired");
  EXPECT_EQ(rows["WVR-1042"]["effective_status"], "approved");
  EXPECT_EQ(rows["WVR-1100"]["effective_status"], "pending");
  EXPECT_EQ(rows["WVR-2001"]["origin"], "registry");

  const CommandRun table = fg("exceptions list --config " FIXGATE_SOURCE_DIR "/examples/fixgate.yaml");
  ASSERT_EQ(table.exit_code, 0);
  const size_t row = table.out.find("WVR-0999");
  ASSERT_NE(row, std::string::npos) << table.out;
  EXPECT_NE(table.out.substr(row, table.out.find('\n', row) - row).find("expired"), std::string::npos) << table.out;
}

TEST_F(ExceptionsCli, RegistryWaiverFeedsDecide) {
  const std::string decide = "decide --json --config " FIXGATE_SOURCE_DIR
                             "/examples/fixgate.yaml " FIXGATE_SOURCE_DIR "/examples/findings/wiz-sg-ssh-open-production.json";
  CommandRun before = fg(decide);
  ASSERT_EQ(before.exit_code, 0) << before.out;
  EXPECT_EQ(nlohmann::json::parse(before.out)["outcome"], "approval_required") << before.out;

  ASSERT_EQ(fg(std::string(kAdd) + " --approver bob").exit_code, 0);
  CommandRun after = fg(decide);
  ASSERT_EQ(after.exit_code, 0) << after.out;
  const auto j = nlohmann::json::parse(after.out);
  EXPECT_EQ(j["outcome"], "skip");
  EXPECT_EQ(j["reason"], "exception_waiver");
  EXPECT_EQ(j["exception"], "WVR-2001");
  // Every owner candidate is in the decision.
  ASSERT_TRUE(j.contains("owner_candidates")) << after.out;
  EXPECT_FALSE(j["owner_candidates"].empty());
}

}  // namespace
}  // namespace fixgate::cli_test
