// The whole remediation path as an operator runs it, binaries only:
// `fixgate cloudsim` (a subprocess on an ephemeral loopback port, seeded with
// the world examples/findings/ describe) and `fixgate process --config
// examples/fixgate.yaml examples/findings/*.json` pointed at it through the
// standard AWS configuration (AWS_ENDPOINT_URL, AWS_REGION, the environment
// credentials). Then `fixgate rollback` restores one change, `fixgate review`
// lists, shows and resolves what needs a person, and `fixgate audit verify`
// passes over everything that was recorded.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <httplib.h>

#include "cli_harness.h"

namespace {

namespace fs = std::filesystem;
using fixgate::cli_test::BackgroundSimulator;
using fixgate::cli_test::CommandRun;
using fixgate::cli_test::fixgate;
using fixgate::cli_test::run;
using nlohmann::json;

std::vector<json> json_lines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(json::parse(line));
  }
  return out;
}

std::string quote(const std::string& s) { return "'" + s + "'"; }

class ProcessCloudsim : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fixgate-e2e-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    ASSERT_GT(sim_.port(), 0) << "fixgate cloudsim did not start";
    admin_ = std::make_unique<httplib::Client>("127.0.0.1", sim_.port());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string db() const { return (dir_ / "audit.db").string(); }

  // The standard AWS configuration, and nothing from the machine running the test.
  std::string env() const {
    return "env -i PATH=/usr/bin:/bin HOME=" + quote(dir_.string()) + " FIXGATE_STATE_DIR=" + quote(dir_.string()) +
           " FIXGATE_EXTERNAL_ID=demo-external-id AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true"
           " AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null"
           " AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
           " AWS_ENDPOINT_URL=http://127.0.0.1:" +
           std::to_string(sim_.port()) + " ";
  }
  std::string state_flags() const {
    return " --audit-db " + quote(db()) + " --rollback-dir " + quote((dir_ / "rollback").string());
  }

  json state() {
    auto r = admin_->Get("/__sim/state");
    EXPECT_TRUE(r);
    return r ? json::parse(r->body) : json();
  }
  void fault(const json& spec) {
    auto r = admin_->Post("/__sim/faults", spec.dump(), "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }

  static const json* account(const json& world, const std::string& id) {
    for (const json& a : world["accounts"]) {
      if (a["id"] == id) return &a;
    }
    return nullptr;
  }
  static json bucket_pab(const json& world, const std::string& name) {
    for (const json& b : account(world, "111111111111")->at("s3").at("buckets")) {
      if (b["name"] == name) return b.value("public_access_block", json());
    }
    return json();
  }
  static std::string key_status(const json& world) {
    for (const json& u : account(world, "222222222222")->at("iam").at("users")) {
      if (u["name"] == "ci-deploy-legacy") return u["access_keys"][0]["status"];
    }
    return "";
  }

  fs::path dir_;
  BackgroundSimulator sim_{FIXGATE_SOURCE_DIR "/src/cloudsim/seeds/demo-findings.json"};
  std::unique_ptr<httplib::Client> admin_;
};

TEST_F(ProcessCloudsim, ProcessActsRollbackRestoresReviewListsAndTheAuditVerifies) {
  // One denied call and one refused role assumption, so the review queue has
  // both kinds besides the rejected inputs.
  fault({{"operation", "s3:PutPublicAccessBlock"}, {"account", "111111111111"}, {"kind", "deny"}, {"count", 1}});
  fault({{"operation", "sts:AssumeRole"}, {"account", "222222222222"}, {"kind", "deny"}, {"count", 1}});
  const json before = state();
  EXPECT_TRUE(bucket_pab(before, "acme-customer-exports").is_null());
  EXPECT_EQ(key_status(before), "Active");

  const CommandRun processed =
      run(env() + quote(fixgate()) + " process --config examples/fixgate.yaml" + state_flags() + " examples/findings/*.json");
  ASSERT_EQ(processed.exit_code, 0) << processed.out;
  std::map<std::string, json> by_file;
  for (const json& line : json_lines(processed.out)) by_file[fs::path(line.value("file", "")).filename().string()] = line;
  ASSERT_EQ(by_file.size(), 18u) << processed.out;

  // Outcome per finding (examples/findings/README.md), and what acting did.
  auto outcome = [&](const std::string& f) { return by_file[f]["decision"]["outcome"].get<std::string>(); };
  auto status = [&](const std::string& f) { return by_file[f]["action_result"].value("status", ""); };
  // Files in glob order: the first S3 change meets the injected deny, the first
  // 222222222222 assumption is refused.
  EXPECT_EQ(outcome("asff-s3-block-public-access.json"), "remediate");
  EXPECT_EQ(status("asff-s3-block-public-access.json"), "failed");
  EXPECT_EQ(by_file["asff-s3-block-public-access.json"]["action_result"]["error_code"], "aws.AccessDenied");
  EXPECT_EQ(status("wiz-ebs-default-encryption-pending-waiver.json"), "failed");
  EXPECT_EQ(by_file["wiz-ebs-default-encryption-pending-waiver.json"]["action_result"]["error_code"], "sts.AccessDenied");
  EXPECT_EQ(status("wiz-iam-stale-access-key.json"), "succeeded");
  EXPECT_EQ(status("wiz-s3-public-bucket-production.json"), "succeeded");
  for (const char* f : {"wiz-sg-ssh-open-production.json", "wiz-sg-bastion-expired-waiver.json",
                        "wiz-s3-public-restricted-production.json", "eventbridge-ebs-default-encryption.json"}) {
    EXPECT_EQ(outcome(f), "approval_required") << f;
  }
  for (const char* f : {"wiz-s3-public-website-waived.json", "wiz-s3-suppression-tag.json", "wiz-s3-resolved.json"}) {
    EXPECT_EQ(outcome(f), "skip") << f;
  }
  for (const char* f : {"asff-rds-public-snapshot.json", "wiz-unknown-control.json", "wiz-unknown-resource-type.json",
                        "wiz-malformed-missing-issue-id.json"}) {
    EXPECT_EQ(outcome(f), "reject") << f;
    EXPECT_TRUE(by_file[f].value("review", false)) << f;
  }
  for (const char* f : {"wiz-s3-unencrypted-low-severity.json", "wiz-s3-public-no-owner.json",
                        "wiz-s3-public-unknown-environment.json"}) {
    EXPECT_EQ(outcome(f), "notify") << f;
  }

  // The simulated account really changed, and only where it succeeded.
  const json after = state();
  EXPECT_EQ(bucket_pab(after, "acme-customer-exports"), (json{{"BlockPublicAcls", true}, {"IgnorePublicAcls", true},
                                                              {"BlockPublicPolicy", true}, {"RestrictPublicBuckets", true}}));
  EXPECT_TRUE(bucket_pab(after, "analytics-raw-landing").is_null());
  EXPECT_EQ(key_status(after), "Inactive");
  EXPECT_EQ(account(after, "222222222222")->at("ec2").at("ebs_encryption_by_default").at("us-east-1"), false);

  // The session that made the change is on record and is the one the account saw.
  const CommandRun sessions = run(quote(fixgate()) + " audit export --db " + quote(db()) + " --format jsonl");
  ASSERT_EQ(sessions.exit_code, 0);
  auto sim_sessions = admin_->Get("/__sim/sessions");
  ASSERT_TRUE(sim_sessions);
  const json issued = json::parse(sim_sessions->body);
  int joined = 0;
  int session_records = 0;
  for (const json& record : json_lines(sessions.out)) {
    if (record["kind"] != "role_session") continue;
    ++session_records;
    const json body = record["body"].is_string() ? json::parse(record["body"].get<std::string>()) : record["body"];
    for (const json& s : issued["sessions"]) {
      if (s["access_key_id"] == body["access_key_id"] && s["session_name"] == body["session_name"]) ++joined;
    }
  }
  // At least the S3 deny, the IAM key and the S3 block opened a session; every
  // recorded session is one the account issued.
  EXPECT_GE(session_records, 3);
  EXPECT_EQ(joined, session_records);

  // Rollback restores the bucket, through the same binary and the same role.
  const std::string action_id = by_file["wiz-s3-public-bucket-production.json"]["action_result"]["action_id"];
  const CommandRun rolled =
      run(env() + quote(fixgate()) + " rollback " + action_id + " --config examples/fixgate.yaml" + state_flags());
  ASSERT_EQ(rolled.exit_code, 0) << rolled.out;
  EXPECT_EQ(json::parse(rolled.out)["status"], "rolled_back") << rolled.out;
  EXPECT_TRUE(bucket_pab(state(), "acme-customer-exports").is_null());
  const CommandRun unknown =
      run(env() + quote(fixgate()) + " rollback act-0000000000000000 --config examples/fixgate.yaml" + state_flags());
  EXPECT_EQ(unknown.exit_code, 2);

  // The review queue: the two action failures and the four rejected inputs.
  const CommandRun listed = run(quote(fixgate()) + " review list --json --audit-db " + quote(db()));
  ASSERT_EQ(listed.exit_code, 0);
  std::map<std::string, std::string> category_by_finding;
  std::string denied_id;
  for (const json& item : json_lines(listed.out)) {
    category_by_finding[item["finding_id"]] = item["category"];
    if (item["category"] == "access_denied") denied_id = item["id"];
    EXPECT_FALSE(item["reason"].get<std::string>().empty());
  }
  const size_t open_items = json_lines(listed.out).size();
  std::map<std::string, int> categories;
  for (const json& item : json_lines(listed.out)) ++categories[item["category"].get<std::string>()];
  EXPECT_EQ(categories["access_denied"], 1) << listed.out;
  EXPECT_EQ(categories["role_assumption_failed"], 1) << listed.out;
  EXPECT_EQ(categories["unsupported_resource"], 1) << listed.out;
  EXPECT_EQ(categories["rejected_input"], 3) << listed.out;
  for (const char* f : {"wiz-unknown-control.json", "wiz-unknown-resource-type.json", "asff-rds-public-snapshot.json"}) {
    EXPECT_TRUE(category_by_finding.count(by_file[f]["decision"]["finding_id"].get<std::string>())) << f;
  }

  const CommandRun table = run(quote(fixgate()) + " review list --audit-db " + quote(db()));
  EXPECT_NE(table.out.find("access_denied"), std::string::npos);
  EXPECT_NE(table.out.find(std::to_string(open_items) + " item(s)"), std::string::npos) << table.out;

  ASSERT_FALSE(denied_id.empty());
  const CommandRun shown = run(quote(fixgate()) + " review show " + denied_id + " --json --audit-db " + quote(db()));
  ASSERT_EQ(shown.exit_code, 0);
  EXPECT_EQ(json::parse(shown.out)["record"]["error_code"], "aws.AccessDenied");

  const CommandRun resolved = run(quote(fixgate()) + " review resolve " + denied_id +
                                  " --by alice --note 'granted s3:PutBucketPublicAccessBlock' --audit-db " + quote(db()));
  ASSERT_EQ(resolved.exit_code, 0) << resolved.out;
  EXPECT_EQ(run(quote(fixgate()) + " review resolve " + denied_id + " --by bob --note again --audit-db " + quote(db())).exit_code, 1);
  EXPECT_EQ(json_lines(run(quote(fixgate()) + " review list --json --audit-db " + quote(db())).out).size(), open_items - 1);
  const auto everything = json_lines(run(quote(fixgate()) + " review list --all --json --audit-db " + quote(db())).out);
  ASSERT_EQ(everything.size(), open_items);
  bool saw_resolution = false;
  for (const json& item : everything) {
    if (item["id"] == denied_id) saw_resolution = item["status"] == "resolved" && item["resolution"]["by"] == "alice";
  }
  EXPECT_TRUE(saw_resolution);

  // Everything above is one intact chain.
  const CommandRun verified = run(quote(fixgate()) + " audit verify --db " + quote(db()));
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
}

}  // namespace
