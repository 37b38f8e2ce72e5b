// `fixgate process` + `fixgate approvals` end to end against `fixgate cloudsim`
// (a background process on an ephemeral loopback port): an approval_required
// decision becomes a pending request with the dry-run plan and changes
// nothing; the requester cannot approve it; another person's approval runs the
// action after a fresh precheck; deny needs a reason; the audit chain verifies.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>

#include "cli_harness.h"

namespace fixgate::cli_test {
namespace {

namespace fs = std::filesystem;

class ApprovalsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("fixgate-approvals-cli-" + std::to_string(::getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    sim = std::make_unique<BackgroundSimulator>(FIXGATE_SOURCE_DIR "/src/cloudsim/seeds/demo.json");
    ASSERT_GT(sim->port(), 0) << "fixgate cloudsim did not start";
  }
  void TearDown() override {
    sim.reset();
    fs::remove_all(dir);
  }

  CommandRun fg(const std::string& args) {
    const std::string env = "FIXGATE_EXTERNAL_ID=demo-external-id FIXGATE_STATE_DIR='" + dir.string() +
                            "' AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=AKIDEXAMPLE "
                            "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY AWS_SESSION_TOKEN= "
                            "AWS_PROFILE= AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null "
                            "AWS_ENDPOINT_URL=http://127.0.0.1:" + std::to_string(sim->port()) + " ";
    return run(env + fixgate() + " " + args, true);
  }

  // Processes the bastion finding (approval_required in production) and returns its JSON line.
  nlohmann::json process_bastion() {
    const CommandRun r = fg("process --config " FIXGATE_SOURCE_DIR "/examples/fixgate.yaml " FIXGATE_SOURCE_DIR
                            "/examples/findings/wiz-sg-bastion-expired-waiver.json");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
      const auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_object() && j.contains("decision")) return j;
    }
    ADD_FAILURE() << "no JSON line in: " << r.out;
    return nlohmann::json::object();
  }

  std::string config() const { return " --config " FIXGATE_SOURCE_DIR "/examples/fixgate.yaml"; }

  std::unique_ptr<BackgroundSimulator> sim;
  fs::path dir;
};

TEST_F(ApprovalsCli, ProcessAsksThenAnotherPersonApprovesAndTheActionRuns) {
  const nlohmann::json line = process_bastion();
  ASSERT_EQ(line["decision"]["outcome"], "approval_required") << line.dump();
  ASSERT_TRUE(line.contains("approval")) << line.dump();
  const nlohmann::json& request = line["approval"];
  ASSERT_TRUE(request.contains("id")) << line.dump();
  const std::string id = request["id"];
  EXPECT_EQ(request["status"], "pending");
  EXPECT_EQ(request["requested_by"], "fixgate");
  EXPECT_NE(request["plan"].dump().find("RevokeSecurityGroupIngress"), std::string::npos) << request.dump();

  // The same finding again finds the pending request.
  const nlohmann::json again = process_bastion();
  EXPECT_EQ(again["approval"]["id"], id);
  EXPECT_TRUE(again["approval"]["reused"].get<bool>());

  const CommandRun listed = fg("approvals list --status pending --json");
  ASSERT_EQ(listed.exit_code, 0) << listed.out;
  EXPECT_NE(listed.out.find(id), std::string::npos);
  const CommandRun shown = fg("approvals show " + id);
  ASSERT_EQ(shown.exit_code, 0) << shown.out;
  EXPECT_NE(shown.out.find("RevokeSecurityGroupIngress"), std::string::npos) << shown.out;

  const CommandRun self = fg("approvals approve " + id + " --approver fixgate" + config());
  EXPECT_EQ(self.exit_code, 1) << self.out;
  EXPECT_NE(self.out.find("self_approval"), std::string::npos) << self.out;

  const CommandRun approved = fg("approvals approve " + id + " --approver bob --note CHG-1" + config() + " --json");
  ASSERT_EQ(approved.exit_code, 0) << approved.out;
  const auto result = nlohmann::json::parse(approved.out.substr(approved.out.find('{')));
  EXPECT_EQ(result["status"], "approved");
  EXPECT_EQ(result["result"]["status"], "succeeded") << approved.out;

  // Approved once; the precheck now sees the fixed group, so even a new request is not needed.
  EXPECT_EQ(fg("approvals approve " + id + " --approver carol" + config()).exit_code, 1);
  const nlohmann::json after = process_bastion();
  EXPECT_FALSE(after["approval"].contains("id")) << after.dump();
  EXPECT_NE(after["approval"].value("note", "").find("no approval needed"), std::string::npos) << after.dump();

  const CommandRun verified = fg("audit verify --db '" + (dir / "audit.db").string() + "'");
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
}

TEST_F(ApprovalsCli, DenyNeedsAReasonAndRunsNothing) {
  const std::string id = process_bastion()["approval"].value("id", "");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(fg("approvals deny " + id + " --approver bob" + config()).exit_code, 2);  // --reason is required
  EXPECT_EQ(fg("approvals deny " + id + " --approver bob --reason ' '" + config()).exit_code, 2);
  const CommandRun denied = fg("approvals deny " + id + " --approver bob --reason 'replace the bastion'" + config());
  ASSERT_EQ(denied.exit_code, 0) << denied.out;
  EXPECT_NE(denied.out.find("denied"), std::string::npos) << denied.out;
  const CommandRun shown = fg("approvals show " + id + " --json");
  const auto j = nlohmann::json::parse(shown.out);
  EXPECT_EQ(j["status"], "denied");
  EXPECT_EQ(j["note"], "replace the bastion");
  EXPECT_TRUE(j["result"].is_null());
  EXPECT_EQ(fg("approvals show apr-0000000000000000").exit_code, 1);
  EXPECT_EQ(fg("approvals list --status bogus").exit_code, 2);
}

}  // namespace
}  // namespace fixgate::cli_test
