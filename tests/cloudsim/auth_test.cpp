// STS AssumeRole (trust policy, external id) and SigV4 verification: every
// rejection comes back in the calling protocol's real error shape.
#include "sim_fixture.h"

namespace fixgate::cloudsim::testing {
namespace {

TEST_F(SimTest, AssumeRoleIssuesSessionCredentialsScopedToTheRoleAccount) {
  SimClient c = client();
  Resp r = c.query("sts", "AssumeRole",
                   {{"RoleArn", "arn:aws:iam::222222222222:role/fixgate-remediation"},
                    {"RoleSessionName", "fixgate-corr-42"},
                    {"ExternalId", "demo-external-id"},
                    {"SourceIdentity", "corr-42"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"), std::string::npos);
  const std::string key = xml_text(r.body, "AccessKeyId");
  EXPECT_EQ(key.rfind("ASIA", 0), 0u) << key;
  EXPECT_EQ(key.size(), 20u);
  EXPECT_EQ(xml_text(r.body, "SecretAccessKey").size(), 40u);
  EXPECT_FALSE(xml_text(r.body, "SessionToken").empty());
  EXPECT_FALSE(xml_text(r.body, "Expiration").empty());
  EXPECT_EQ(xml_text(r.body, "Arn"), "arn:aws:sts::222222222222:assumed-role/fixgate-remediation/fixgate-corr-42");
  EXPECT_EQ(xml_text(r.body, "SourceIdentity"), "corr-42");
  EXPECT_FALSE(xml_text(r.body, "RequestId").empty());

  SimClient session = client();
  session.creds = {key, xml_text(r.body, "SecretAccessKey"), xml_text(r.body, "SessionToken")};
  Resp who = session.query("sts", "GetCallerIdentity");
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(xml_text(who.body, "Account"), "222222222222");
  EXPECT_EQ(xml_text(who.body, "Arn"), "arn:aws:sts::222222222222:assumed-role/fixgate-remediation/fixgate-corr-42");
  EXPECT_NE(xml_text(who.body, "UserId").find(":fixgate-corr-42"), std::string::npos);

  // The session acts on 222222222222: it sees that account's groups, not production's.
  Resp groups = session.query("ec2", "DescribeSecurityGroups", {{"GroupId.1", "sg-0bastion0000000000"}});
  EXPECT_EQ(groups.status, 400);
  EXPECT_EQ(xml_text(groups.body, "Code"), "InvalidGroup.NotFound");
}

TEST_F(SimTest, AssumeRoleWithWrongOrMissingExternalIdIsAccessDenied) {
  SimClient c = client();
  for (const std::string ext : {"wrong-external-id", ""}) {
    std::vector<std::pair<std::string, std::string>> params{
        {"RoleArn", "arn:aws:iam::111111111111:role/fixgate-remediation"}, {"RoleSessionName", "s1"}};
    if (!ext.empty()) params.push_back({"ExternalId", ext});
    Resp r = c.query("sts", "AssumeRole", params);
    EXPECT_EQ(r.status, 403) << r.body;
    EXPECT_NE(r.body.find("<ErrorResponse"), std::string::npos);
    EXPECT_EQ(xml_text(r.body, "Type"), "Sender");
    EXPECT_EQ(xml_text(r.body, "Code"), "AccessDenied");
    EXPECT_EQ(xml_text(r.body, "Message"),
              "User: arn:aws:iam::999999999999:user/fixgate is not authorized to perform: sts:AssumeRole on resource: "
              "arn:aws:iam::111111111111:role/fixgate-remediation");
    EXPECT_FALSE(xml_text(r.body, "RequestId").empty());
    EXPECT_EQ(r.header("x-amzn-RequestId"), xml_text(r.body, "RequestId"));
  }
  Resp unknown_role = c.query("sts", "AssumeRole", {{"RoleArn", "arn:aws:iam::111111111111:role/nope"},
                                                     {"RoleSessionName", "s1"},
                                                     {"ExternalId", "demo-external-id"}});
  EXPECT_EQ(unknown_role.status, 403);
  EXPECT_EQ(xml_text(unknown_role.body, "Code"), "AccessDenied");
  Resp bad_name = c.query("sts", "AssumeRole", {{"RoleArn", "arn:aws:iam::111111111111:role/fixgate-remediation"},
                                                 {"RoleSessionName", "has space"},
                                                 {"ExternalId", "demo-external-id"}});
  EXPECT_EQ(bad_name.status, 400);
  EXPECT_EQ(xml_text(bad_name.body, "Code"), "ValidationError");
}

TEST_F(SimTest, TrustPolicyOnlyTrustsThePlatformAccount) {
  // A session in 111111111111 may not chain into 222222222222's role: only 999999999999 is trusted.
  SimClient prod = as("111111111111");
  Resp r = prod.query("sts", "AssumeRole", {{"RoleArn", "arn:aws:iam::222222222222:role/fixgate-remediation"},
                                            {"RoleSessionName", "chain"},
                                            {"ExternalId", "demo-external-id"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(xml_text(r.body, "Code"), "AccessDenied");
}

TEST_F(SimTest, BadSignatureIsRejectedInEachProtocolsShape) {
  SimClient c = client();
  c.creds.secret = "not-the-secret";
  Resp sts = c.query("sts", "GetCallerIdentity");
  EXPECT_EQ(sts.status, 403);
  EXPECT_EQ(xml_text(sts.body, "Code"), "SignatureDoesNotMatch");
  Resp s3 = c.s3("GET", "/public-website-assets", "acl");
  EXPECT_EQ(s3.status, 403);
  EXPECT_EQ(xml_text(s3.body, "Code"), "SignatureDoesNotMatch");
  Resp ec2 = c.query("ec2", "GetEbsEncryptionByDefault");
  EXPECT_EQ(ec2.status, 401);
  EXPECT_EQ(xml_text(ec2.body, "Code"), "AuthFailure");
  Resp kms = c.json("kms", "TrentService.GetKeyRotationStatus", R"({"KeyId":"x"})");
  EXPECT_EQ(kms.status, 400);
  EXPECT_NE(kms.body.find("InvalidSignatureException"), std::string::npos);
}

TEST_F(SimTest, TamperedBodyFailsTheSignature) {
  SimClient c = client();
  aws::HttpRequest req;
  req.method = "POST";
  req.path = "/";
  req.body = "Action=GetCallerIdentity&Version=2011-06-15";
  req.headers = {{"content-type", "application/x-www-form-urlencoded"}, {"host", "127.0.0.1:" + std::to_string(port_)}};
  aws::SigningParams p = aws::SigningParams::for_service("sts", "us-east-1");
  p.access_key_id = kPlatformKey;
  p.secret_access_key = kPlatformSecret;
  p.time = std::chrono::system_clock::now();
  ASSERT_TRUE(aws::sign_request(req, p).ok());
  req.body = "Action=GetCallerIdentity&Version=2011-06-16";
  Resp r = c.raw(req);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(xml_text(r.body, "Code"), "SignatureDoesNotMatch");
}

TEST_F(SimTest, UnknownKeyIsInvalidClientTokenIdOrInvalidAccessKeyId) {
  SimClient c = client();
  c.creds = {"AKIANOTAREALKEY00000", "whatever", ""};
  Resp sts = c.query("sts", "GetCallerIdentity");
  EXPECT_EQ(sts.status, 403);
  EXPECT_EQ(xml_text(sts.body, "Code"), "InvalidClientTokenId");
  Resp s3 = c.s3("GET", "/public-website-assets", "acl");
  EXPECT_EQ(s3.status, 403);
  EXPECT_EQ(xml_text(s3.body, "Code"), "InvalidAccessKeyId");
  Resp kms = c.json("kms", "TrentService.GetKeyRotationStatus", R"({"KeyId":"x"})");
  EXPECT_NE(kms.body.find("UnrecognizedClientException"), std::string::npos);
}

TEST_F(SimTest, InactiveKeyCannotSign) {
  sim_->with_world([](World& w) { w.find_account("999999999999")->users[0].access_keys[0].status = "Inactive"; });
  Resp r = client().query("sts", "GetCallerIdentity");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(xml_text(r.body, "Code"), "InvalidClientTokenId");
}

TEST_F(SimTest, MissingAuthorizationIsRejected) {
  aws::HttpRequest req;
  req.method = "POST";
  req.path = "/";
  req.body = "Action=GetCallerIdentity&Version=2011-06-15";
  req.headers = {{"content-type", "application/x-www-form-urlencoded"}, {"host", "sts.amazonaws.com"}};
  Resp r = client().raw(req);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(xml_text(r.body, "Code"), "MissingAuthenticationToken");
}

TEST_F(SimTest, ClockSkewBeyondFiveMinutesIsRejectedWithServerDate) {
  SimClient c = client();
  c.time = std::chrono::system_clock::now() - std::chrono::minutes(6);
  Resp s3 = c.s3("GET", "/public-website-assets", "acl");
  EXPECT_EQ(s3.status, 403);
  EXPECT_EQ(xml_text(s3.body, "Code"), "RequestTimeTooSkewed");
  EXPECT_FALSE(xml_text(s3.body, "ServerTime").empty());
  EXPECT_FALSE(s3.header("Date").empty());
  Resp sts = c.query("sts", "GetCallerIdentity");
  EXPECT_EQ(sts.status, 403);
  EXPECT_NE(xml_text(sts.body, "Message").find("Signature expired"), std::string::npos);
  c.time = std::chrono::system_clock::now() - std::chrono::minutes(4);
  EXPECT_EQ(c.query("sts", "GetCallerIdentity").status, 200);
}

TEST_F(SimTest, SessionTokenMustMatchAndExpire) {
  SimClient s = as("111111111111");
  ASSERT_EQ(s.query("sts", "GetCallerIdentity").status, 200);
  SimClient no_token = s;
  no_token.creds.token = "";
  Resp missing = no_token.query("sts", "GetCallerIdentity");
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(xml_text(missing.body, "Code"), "InvalidClientTokenId");
  SimClient s3_no_token = no_token;
  Resp s3_missing = s3_no_token.s3("GET", "/public-website-assets", "acl");
  EXPECT_EQ(xml_text(s3_missing.body, "Code"), "InvalidToken");

  sim_->expire_sessions();
  Resp expired = s.query("sts", "GetCallerIdentity");
  EXPECT_EQ(expired.status, 403);
  EXPECT_EQ(xml_text(expired.body, "Code"), "ExpiredToken");
  Resp s3_expired = s.s3("GET", "/public-website-assets", "acl");
  EXPECT_EQ(s3_expired.status, 400);
  EXPECT_EQ(xml_text(s3_expired.body, "Code"), "ExpiredToken");
  Resp json_expired = s.json("kms", "TrentService.GetKeyRotationStatus", R"({"KeyId":"x"})");
  EXPECT_NE(json_expired.body.find("ExpiredTokenException"), std::string::npos);
}

TEST_F(SimTest, SessionDurationComesFromTheRequestAndTheSimulatorClock) {
  TimePoint fake = std::chrono::system_clock::now();
  auto clock_sim = Simulator::create_from_file(kDemoSeed, SimulatorOptions{[&fake] { return fake; }});
  ASSERT_TRUE(clock_sim.ok());
  auto port = clock_sim.value()->start(0);
  ASSERT_TRUE(port.ok());
  SimClient c(port.value());
  c.time = fake;
  Resp r = c.query("sts", "AssumeRole", {{"RoleArn", "arn:aws:iam::111111111111:role/fixgate-remediation"},
                                         {"RoleSessionName", "short"},
                                         {"ExternalId", "demo-external-id"},
                                         {"DurationSeconds", "900"}});
  ASSERT_EQ(r.status, 200) << r.body;
  SimClient s(port.value());
  s.creds = {xml_text(r.body, "AccessKeyId"), xml_text(r.body, "SecretAccessKey"), xml_text(r.body, "SessionToken")};
  fake += std::chrono::seconds(899);
  s.time = fake;
  EXPECT_EQ(s.query("sts", "GetCallerIdentity").status, 200);
  fake += std::chrono::seconds(2);
  s.time = fake;
  EXPECT_EQ(xml_text(s.query("sts", "GetCallerIdentity").body, "Code"), "ExpiredToken");
  c.time = fake;
  Resp too_long = c.query("sts", "AssumeRole", {{"RoleArn", "arn:aws:iam::111111111111:role/fixgate-remediation"},
                                                {"RoleSessionName", "long"},
                                                {"ExternalId", "demo-external-id"},
                                                {"DurationSeconds", "7200"}});
  EXPECT_EQ(too_long.status, 400) << too_long.body;
  EXPECT_EQ(xml_text(too_long.body, "Code"), "ValidationError");
  clock_sim.value()->stop();
}

TEST_F(SimTest, VirtualHostStyleS3IsSignedAndRouted) {
  SimClient c = as("111111111111");
  c.host_override = "public-website-assets.s3.us-east-1.amazonaws.com";
  Resp r = c.s3("GET", "/", "acl");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("http://acs.amazonaws.com/groups/global/AllUsers"), std::string::npos);
  c.host_override = "public-website-assets.localhost:" + std::to_string(port_);
  EXPECT_EQ(c.s3("GET", "/", "acl").status, 200);
}

}  // namespace
}  // namespace fixgate::cloudsim::testing
