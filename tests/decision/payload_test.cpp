// decide() on real payloads: Wiz webhook and ASFF JSON run through the intake
// parser, then decided with the reference configuration.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "decision/decision.h"
#include "fixtures.h"
#include "intake/intake.h"

namespace fixgate {
namespace {

using testing::reference_config;
using testing::test_now;

// A Wiz automation-rule payload the reference config remediates.
nlohmann::json wiz_payload() {
  return nlohmann::json::parse(R"({
    "trigger": {"source": "ISSUE", "type": "Open", "ruleId": "r-1", "ruleName": "auto-remediation"},
    "issue": {"id": "wiz-issue-1", "status": "OPEN", "severity": "HIGH", "created": "2026-11-20T09:14:03Z",
              "projects": "Customer Platform, "},
    "resource": {"id": "arn:aws:s3:::acme-reports", "name": "acme-reports", "type": "BUCKET", "nativeType": "bucket",
                 "cloudPlatform": "AWS", "subscriptionId": "111111111111", "subscriptionName": "prod", "region": "us-east-1",
                 "status": "Active", "cloudProviderURL": "",
                 "tags": {"environment": "production", "owner": "team-reports"}},
    "control": {"id": "wc-s3-public-bucket", "name": "Public bucket", "description": "d", "severity": "HIGH", "risks": []}
  })");
}

// A Security Hub control finding (ASFF) the reference config remediates.
nlohmann::json asff_payload() {
  return nlohmann::json::parse(R"({
    "SchemaVersion": "2018-10-08",
    "Id": "arn:aws:securityhub:us-east-1:111111111111:subscription/aws-foundational-security-best-practices/v/1.0.0/EC2.19/finding/1",
    "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/securityhub",
    "GeneratorId": "aws-foundational-security-best-practices/v/1.0.0/EC2.19",
    "AwsAccountId": "222222222222",
    "Types": ["Software and Configuration Checks/Industry and Regulatory Standards/AWS-Foundational-Security-Best-Practices"],
    "CreatedAt": "2026-11-19T22:41:07Z", "UpdatedAt": "2026-11-20T08:02:51Z",
    "Severity": {"Label": "CRITICAL", "Normalized": 90},
    "Title": "EC2.19 Security groups should not allow unrestricted access to ports with high risk",
    "Description": "d",
    "ProductFields": {"ControlId": "EC2.19"},
    "Resources": [{"Type": "AwsEc2SecurityGroup", "Id": "arn:aws:ec2:us-east-1:222222222222:security-group/sg-0123456789abcdef0",
                   "Region": "us-east-1", "Tags": {"team": "payments"}}],
    "Compliance": {"Status": "FAILED", "SecurityControlId": "EC2.19"},
    "Workflow": {"Status": "NEW"}, "RecordState": "ACTIVE"
  })");
}

Decision decide_payload(const std::string& payload, const Config& config) {
  const auto findings = intake::parse_payload(payload);
  EXPECT_EQ(findings.size(), 1u);
  return decide(findings.front(), enrich_from_config(findings.front(), config, test_now()), config);
}

struct PayloadRow {
  const char* name;
  bool asff;
  std::function<void(nlohmann::json&)> change;
  Outcome outcome;
  const char* reason;
};

