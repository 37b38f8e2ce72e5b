// Wiz webhook payloads built around the automation-rule template's shape.
#include "intake_test_util.h"

namespace fixgate::intake::testing {
namespace {

using ::testing::ElementsAre;
using json = nlohmann::ordered_json;

Finding parse_json(const json& payload) { return parse_one(payload.dump()); }

TEST(IntakeWiz, FullPayload) {
  const std::string payload = wiz_webhook().dump();
  const Finding f = parse_one(payload);
  ASSERT_FALSE(f.malformed) << f.malformed->field << ": " << f.malformed->reason;
  EXPECT_EQ(f.source, FindingSource::wiz);
  EXPECT_EQ(f.id, "wiz-issue-1");
  EXPECT_TRUE(f.open);
  EXPECT_EQ(f.severity, Severity::high);  // issue HIGH beats control MEDIUM
  EXPECT_EQ(f.severity_label, "HIGH");
  EXPECT_THAT(f.control_ids, ElementsAre("wc-s3-public-bucket", "S3-001"));
  EXPECT_EQ(f.title, "Public S3 bucket");
  EXPECT_EQ(f.resource_arn, "arn:aws:s3:::public-website-assets");
  EXPECT_EQ(f.resource_id, "arn:aws:s3:::public-website-assets");
  EXPECT_EQ(f.resource_key(), "arn:aws:s3:::public-website-assets");
  EXPECT_EQ(f.resource_type, "AWS::S3::Bucket");
  EXPECT_EQ(f.native_resource_type, "BUCKET");
  EXPECT_EQ(f.account, "111111111111");
  EXPECT_EQ(f.region, "us-east-1");
  EXPECT_THAT(f.projects, ElementsAre("Payments", "Platform"));
  EXPECT_THAT(f.tags, ElementsAre(Tag{"environment", "prod"}, Tag{"owner", "team-web"}));
  ASSERT_NE(f.find_tag("OWNER"), nullptr);
  EXPECT_EQ(f.raw, payload);
}

TEST(IntakeWiz, TagsAsListOfKeyValue) {
  json payload = wiz_webhook();
  payload["resource"]["tags"] = json::parse(
      R"([{"key": "env", "value": "stg"}, {"Key": "Owner", "Value": "team-a"}, {"key": "empty"}])");
  const Finding f = parse_json(payload);
  ASSERT_FALSE(f.malformed);
  EXPECT_THAT(f.tags, ElementsAre(Tag{"env", "stg"}, Tag{"Owner", "team-a"}, Tag{"empty", ""}));
}

TEST(IntakeWiz, TagScalarValuesKeepTheirJsonText) {
  json payload = wiz_webhook();
  payload["resource"]["tags"] = json::parse(R"({"critical": true, "cost": 12, "note": null})");
  const Finding f = parse_json(payload);
  ASSERT_FALSE(f.malformed);
  EXPECT_THAT(f.tags, ElementsAre(Tag{"critical", "true"}, Tag{"cost", "12"}, Tag{"note", ""}));
}

TEST(IntakeWiz, ProjectsAsListOfObjectsOrStrings) {
  json payload = wiz_webhook();
  payload["issue"]["projects"] =
      json::parse(R"([{"id": "p1", "name": "Payments"}, "Platform", {"id": "p3"}, {"id": "p4", "name": ""}])");
  const Finding f = parse_json(payload);
  ASSERT_FALSE(f.malformed);
  EXPECT_THAT(f.projects, ElementsAre("Payments", "Platform", "p3", "p4"));
}

TEST(IntakeWiz, EmptyProjectsString) {
  json payload = wiz_webhook();
  payload["issue"]["projects"] = "";
  EXPECT_TRUE(parse_json(payload).projects.empty());
}

TEST(IntakeWiz, StatusCaseVariants) {
  struct Case {
    const char* status;
    bool open;
  };
  for (const Case& c : {Case{"OPEN", true}, Case{"Open", true}, Case{"IN_PROGRESS", true}, Case{"in_progress", true},
                        Case{"RESOLVED", false}, Case{"Resolved", false}, Case{"REJECTED", false},
                        Case{"rejected", false}}) {
    SCOPED_TRACE(c.status);
    json payload = wiz_webhook();
    payload["issue"]["status"] = c.status;
    const Finding f = parse_json(payload);
    EXPECT_FALSE(f.malformed);
    EXPECT_EQ(f.open, c.open);
    EXPECT_EQ(f.status, c.status);
  }
}

TEST(IntakeWiz, ControlSeverityIsTheFallback) {
  json payload = wiz_webhook();
  payload["issue"]["severity"] = "";
  Finding f = parse_json(payload);
  EXPECT_FALSE(f.malformed);
  EXPECT_EQ(f.severity, Severity::medium);
  payload["issue"].erase("severity");
  f = parse_json(payload);
  EXPECT_FALSE(f.malformed);
  EXPECT_EQ(f.severity, Severity::medium);
}

TEST(IntakeWiz, InformationalAndCriticalLabels) {
  json payload = wiz_webhook();
  payload["issue"]["severity"] = "INFORMATIONAL";
  EXPECT_EQ(parse_json(payload).severity, Severity::informational);
  payload["issue"]["severity"] = "critical";
  EXPECT_EQ(parse_json(payload).severity, Severity::critical);
}

TEST(IntakeWiz, RuleIdEqualToControlIdIsNotRepeated) {
  json payload = wiz_webhook();
  payload["control"]["sourceCloudConfigurationRuleId"] = "wc-s3-public-bucket";
  EXPECT_THAT(parse_json(payload).control_ids, ElementsAre("wc-s3-public-bucket"));
  payload["control"]["sourceCloudConfigurationRuleId"] = "";
  EXPECT_THAT(parse_json(payload).control_ids, ElementsAre("wc-s3-public-bucket"));
}

TEST(IntakeWiz, ResourceTypeFromNativeNameWhenNoArn) {
  struct Case {
    const char* type;
    const char* canonical;
  };
  for (const Case& c : {Case{"bucket", "AWS::S3::Bucket"}, Case{"SECURITY_GROUP", "AWS::EC2::SecurityGroup"},
                        Case{"securityGroup", "AWS::EC2::SecurityGroup"}, Case{"virtualMachine", "AWS::EC2::Instance"},
                        Case{"accessKey", "AWS::IAM::AccessKey"}, Case{"subscription", "AWS::::Account"},
                        Case{"AWS::EC2::Volume", "AWS::EC2::Volume"}, Case{"kubernetesCluster", ""}}) {
    SCOPED_TRACE(c.type);
    json payload = wiz_webhook();
    payload["resource"]["id"] = "i-0abc";
    payload["resource"]["type"] = c.type;
    const Finding f = parse_json(payload);
    EXPECT_FALSE(f.malformed);
    EXPECT_EQ(f.resource_arn, "");
    EXPECT_EQ(f.resource_id, "i-0abc");
    EXPECT_EQ(f.resource_type, c.canonical);
    EXPECT_EQ(f.native_resource_type, c.type);
  }
}

TEST(IntakeWiz, NativeTypeIsPreferredWhenGiven) {
  json payload = wiz_webhook();
  payload["resource"]["id"] = "";
  payload["resource"]["type"] = "BUCKET";
  payload["resource"]["nativeType"] = "securityGroup";
  const Finding f = parse_json(payload);
  EXPECT_EQ(f.native_resource_type, "securityGroup");
  EXPECT_EQ(f.resource_type, "AWS::EC2::SecurityGroup");
}

TEST(IntakeWiz, ArnWinsOverTypeName) {
  json payload = wiz_webhook();
  payload["resource"]["id"] = "arn:aws:ec2:us-east-1:111111111111:security-group/sg-0123";
  payload["resource"]["type"] = "virtualMachine";
  EXPECT_EQ(parse_json(payload).resource_type, "AWS::EC2::SecurityGroup");
}

TEST(IntakeWiz, OtherCloudsDoNotGetAwsTypesFromNames) {
  json payload = wiz_webhook();
  payload["resource"]["cloudPlatform"] = "Azure";
  payload["resource"]["id"] = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1";
  payload["resource"]["type"] = "virtualMachine";
  const Finding f = parse_json(payload);
  EXPECT_FALSE(f.malformed);
  EXPECT_EQ(f.resource_type, "");
  EXPECT_EQ(f.cloud_platform, "Azure");
}

TEST(IntakeWiz, EmptyResourceIdAloneIsNotMalformed) {
  json payload = wiz_webhook();
  payload["resource"]["id"] = "";
  const Finding f = parse_json(payload);
  EXPECT_FALSE(f.malformed);
  EXPECT_EQ(f.resource_key(), "");
}

TEST(IntakeWiz, GraphQlIssueWithAwsEntity) {
  const json issue = json::parse(R"({
    "id": "iss-9", "status": "IN_PROGRESS", "severity": "CRITICAL", "type": "CLOUD_CONFIGURATION",
    "sourceRule": {"__typename": "CloudConfigurationRule", "id": "wc-sg-ssh-open", "name": "SSH open"},
    "entitySnapshot": {"providerId": "arn:aws:ec2:us-east-1:222222222222:security-group/sg-1",
                       "type": "SECURITY_GROUP", "nativeType": "", "name": "sg-1", "region": "us-east-1",
                       "cloudPlatform": "AWS", "subscriptionExternalId": "222222222222",
                       "tags": [{"key": "env", "value": "staging"}]},
    "projects": [{"id": "p1", "name": "Core"}]
  })");
  const Finding f = parse_json(issue);
  ASSERT_FALSE(f.malformed);
  EXPECT_EQ(f.id, "iss-9");
  EXPECT_TRUE(f.open);
  EXPECT_EQ(f.severity, Severity::critical);
  EXPECT_THAT(f.control_ids, ElementsAre("wc-sg-ssh-open"));
  EXPECT_EQ(f.resource_type, "AWS::EC2::SecurityGroup");
  EXPECT_EQ(f.native_resource_type, "SECURITY_GROUP");
  EXPECT_EQ(f.account, "222222222222");
  EXPECT_THAT(f.tags, ElementsAre(Tag{"env", "staging"}));
  EXPECT_THAT(f.projects, ElementsAre("Core"));
}

}  // namespace
}  // namespace fixgate::intake::testing
