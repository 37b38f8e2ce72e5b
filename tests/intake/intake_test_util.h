// Helpers shared by the intake tests: corpus access and payload builders.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/finding.h"
#include "intake/intake.h"

namespace fixgate {
// Readable gtest output for tags.
inline void PrintTo(const Tag& tag, std::ostream* os) { *os << "{" << tag.key << ": " << tag.value << "}"; }
}  // namespace fixgate

namespace fixgate::intake::testing {

inline std::string corpus_path(const std::string& relative) {
  return std::string(FIXGATE_SHARED_DIR) + "/corpus/" + relative;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::string read_corpus(const std::string& relative) { return read_file(corpus_path(relative)); }

// Parses and asserts exactly `count` findings came back.
inline std::vector<Finding> parse_n(std::string_view payload, std::size_t count) {
  auto findings = parse_payload(payload);
  EXPECT_EQ(findings.size(), count);
  return findings;
}

inline Finding parse_one(std::string_view payload) {
  auto findings = parse_n(payload, 1);
  return findings.empty() ? Finding{} : std::move(findings.front());
}

// An SNS Notification envelope (HTTP casing) around `message`, as SNS delivers it to
// an HTTPS endpoint or, with raw delivery off, as an SQS message body.
inline std::string sns_envelope(const std::string& message, bool lambda_casing = false) {
  nlohmann::ordered_json envelope = {
      {"Type", "Notification"},
      {"MessageId", "63a3f6b6-d533-4a47-aef9-fcf5cf758c76"},
      {"TopicArn", "arn:aws:sns:us-east-1:123456789012:wiz-issues"},
      {"Subject", nullptr},
      {"Message", message},
      {"Timestamp", "2025-07-25T13:09:25.306Z"},
      {"SignatureVersion", "2"},
      {"Signature", "EXAMPLE"},
  };
  envelope[lambda_casing ? "SigningCertUrl" : "SigningCertURL"] =
      "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-example.pem";
  return envelope.dump(2);
}

// A complete Wiz webhook payload in the automation-rule template's shape; tests edit it.
inline nlohmann::ordered_json wiz_webhook() {
  return nlohmann::ordered_json::parse(R"({
    "trigger": {"source": "ISSUE", "type": "Created", "ruleId": "r-1", "ruleName": "to-sns"},
    "issue": {"id": "wiz-issue-1", "status": "OPEN", "severity": "HIGH",
              "created": "2025-07-25T13:09:25Z", "projects": "Payments, Platform, "},
    "resource": {"id": "arn:aws:s3:::public-website-assets", "name": "public-website-assets",
                 "type": "BUCKET", "cloudPlatform": "AWS", "subscriptionId": "111111111111",
                 "subscriptionName": "prod", "region": "us-east-1", "status": "Active",
                 "cloudProviderURL": "",
                 "tags": {"environment": "prod", "owner": "team-web"}},
    "control": {"id": "wc-s3-public-bucket", "name": "Public S3 bucket", "description": "d",
                "severity": "MEDIUM", "sourceCloudConfigurationRuleId": "S3-001",
                "sourceCloudConfigurationRuleName": "Bucket should block public access"}
  })");
}

// A complete, open ASFF finding; tests edit it.
inline nlohmann::ordered_json asff_finding() {
  return nlohmann::ordered_json::parse(R"({
    "SchemaVersion": "2018-10-08",
    "Id": "arn:aws:securityhub:us-east-1:111111111111:security-control/S3.8/finding/f-1",
    "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/securityhub",
    "GeneratorId": "security-control/S3.8",
    "AwsAccountId": "111111111111",
    "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
    "CreatedAt": "2024-01-01T00:00:00.000Z",
    "UpdatedAt": "2024-01-02T00:00:00.000Z",
    "Severity": {"Label": "HIGH", "Normalized": 70},
    "Title": "S3 general purpose buckets should block public access",
    "Description": "This control checks whether a bucket blocks public access.",
    "Region": "us-east-1",
    "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::public-website-assets",
                   "Partition": "aws", "Region": "eu-west-1",
                   "Tags": {"environment": "prod", "needsPatching": true, "cost": 12}}],
    "Compliance": {"Status": "FAILED", "SecurityControlId": "S3.8"},
    "Workflow": {"Status": "NEW"},
    "RecordState": "ACTIVE",
    "ProductFields": {"ControlId": "S3.8"}
  })");
}

}  // namespace fixgate::intake::testing