const std::vector<PayloadRow>& payload_rows() {
  using J = nlohmann::json;
  static const std::vector<PayloadRow> rows = {
      {"wiz_eligible", false, [](J&) {}, Outcome::remediate, "eligible"},
      {"wiz_malformed", false, [](J& p) { p["issue"].erase("id"); }, Outcome::reject, "malformed_payload"},
      {"wiz_bad_severity", false, [](J& p) { p["issue"]["severity"] = "SEVERE"; }, Outcome::reject, "malformed_payload"},
      {"wiz_resolved", false, [](J& p) { p["issue"]["status"] = "Resolved"; p["trigger"]["type"] = "Resolved"; },
       Outcome::skip, "not_open"},
      {"wiz_suppression_tag", false, [](J& p) { p["resource"]["tags"]["security-exception"] = "SEC-1"; }, Outcome::skip,
       "exception_tag"},
      {"wiz_waiver", false,
       [](J& p) { p["resource"]["id"] = "arn:aws:s3:::public-website-assets"; }, Outcome::skip, "exception_waiver"},
      {"wiz_unsupported_control", false, [](J& p) { p["control"]["id"] = "wc-nope"; }, Outcome::reject,
       "unsupported_control"},
      {"wiz_unsupported_resource_type", false,
       [](J& p) {
         p["resource"]["id"] = "i-0123";
         p["resource"]["type"] = "VIRTUAL_MACHINE";
         p["resource"]["nativeType"] = "virtualMachine";
       },
       Outcome::reject, "unsupported_resource_type"},
      {"wiz_action_not_allowed", false,
       [](J& p) {
         p["control"]["id"] = "wc-rds-public-snapshot";
         p["resource"]["id"] = "arn:aws:rds:us-east-1:111111111111:snapshot:s1";
         p["resource"]["type"] = "DB_SNAPSHOT";
         p["resource"]["nativeType"] = "dbSnapshot";
       },
       Outcome::reject, "action_not_allowed"},
      {"wiz_low_severity", false, [](J& p) { p["issue"]["severity"] = "MEDIUM"; }, Outcome::notify,
       "severity_below_threshold"},
      {"wiz_no_owner", false, [](J& p) { p["resource"]["tags"].erase("owner"); }, Outcome::notify, "owner_missing"},
      {"wiz_unknown_environment", false,
       [](J& p) {
         p["resource"]["tags"].erase("environment");
         p["resource"]["subscriptionId"] = "444444444444";
       },
       Outcome::notify, "environment_unknown"},
      {"wiz_restricted", false, [](J& p) { p["resource"]["tags"]["environment"] = "RESTRICTED"; },
       Outcome::approval_required, "environment_requires_approval"},
      {"wiz_tags_as_list", false,
       [](J& p) {
         p["resource"]["tags"] = J::parse(R"([{"key": "Env", "value": "stg"}, {"key": "Team", "value": "x"}])");
       },
       Outcome::remediate, "eligible"},
      {"asff_eligible_staging_sg", true, [](J&) {}, Outcome::remediate, "eligible"},
      {"asff_production_sg_needs_approval", true, [](J& p) { p["AwsAccountId"] = "111111111111"; },
       Outcome::approval_required, "environment_requires_approval"},
      {"asff_archived", true, [](J& p) { p["RecordState"] = "ARCHIVED"; }, Outcome::skip, "not_open"},
      {"asff_passed_check", true, [](J& p) { p["Compliance"]["Status"] = "PASSED"; }, Outcome::skip, "not_open"},
      {"asff_missing_resources", true, [](J& p) { p.erase("Resources"); }, Outcome::reject, "malformed_payload"},
      {"asff_low", true, [](J& p) { p["Severity"] = J::parse(R"({"Label": "LOW", "Normalized": 1})"); },
       Outcome::notify, "severity_below_threshold"},
      {"asff_suppressed", true, [](J& p) { p["Resources"][0]["Tags"]["fixgate:skip"] = "true"; }, Outcome::skip,
       "exception_tag"},
      {"asff_unsupported_control", true,
       [](J& p) {
         p["ProductFields"]["ControlId"] = "EC2.99";
         p["Compliance"]["SecurityControlId"] = "EC2.99";
         p["GeneratorId"] = "aws-foundational-security-best-practices/v/1.0.0/EC2.99";
       },
       Outcome::reject, "unsupported_control"},
      {"asff_no_owner", true, [](J& p) { p["Resources"][0].erase("Tags"); }, Outcome::notify, "owner_missing"},
  };
  return rows;
}

class PayloadTable : public ::testing::TestWithParam<PayloadRow> {};

TEST_P(PayloadTable, OutcomeAndReason) {
  const PayloadRow& row = GetParam();
  nlohmann::json payload = row.asff ? asff_payload() : wiz_payload();
  row.change(payload);
  const Config config = reference_config();
  const Decision d = decide_payload(payload.dump(), config);
  EXPECT_EQ(std::string(to_string(d.outcome)), to_string(row.outcome)) << d.to_json().dump(2);
  EXPECT_EQ(d.reason().code, row.reason) << d.to_json().dump(2);
}

