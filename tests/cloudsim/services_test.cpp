// IAM access keys, KMS rotation, CloudTrail validation, RDS snapshot sharing and
// the Tagging API, each through signed requests in its real protocol.
#include <nlohmann/json.hpp>

#include "sim_fixture.h"

namespace fixgate::cloudsim::testing {
namespace {

using nlohmann::json;

TEST_F(SimTest, IamListsUsersAndKeysWithLastUse) {
  SimClient c = as("111111111111");
  Resp users = c.query("iam", "ListUsers");
  ASSERT_EQ(users.status, 200) << users.body;
  EXPECT_NE(users.body.find("<ListUsersResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ListUsersResult>"),
            std::string::npos);
  EXPECT_EQ(xml_count(users.body, "*[local-name()='Users']/*[local-name()='member']"), 3u);
  EXPECT_EQ(xml_text(users.body, "IsTruncated"), "false");
  Resp page = c.query("iam", "ListUsers", {{"MaxItems", "2"}});
  EXPECT_EQ(xml_text(page.body, "IsTruncated"), "true");
  EXPECT_EQ(xml_count(c.query("iam", "ListUsers", {{"Marker", xml_text(page.body, "Marker")}}).body,
                      "*[local-name()='member']"),
            1u);

  Resp keys = c.query("iam", "ListAccessKeys", {{"UserName", "ci-deployer"}});
  ASSERT_EQ(keys.status, 200) << keys.body;
  EXPECT_EQ(xml_text(keys.body, "AccessKeyId"), "AKIA1STALEKEY0000001");
  EXPECT_EQ(xml_text(keys.body, "Status"), "Active");
  EXPECT_FALSE(xml_text(keys.body, "CreateDate").empty());

  Resp stale = c.query("iam", "GetAccessKeyLastUsed", {{"AccessKeyId", "AKIA1STALEKEY0000001"}});
  EXPECT_EQ(xml_text(stale.body, "ServiceName"), "s3");
  EXPECT_FALSE(xml_text(stale.body, "LastUsedDate").empty());
  Resp never = c.query("iam", "GetAccessKeyLastUsed", {{"AccessKeyId", "AKIA1NEVERUSED000002"}});
  EXPECT_EQ(xml_text(never.body, "ServiceName"), "N/A");
  EXPECT_EQ(xml_text(never.body, "LastUsedDate"), "");
  EXPECT_EQ(xml_text(never.body, "UserName"), "legacy-batch");

  Resp no_user = c.query("iam", "ListAccessKeys", {{"UserName", "ghost"}});
  EXPECT_EQ(no_user.status, 404);
  EXPECT_EQ(xml_text(no_user.body, "Code"), "NoSuchEntity");
  Resp session_self = c.query("iam", "ListAccessKeys");
  EXPECT_EQ(xml_text(session_self.body, "Code"), "ValidationError");
}

TEST_F(SimTest, UpdateAccessKeyDeactivatesExactlyThatKey) {
  SimClient c = as("111111111111");
  Resp r = c.query("iam", "UpdateAccessKey", {{"UserName", "ci-deployer"}, {"AccessKeyId", "AKIA1STALEKEY0000001"}, {"Status", "Inactive"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("<UpdateAccessKeyResponse"), std::string::npos);
  EXPECT_EQ(xml_text(c.query("iam", "ListAccessKeys", {{"UserName", "ci-deployer"}}).body, "Status"), "Inactive");
  EXPECT_EQ(xml_text(c.query("iam", "ListAccessKeys", {{"UserName", "payments-service"}}).body, "Status"), "Active");
  Resp bad = c.query("iam", "UpdateAccessKey", {{"UserName", "ci-deployer"}, {"AccessKeyId", "AKIA1STALEKEY0000001"}, {"Status", "Off"}});
  EXPECT_EQ(xml_text(bad.body, "Code"), "ValidationError");
  Resp wrong_user = c.query("iam", "UpdateAccessKey", {{"UserName", "payments-service"}, {"AccessKeyId", "AKIA1STALEKEY0000001"}, {"Status", "Inactive"}});
  EXPECT_EQ(xml_text(wrong_user.body, "Code"), "NoSuchEntity");
}

TEST_F(SimTest, PlatformKeyLastUseIsRecorded) {
  ASSERT_EQ(client().query("sts", "GetCallerIdentity").status, 200);
  sim_->with_world([](World& w) {
    const auto& key = w.find_account("999999999999")->users[0].access_keys[0];
    ASSERT_TRUE(key.last_used.has_value());
    EXPECT_EQ(key.last_used->service, "sts");
  });
}

TEST_F(SimTest, KmsKeyRotation) {
  SimClient c = as("111111111111");
  const std::string key = "11111111-2222-3333-4444-555555555555";
  Resp r = c.json("kms", "TrentService.GetKeyRotationStatus", json{{"KeyId", key}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/x-amz-json-1.1");
  EXPECT_FALSE(r.header("x-amzn-RequestId").empty());
  EXPECT_EQ(json::parse(r.body)["KeyRotationEnabled"], false);
  ASSERT_EQ(c.json("kms", "TrentService.EnableKeyRotation", json{{"KeyId", key}}.dump()).status, 200);
  const std::string arn = "arn:aws:kms:us-east-1:111111111111:key/" + key;
  EXPECT_EQ(json::parse(c.json("kms", "TrentService.GetKeyRotationStatus", json{{"KeyId", arn}}.dump()).body)["KeyRotationEnabled"], true);
  ASSERT_EQ(c.json("kms", "TrentService.DisableKeyRotation", json{{"KeyId", key}}.dump()).status, 200);
  Resp missing = c.json("kms", "TrentService.GetKeyRotationStatus", json{{"KeyId", "00000000-0000-0000-0000-000000000000"}}.dump());
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(json::parse(missing.body)["__type"], "NotFoundException");
  Resp no_id = c.json("kms", "TrentService.GetKeyRotationStatus", "{}");
  EXPECT_EQ(json::parse(no_id.body)["__type"], "ValidationException");
  Resp garbage = c.json("kms", "TrentService.GetKeyRotationStatus", "{not json");
  EXPECT_EQ(json::parse(garbage.body)["__type"], "SerializationException");
  Resp unknown = c.json("kms", "TrentService.ScheduleKeyDeletion", "{}");
  EXPECT_EQ(json::parse(unknown.body)["__type"], "UnknownOperationException");
}

TEST_F(SimTest, CloudTrailLogFileValidation) {
  SimClient c = as("111111111111");
  const std::string target = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.";
  Resp r = c.json("cloudtrail", target + "GetTrail", R"({"Name":"org-audit-trail"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["Trail"]["LogFileValidationEnabled"], false);
  Resp u = c.json("cloudtrail", target + "UpdateTrail", R"({"Name":"org-audit-trail","EnableLogFileValidation":true})");
  ASSERT_EQ(u.status, 200) << u.body;
  EXPECT_EQ(json::parse(u.body)["LogFileValidationEnabled"], true);
  EXPECT_EQ(json::parse(c.json("cloudtrail", target + "GetTrail", R"({"Name":"org-audit-trail"})").body)["Trail"]["LogFileValidationEnabled"], true);
  Resp missing = c.json("cloudtrail", target + "GetTrail", R"({"Name":"nope"})");
  EXPECT_EQ(json::parse(missing.body)["__type"], "TrailNotFoundException");
  c.region = "eu-west-1";  // a multi-region trail is visible, but only its home region may update it
  Resp shadow = c.json("cloudtrail", target + "UpdateTrail", R"({"Name":"org-audit-trail","EnableLogFileValidation":false})");
  EXPECT_EQ(json::parse(shadow.body)["__type"], "InvalidHomeRegionException");
}

TEST_F(SimTest, RdsSnapshotRestoreAttribute) {
  SimClient c = as("111111111111");
  Resp d = c.query("rds", "DescribeDBSnapshotAttributes", {{"DBSnapshotIdentifier", "production-db-public-snapshot"}});
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_EQ(xml_text(d.body, "AttributeName"), "restore");
  EXPECT_EQ(xml_text(d.body, "AttributeValue"), "all");
  Resp m = c.query("rds", "ModifyDBSnapshotAttribute", {{"DBSnapshotIdentifier", "production-db-public-snapshot"},
                                                        {"AttributeName", "restore"},
                                                        {"ValuesToRemove.AttributeValue.1", "all"}});
  ASSERT_EQ(m.status, 200) << m.body;
  EXPECT_EQ(xml_text(m.body, "AttributeValue"), "");
  EXPECT_EQ(xml_text(m.body, "DBSnapshotIdentifier"), "production-db-public-snapshot");
  Resp missing = c.query("rds", "DescribeDBSnapshotAttributes", {{"DBSnapshotIdentifier", "nope"}});
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(xml_text(missing.body, "Code"), "DBSnapshotNotFound");
}

TEST_F(SimTest, TaggingGetResourcesFiltersByTagAndType) {
  SimClient c = as("111111111111");
  const std::string target = "ResourceGroupsTaggingAPI_20170126.GetResources";
  Resp all = c.json("tagging", target, "{}");
  ASSERT_EQ(all.status, 200) << all.body;
  const json list = json::parse(all.body)["ResourceTagMappingList"];
  EXPECT_EQ(list.size(), 3u + 4u + 1u);  // buckets, tagged groups, the instance
  Resp web = c.json("tagging", target, R"({"TagFilters":[{"Key":"owner","Values":["web-team"]}]})");
  EXPECT_EQ(json::parse(web.body)["ResourceTagMappingList"].size(), 3u);
  Resp sgs = c.json("tagging", target, R"({"ResourceTypeFilters":["ec2:security-group"],"TagFilters":[{"Key":"owner"}]})");
  const json sg_page = json::parse(sgs.body);  // the loop must not range over a temporary's member
  for (const json& r : sg_page["ResourceTagMappingList"]) {
    EXPECT_NE(r["ResourceARN"].get<std::string>().find(":security-group/"), std::string::npos);
  }
  EXPECT_EQ(json::parse(sgs.body)["ResourceTagMappingList"].size(), 4u);
  Resp s3 = c.json("tagging", target, R"({"ResourceTypeFilters":["s3"],"ResourcesPerPage":2})");
  const json page = json::parse(s3.body);
  EXPECT_EQ(page["ResourceTagMappingList"].size(), 2u);
  EXPECT_EQ(page["PaginationToken"], "2");
  Resp next = c.json("tagging", target, R"({"ResourceTypeFilters":["s3"],"ResourcesPerPage":2,"PaginationToken":"2"})");
  EXPECT_EQ(json::parse(next.body)["ResourceTagMappingList"].size(), 1u);
  EXPECT_EQ(json::parse(next.body)["PaginationToken"], "");
}

}  // namespace
}  // namespace fixgate::cloudsim::testing
