// S3 and S3 Control bucket configuration: wire shapes, error shapes, state changes.
#include "sim_fixture.h"

namespace fixgate::cloudsim::testing {
namespace {

const std::string kPab =
    "<PublicAccessBlockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><BlockPublicAcls>true</BlockPublicAcls>"
    "<IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy>"
    "<RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>";

TEST_F(SimTest, PublicAccessBlockMissingThenPutThenDeleted) {
  SimClient c = as("111111111111");
  Resp missing = c.s3("GET", "/public-website-assets", "publicAccessBlock");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("<Error><Code>NoSuchPublicAccessBlockConfiguration</Code>"), std::string::npos);
  EXPECT_EQ(xml_text(missing.body, "BucketName"), "public-website-assets");
  EXPECT_EQ(missing.header("x-amz-request-id"), xml_text(missing.body, "RequestId"));
  EXPECT_FALSE(missing.header("x-amz-id-2").empty());

  Resp put = c.s3("PUT", "/public-website-assets", "publicAccessBlock", kPab);
  ASSERT_EQ(put.status, 200) << put.body;
  Resp got = c.s3("GET", "/public-website-assets", "publicAccessBlock");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(xml_text(got.body, "BlockPublicAcls"), "true");
  EXPECT_EQ(xml_text(got.body, "RestrictPublicBuckets"), "true");
  EXPECT_EQ(sim_->call_count("s3:PutPublicAccessBlock"), 1);