INSTANTIATE_TEST_SUITE_P(Reference, PayloadTable, ::testing::ValuesIn(payload_rows()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(PayloadDecision, WizFieldsReachTheRecord) {
  const Decision d = decide_payload(wiz_payload().dump(), reference_config());
  EXPECT_EQ(d.finding_id, "wiz-issue-1");
  EXPECT_EQ(d.source, "wiz");
  EXPECT_EQ(d.resource, "arn:aws:s3:::acme-reports");
  EXPECT_EQ(d.resource_type, "AWS::S3::Bucket");
  EXPECT_EQ(d.account, "111111111111");
  EXPECT_EQ(d.owner, "team-reports");
  EXPECT_EQ(d.environment, "production");
  EXPECT_EQ(d.catalog_entry, "s3-public-access");
  EXPECT_EQ(d.correlation_id.size(), 23u);
  EXPECT_EQ(d.correlation_id.rfind("fg-", 0), 0u);
}

TEST(PayloadDecision, AsffFieldsReachTheRecord) {
  const Decision d = decide_payload(asff_payload().dump(), reference_config());
  EXPECT_EQ(d.source, "asff");
  EXPECT_EQ(d.catalog_entry, "sg-admin-ports-open");
  EXPECT_EQ(d.environment, "staging");
  EXPECT_EQ(d.environment_source, "account_table");
  EXPECT_EQ(d.owner, "payments");
  EXPECT_EQ(d.owner_source, "tag:team");
  EXPECT_EQ(d.severity, Severity::critical);
  EXPECT_EQ(d.params, nlohmann::json::parse(R"({"ports":[22,3389]})"));
}

TEST(PayloadDecision, NotJsonIsRejectedWithTheFieldNamed) {
  const Decision d = decide_payload("this is not json", reference_config());
  EXPECT_EQ(d.outcome, Outcome::reject);
  EXPECT_EQ(d.reason().code, "malformed_payload");
  EXPECT_THAT(d.reason().detail, ::testing::HasSubstr("payload"));
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Every finding in the shared Wiz and ASFF corpora: fail-closed invariants hold,
// and the files whose outcome is known by reading them are pinned.
TEST(PayloadCorpus, EveryCorpusFindingDecidesFailClosed) {
  const Config config = reference_config();
  const std::filesystem::path root = FIXGATE_SHARED_DIR "/corpus";
  size_t decided = 0;
  std::map<std::string, std::string> pinned;
  for (const char* dir : {"wiz/panther-webhook-issues", "wiz/panther-api-issues", "asff/aws-solutions-asr/simdata",
                          "asff/aws-solutions-asr/layer-test-envelopes", "asff/aws-solutions-asr/playbook-test-envelopes",
                          "asff/awsdocs-securityhub-guide/extracted"}) {
    if (!std::filesystem::exists(root / dir)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(root / dir)) {
      if (entry.path().extension() != ".json") continue;
      const std::string payload = read_file(entry.path());
      for (const Finding& f : intake::parse_payload(payload)) {
        const Decision d = decide(f, enrich_from_config(f, config, test_now()), config);
        ++decided;
        SCOPED_TRACE(entry.path().string());
        ASSERT_FALSE(d.reasons.empty());
        EXPECT_GE(d.checks.size(), 13u);
        if (f.malformed) {
          EXPECT_EQ(d.outcome, Outcome::reject);
        } else if (!f.open) {
          EXPECT_EQ(d.outcome, Outcome::skip);
        }
        if (d.outcome == Outcome::remediate) {
          for (const auto& check : d.checks) {
            if (check.name.rfind("waiver_valid:", 0) != 0) {
              EXPECT_TRUE(check.passed) << check.name;
            }
          }
        }
        pinned[std::string(dir) + "/" + entry.path().filename().string()] =
            std::string(to_string(d.outcome)) + "/" + d.reason().code;
      }
    }
  }
  EXPECT_GT(decided, 100u);
  // Panther's Wiz samples: a GuardDuty control fixgate has no entry for, and a resolved issue.
  EXPECT_EQ(pinned["wiz/panther-webhook-issues/open-alert.json"], "reject/unsupported_control");
  EXPECT_EQ(pinned["wiz/panther-webhook-issues/resolved-alert.json"], "skip/not_open");
  // S3.1 is an account-level check (AwsAccount), but the catalog fixes buckets.
  EXPECT_EQ(pinned["asff/aws-solutions-asr/simdata/afsbp-s3.1.json"], "reject/unsupported_resource_type");
}

}  // namespace
}  // namespace fixgate
