// CloudTrail: identity derivation checked against every corpus record's
// documented derivation, and creator candidates per identity type.
#include <gtest/gtest.h>

#include "corpus.h"
#include "ownership/cloudtrail.h"
#include "ownership/cloudtrail_source.h"

namespace fixgate::ownership {
namespace {

using testing::corpus_path;
using testing::read_json;
using testing::read_text;

std::string or_empty(const nlohmann::json& j) { return j.is_null() ? std::string{} : j.get<std::string>(); }

TEST(CloudTrailTest, DerivationMatchesEveryCorpusRecord) {
  const std::string path = corpus_path("cloudtrail/panther_events.json");
  const auto corpus = read_json(path);
  auto events = parse_cloudtrail(read_text(path), "panther_events.json");
  ASSERT_TRUE(events.ok()) << events.error().to_string();
  const auto& expected = corpus.at("events");
  ASSERT_EQ(events->size(), expected.size());
  ASSERT_EQ(events->size(), 26u);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& d = expected[i].at("derived");
    const CloudTrailEvent& e = (*events)[i];
    SCOPED_TRACE(expected[i].at("test_name").get<std::string>());
    EXPECT_EQ(e.location, "panther_events.json events[" + std::to_string(i) + "]");
    EXPECT_EQ(e.event_name, d.at("eventName").get<std::string>());
    EXPECT_EQ(e.identity.creator_arn, or_empty(d.at("creator_arn")));
    EXPECT_EQ(e.identity.type, or_empty(d.at("identity_type")));
    EXPECT_EQ(e.identity.invoked_by, or_empty(d.at("invoked_by")));
    EXPECT_EQ(e.identity.session_issuer_arn, or_empty(d.at("session_issuer_arn")));
    EXPECT_EQ(e.error_code, or_empty(d.at("error_code")));
  }
}

class CorpusTrailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto source = CloudTrailSource::load(corpus_path("cloudtrail/panther_events.json"));
    ASSERT_TRUE(source.ok()) << source.error().to_string();
    source_ = std::make_unique<CloudTrailSource>(std::move(source).value());
  }
  std::unique_ptr<CloudTrailSource> source_;
};

TEST_F(CorpusTrailTest, CreateSecurityGroupByAssumedRoleNamesRoleAndSession) {
  Finding f;
  f.account = "112233445566";
  f.resource_name = "prod-webapp-webserver-security";
  const auto c = source_->candidates(f);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].owner, "ryan@example.com");
  EXPECT_EQ(c[0].kind, OwnerKind::person);
  EXPECT_DOUBLE_EQ(c[0].confidence, 0.6);  // an e-mail session name is a human
  EXPECT_EQ(c[1].owner, "Operator");
  EXPECT_EQ(c[1].kind, OwnerKind::role);
  for (const auto& x : c) {
    EXPECT_EQ(x.evidence_value("relation"), "created");
    EXPECT_EQ(x.evidence_value("event_name"), "CreateSecurityGroup");
    EXPECT_EQ(x.evidence_value("identity_type"), "AssumedRole");
    EXPECT_EQ(x.evidence_value("session_issuer_arn"), "arn:aws:iam::112233445566:role/Operator");
    EXPECT_EQ(x.evidence_value("identity_arn"), "arn:aws:sts::112233445566:assumed-role/Operator/ryan@example.com");
    EXPECT_FALSE(x.evidence_value("event_id").empty());
    EXPECT_FALSE(x.evidence_value("event_time").empty());
  }
}

TEST_F(CorpusTrailTest, CreateDBInstanceByIamUser) {
  Finding f;
  f.resource_arn = "arn:aws:rds:us-east-1:123456789012:db:test-instance";
  f.account = "123456789012";
  const auto c = source_->candidates(f);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].owner, "johndoe");
  EXPECT_EQ(c[0].kind, OwnerKind::person);
  EXPECT_EQ(c[0].evidence_value("identity_arn"), "arn:aws:iam::123456789012:user/johndoe");
}

TEST_F(CorpusTrailTest, RunInstancesBySsoUserAndByServiceRole) {
  const auto corpus = read_json(corpus_path("cloudtrail/panther_events.json"));
  // The SSO launch ("Single vulnerable AMI Launched") and the Auto Scaling one.
  std::string sso_instance;
  std::string autoscaling_instance;
  for (const auto& e : corpus.at("events")) {
    const auto& ev = e.at("event");
    if (ev.value("eventName", "") != "RunInstances" || ev.contains("errorCode")) continue;
    const auto& items = ev.at("responseElements").at("instancesSet").at("items");
    if (e.at("test_name") == "Single vulnerable AMI Launched") sso_instance = items[0].at("instanceId");
    if (e.at("test_name") == "Successful Unusual EC2") autoscaling_instance = items[0].at("instanceId");
  }
  ASSERT_FALSE(sso_instance.empty());
  ASSERT_FALSE(autoscaling_instance.empty());

  Finding sso;
  sso.resource_arn = "arn:aws:ec2:us-west-2:123456789012:instance/" + sso_instance;
  auto c = source_->candidates(sso);
  ASSERT_GE(c.size(), 2u);
  EXPECT_EQ(c[0].owner, "user.name");
  EXPECT_DOUBLE_EQ(c[0].confidence, 0.6);  // SSO session: a human
  EXPECT_EQ(c[0].evidence_value("sso"), "true");
  EXPECT_EQ(c[1].owner, "ARole");

  Finding scaled;
  scaled.resource_id = autoscaling_instance;
  c = source_->candidates(scaled);
  ASSERT_GE(c.size(), 1u);
  EXPECT_EQ(c[0].owner, "autoscaling.amazonaws.com");
  EXPECT_EQ(c[0].kind, OwnerKind::service);
  EXPECT_DOUBLE_EQ(c[0].confidence, 0.0);
}