  EXPECT_EQ(c.s3("DELETE", "/public-website-assets", "publicAccessBlock").status, 204);
  EXPECT_EQ(c.s3("GET", "/public-website-assets", "publicAccessBlock").status, 404);
}

TEST_F(SimTest, BucketErrorsUseS3Shapes) {
  SimClient c = as("111111111111");
  Resp none = c.s3("GET", "/no-such-bucket-anywhere", "acl");
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(xml_text(none.body, "Code"), "NoSuchBucket");
  EXPECT_EQ(xml_text(none.body, "BucketName"), "no-such-bucket-anywhere");
  Resp foreign = c.s3("GET", "/staging-customer-exports", "acl");  // owned by 222222222222
  EXPECT_EQ(foreign.status, 403);
  EXPECT_EQ(xml_text(foreign.body, "Code"), "AccessDenied");
  Resp no_policy = c.s3("GET", "/production-customer-exports", "policy");
  EXPECT_EQ(no_policy.status, 404);
  EXPECT_EQ(xml_text(no_policy.body, "Code"), "NoSuchBucketPolicy");
  Resp no_enc = c.s3("GET", "/production-customer-exports", "encryption");
  EXPECT_EQ(no_enc.status, 404);
  EXPECT_EQ(xml_text(no_enc.body, "Code"), "ServerSideEncryptionConfigurationNotFoundError");
  EXPECT_EQ(xml_text(no_enc.body, "Message"), "The server side encryption configuration was not found");
  Resp bad_xml = c.s3("PUT", "/public-website-assets", "publicAccessBlock", "<PublicAccessBlockConfiguration>");
  EXPECT_EQ(xml_text(bad_xml.body, "Code"), "MalformedXML");
  Resp bad_md5 = c.s3("PUT", "/public-website-assets", "publicAccessBlock", kPab, {{"content-md5", "AAAAAAAAAAAAAAAAAAAAAA=="}});
  EXPECT_EQ(xml_text(bad_md5.body, "Code"), "BadDigest");
  Resp unknown = c.s3("GET", "/public-website-assets", "website");
  EXPECT_EQ(unknown.status, 501);
  EXPECT_EQ(xml_text(unknown.body, "Code"), "NotImplemented");
}

TEST_F(SimTest, BucketAclShowsPublicGrantsAndCannedPrivateRemovesThem) {
  SimClient c = as("111111111111");
  Resp acl = c.s3("GET", "/public-website-assets", "acl");
  ASSERT_EQ(acl.status, 200) << acl.body;
  EXPECT_NE(acl.body.find("xsi:type=\"Group\""), std::string::npos);
  EXPECT_NE(acl.body.find("<URI>http://acs.amazonaws.com/groups/global/AllUsers</URI>"), std::string::npos);
  EXPECT_EQ(xml_count(acl.body, "*[local-name()='Grant']"), 2u);

  Resp put = c.s3("PUT", "/public-website-assets", "acl", "", {{"x-amz-acl", "private"}});
  ASSERT_EQ(put.status, 200) << put.body;
  Resp after = c.s3("GET", "/public-website-assets", "acl");
  EXPECT_EQ(after.body.find("AllUsers"), std::string::npos);
  EXPECT_EQ(xml_count(after.body, "*[local-name()='Grant']"), 1u);
  EXPECT_EQ(xml_text(after.body, "Permission"), "FULL_CONTROL");

  // Rollback with an XML body restores the previous grants.
  Resp restore = c.s3("PUT", "/public-website-assets", "acl", acl.body.substr(acl.body.find("<AccessControlPolicy")));
  ASSERT_EQ(restore.status, 200) << restore.body;
  EXPECT_NE(c.s3("GET", "/public-website-assets", "acl").body.find("AllUsers"), std::string::npos);
}

TEST_F(SimTest, PublicAclIsRefusedWhileBlockPublicAclsIsOn) {
  SimClient c = as("111111111111");
  ASSERT_EQ(c.s3("PUT", "/public-website-assets", "publicAccessBlock", kPab).status, 200);
  Resp r = c.s3("PUT", "/public-website-assets", "acl", "", {{"x-amz-acl", "public-read"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(xml_text(r.body, "Code"), "AccessDenied");
}

TEST_F(SimTest, BucketPolicyIsReturnedVerbatim) {
  SimClient c = as("111111111111");
  Resp r = c.s3("GET", "/public-website-assets", "policy");
  ASSERT_EQ(r.status, 200);
  auto policy = nlohmann::json::parse(r.body);
  EXPECT_EQ(policy["Statement"][0]["Principal"], "*");
}

TEST_F(SimTest, BucketEncryptionPutGetDelete) {
  SimClient c = as("111111111111");
  const std::string body =
      "<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule>"
      "<ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm>"
      "<KMSMasterKeyID>arn:aws:kms:us-east-1:111111111111:key/abc</KMSMasterKeyID></ApplyServerSideEncryptionByDefault>"
      "<BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>";
  ASSERT_EQ(c.s3("PUT", "/production-customer-exports", "encryption", body).status, 200);
  Resp got = c.s3("GET", "/production-customer-exports", "encryption");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(xml_text(got.body, "SSEAlgorithm"), "aws:kms");
  EXPECT_EQ(xml_text(got.body, "KMSMasterKeyID"), "arn:aws:kms:us-east-1:111111111111:key/abc");
  EXPECT_EQ(xml_text(got.body, "BucketKeyEnabled"), "true");
  EXPECT_EQ(c.s3("DELETE", "/production-customer-exports", "encryption").status, 204);
  EXPECT_EQ(c.s3("GET", "/production-customer-exports", "encryption").status, 404);
  // S3 requires an integrity header on this PUT.
  aws::HttpRequest req;
  req.method = "PUT";
  req.path = "/production-customer-exports";
  req.query = {{"encryption", ""}};
  req.body = body;
  Resp no_md5 = c.send("s3", req);
  EXPECT_EQ(xml_text(no_md5.body, "Code"), "InvalidRequest");
}

TEST_F(SimTest, S3ControlAccountPublicAccessBlock) {
  SimClient c = as("222222222222");
  aws::HttpRequest get;
  get.method = "GET";
  get.path = "/v20180820/configuration/publicAccessBlock";
  get.headers = {{"x-amz-account-id", "222222222222"}};
  Resp missing = c.send("s3", get);
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("<ErrorResponse><Error><Code>NoSuchPublicAccessBlockConfiguration</Code>"), std::string::npos);

  aws::HttpRequest put = get;
  put.method = "PUT";
  put.body = "<PublicAccessBlockConfiguration xmlns=\"http://awss3control.amazonaws.com/doc/2018-08-20/\">"
             "<BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls>"
             "<BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>false</RestrictPublicBuckets>"
             "</PublicAccessBlockConfiguration>";
  ASSERT_EQ(c.send("s3", put).status, 200);
  Resp got = c.send("s3", get);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(xml_text(got.body, "BlockPublicPolicy"), "true");
  EXPECT_EQ(xml_text(got.body, "RestrictPublicBuckets"), "false");
  EXPECT_EQ(sim_->call_count("s3control:PutPublicAccessBlock"), 1);

  aws::HttpRequest other = get;
  other.headers = {{"x-amz-account-id", "111111111111"}};
  EXPECT_EQ(xml_text(c.send("s3", other).body, "Code"), "AccessDenied");
}

}  // namespace
}  // namespace fixgate::cloudsim::testing