TEST_F(CorpusTrailTest, FailedCallsAndOtherAccountsAreIgnoredChangesCountHalf) {
  Finding bucket;
  bucket.resource_arn = "arn:aws:s3:::example-bucket";
  bucket.account = "123456789012";
  const auto c = source_->candidates(bucket);
  // Two successful PutBucketPolicy calls by the same session (the failed one is ignored).
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0].owner, "example-user");
  EXPECT_EQ(c[0].evidence_value("relation"), "changed");
  EXPECT_DOUBLE_EQ(c[0].confidence, 0.35 * 0.5);

  bucket.account = "999999999999";
  EXPECT_TRUE(source_->candidates(bucket).empty());
}

CloudTrailEvent one(const std::string& json) {
  auto events = parse_cloudtrail(json, "inline");
  EXPECT_TRUE(events.ok());
  EXPECT_EQ(events->size(), 1u);
  return events->front();
}

TEST(CreatorCandidatesTest, IamUserCreateUserFromAwsDocsShape) {
  const auto e = one(R"({"Records": [{"eventVersion": "1.0", "userIdentity": {"type": "IAMUser",
    "principalId": "EX_PRINCIPAL_ID", "arn": "arn:aws:iam::123456789012:user/Alice", "accountId": "123456789012",
    "accessKeyId": "EXAMPLE_KEY_ID", "userName": "Alice"}, "eventTime": "2014-03-24T21:11:59Z",
    "eventSource": "iam.amazonaws.com", "eventName": "CreateUser", "awsRegion": "us-east-2",
    "sourceIPAddress": "127.0.0.1", "userAgent": "aws-cli/1.3.2 Python/2.7.5 Windows/7",
    "requestParameters": {"userName": "Bob"}, "responseElements": {"user": {"createDate": "Mar 24, 2014 9:11:59 PM",
    "userName": "Bob", "arn": "arn:aws:iam::123456789012:user/Bob", "path": "/", "userId": "EXAMPLEUSERID"}}}]})");
  EXPECT_TRUE(e.creates);
  EXPECT_EQ(e.resource_ids, (std::vector<std::string>{"Bob", "arn:aws:iam::123456789012:user/Bob"}));
  const auto c = creator_candidates(e);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].owner, "Alice");
  EXPECT_DOUBLE_EQ(c[0].confidence, 0.6);
}

TEST(CreatorCandidatesTest, CreateBucketRootFederatedSamlAndWebIdentity) {
  auto e = one(R"({"eventName": "CreateBucket", "eventSource": "s3.amazonaws.com", "eventID": "e1",
    "recipientAccountId": "111122223333", "requestParameters": {"bucketName": "made-by-root"},
    "userIdentity": {"type": "Root", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"}})");
  EXPECT_EQ(e.resource_ids, (std::vector<std::string>{"made-by-root", "arn:aws:s3:::made-by-root"}));
  auto c = creator_candidates(e);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].owner, "root@111122223333");

  e = one(R"({"eventName": "CreateBucket", "requestParameters": {"bucketName": "b"},
    "userIdentity": {"type": "FederatedUser", "arn": "arn:aws:sts::111122223333:federated-user/carol",
      "sessionContext": {"sessionIssuer": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/broker",
        "userName": "broker"}}}})");
  EXPECT_EQ(e.identity.creator_arn, "arn:aws:iam::111122223333:user/broker");
  c = creator_candidates(e);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].owner, "carol");
  EXPECT_EQ(c[1].owner, "broker");

  e = one(R"({"eventName": "CreateBucket", "requestParameters": {"bucketName": "b"},
    "userIdentity": {"type": "SAMLUser", "principalId": "x:dave@example.com", "userName": "dave@example.com",
      "identityProvider": "arn:aws:iam::111122223333:saml-provider/Okta"}})");
  c = creator_candidates(e);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].owner, "dave@example.com");
  EXPECT_EQ(c[0].evidence_value("identity_provider"), "arn:aws:iam::111122223333:saml-provider/Okta");

  e = one(R"({"eventName": "CreateBucket", "requestParameters": {"bucketName": "b"},
    "userIdentity": {"type": "AWSService", "invokedBy": "cloudformation.amazonaws.com"}})");
  c = creator_candidates(e);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].kind, OwnerKind::service);
  EXPECT_EQ(c[0].owner, "cloudformation.amazonaws.com");
}

TEST(CloudTrailParseTest, JsonLinesAndErrors) {
  auto events = parse_cloudtrail(
      "{\"eventName\": \"CreateBucket\", \"requestParameters\": {\"bucketName\": \"a\"}}\n"
      "\n"
      "{\"eventName\": \"CreateBucket\", \"requestParameters\": {\"bucketName\": \"b\"}}\n",
      "trail.jsonl");
  ASSERT_TRUE(events.ok()) << events.error().to_string();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[1].location, "trail.jsonl:3");

  auto bad = parse_cloudtrail("{\"eventName\": 1}\nnot json\n", "bad.jsonl");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "bad.jsonl:2: not a JSON object");

  auto missing = CloudTrailSource::load("/nonexistent/trail.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "cloudtrail.unreadable");
}

}  // namespace
}  // namespace fixgate::ownership
