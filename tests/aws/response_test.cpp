// Error envelopes and response bodies from real AWS services (corpus/aws-responses,
// recorded by botocore) read by fixgate's parsers; botocore's parsed JSON beside each
// body is the expected result.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aws/credentials.h"
#include "aws/errors.h"
#include "aws/responses.h"
#include "aws/sts.h"
#include "aws/xml.h"

namespace fs = std::filesystem;
using namespace fixgate::aws;
using nlohmann::json;

namespace {

const fs::path kCorpus = fs::path(FIXGATE_SHARED_DIR) / "corpus" / "aws-responses" / "botocore-response-parsing";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> stems(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".xml") out.push_back(e.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string name_of(const testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  for (auto& c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return n;
}

// ---- the three XML error envelopes --------------------------------------------

class CorpusErrors : public testing::TestWithParam<std::string> {};

TEST_P(CorpusErrors, EnvelopeParsesToBotocoresCodeMessageAndRequestId) {
  const std::string body = slurp(kCorpus / "errors" / (GetParam() + ".xml"));
  const json expected = json::parse(slurp(kCorpus / "errors" / (GetParam() + ".json")));
  const AwsError e = parse_error_response(400, {}, body);
  EXPECT_EQ(e.code, expected["Error"]["Code"].get<std::string>());
  EXPECT_EQ(e.message, expected["Error"]["Message"].get<std::string>());
  EXPECT_EQ(e.http_status, 400);
  if (expected["ResponseMetadata"].contains("RequestId")) {
    EXPECT_EQ(e.request_id, expected["ResponseMetadata"]["RequestId"].get<std::string>());
  } else {
    // botocore reads S3 request ids from headers; the S3 envelope carries it too.
    auto root = parse_xml(body);
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(e.request_id, root->text_at("RequestId"));
    EXPECT_FALSE(e.request_id.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Botocore, CorpusErrors, testing::ValuesIn(stems(kCorpus / "errors")), name_of);

TEST(CorpusErrorKinds, EachEnvelopeGetsTheRightKind) {
  auto kind = [](const char* file, int status) {
    return parse_error_response(status, {}, slurp(kCorpus / "errors" / file)).kind;
  };
  EXPECT_EQ(kind("ec2-describe-instances.xml", 400), ErrorKind::validation);  // InvalidInstanceID.Malformed
  EXPECT_EQ(kind("iam-get-user.xml", 404), ErrorKind::not_found);             // NoSuchEntity
  EXPECT_EQ(kind("s3-list-objects.xml", 403), ErrorKind::access_denied);      // AccessDenied
  EXPECT_EQ(kind("sts-get-session-token.xml", 403), ErrorKind::access_denied);
  EXPECT_EQ(kind("sns-delete-topic.xml", 400), ErrorKind::validation);        // InvalidParameter
  EXPECT_EQ(kind("s3-create-bucket.xml", 409), ErrorKind::other);             // BucketAlreadyOwnedByYou
}

// ---- JSON error shape ----------------------------------------------------------

TEST(JsonErrors, TypeWithNamespaceAndUrlSuffix) {
  const AwsError e = parse_error_response(
      400, {{"x-amzn-RequestId", "req-1"}},
      R"({"__type":"com.amazonaws.kms#NotFoundException:http://internal.amazon.com/coral/","message":"Key 'x' does not exist"})");
  EXPECT_EQ(e.code, "NotFoundException");
  EXPECT_EQ(e.message, "Key 'x' does not exist");
  EXPECT_EQ(e.request_id, "req-1");
  EXPECT_EQ(e.kind, ErrorKind::not_found);
}

TEST(JsonErrors, QueryCompatibleHeaderWins) {
  const AwsError e = parse_error_response(
      400, {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}},
      R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."})");
  EXPECT_EQ(e.code, "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(e.kind, ErrorKind::not_found);
}

TEST(JsonErrors, ErrorTypeHeaderWinsOverTheBody) {
  const AwsError e = parse_error_response(400, {{"X-Amzn-Errortype", "ThrottlingException:http://internal/"}},
                                          R"({"__type":"ValidationException","message":"m"})");
  EXPECT_EQ(e.code, "ThrottlingException");
  EXPECT_EQ(e.message, "m");
}

TEST(JsonErrors, ThrottlingAndCodeField) {
  EXPECT_EQ(parse_error_response(400, {}, R"({"code":"ThrottlingException","Message":"Rate exceeded"})").kind,
            ErrorKind::throttling);
  EXPECT_EQ(parse_error_response(400, {}, R"({"__type":"ExpiredTokenException","message":"expired"})").kind,
            ErrorKind::expired_token);
}

TEST(Errors, UnreadableOrEmptyBodiesFallBackToStatus) {
  const AwsError empty404 = parse_error_response(404, {{"x-amz-request-id", "R1"}}, "");
  EXPECT_EQ(empty404.code, "NotFound");
  EXPECT_EQ(empty404.kind, ErrorKind::not_found);
  EXPECT_EQ(empty404.request_id, "R1");
  EXPECT_EQ(parse_error_response(503, {}, "<html>oops").kind, ErrorKind::transient);
  EXPECT_EQ(parse_error_response(429, {}, "{not json").kind, ErrorKind::throttling);
  EXPECT_EQ(parse_error_response(418, {}, "").code, "Http418");
}

TEST(Errors, ClassifiesTheCodesRemediationsMeet) {
  EXPECT_EQ(classify("Throttling", 400), ErrorKind::throttling);
  EXPECT_EQ(classify("RequestLimitExceeded", 503), ErrorKind::throttling);
  EXPECT_EQ(classify("SlowDown", 503), ErrorKind::throttling);
  EXPECT_EQ(classify("UnauthorizedOperation", 403), ErrorKind::access_denied);
  EXPECT_EQ(classify("InvalidGroup.NotFound", 400), ErrorKind::not_found);
  EXPECT_EQ(classify("NoSuchBucket", 404), ErrorKind::not_found);
  EXPECT_EQ(classify("NoSuchPublicAccessBlockConfiguration", 404), ErrorKind::not_found);
  EXPECT_EQ(classify("ServerSideEncryptionConfigurationNotFoundError", 404), ErrorKind::not_found);
  EXPECT_EQ(classify("ExpiredToken", 400), ErrorKind::expired_token);
  EXPECT_EQ(classify("RequestTimeTooSkewed", 403), ErrorKind::clock_skew);
  EXPECT_EQ(classify("RequestExpired", 400), ErrorKind::clock_skew);
  EXPECT_EQ(classify("MalformedPolicyDocument", 400), ErrorKind::validation);
  EXPECT_EQ(classify("InternalError", 500), ErrorKind::transient);
  EXPECT_EQ(classify("SomethingNew", 502), ErrorKind::transient);
  EXPECT_EQ(classify("SomethingNew", 400), ErrorKind::other);
}

TEST(Errors, ToErrorNamesEverythingAndEscapes) {
  AwsError e = parse_error_response(403, {{"x-amzn-RequestId", "abc-123"}},
                                    "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no \x1b[31m"
                                    "</Message></Error></ErrorResponse>");
  e.operation = "STS.AssumeRole";
  const fixgate::Error err = e.to_error();
  EXPECT_EQ(err.code, "aws.access_denied");
  EXPECT_NE(err.message.find("STS.AssumeRole"), std::string::npos);
  EXPECT_NE(err.message.find("HTTP 403"), std::string::npos);
  EXPECT_NE(err.message.find("abc-123"), std::string::npos);
  EXPECT_EQ(err.message.find('\x1b'), std::string::npos);
}

TEST(Errors, HttpDate) {
  const auto t = parse_http_date("Sat, 14 Mar 2026 09:26:53 GMT");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(format_iso8601(*t), "2026-03-14T09:26:53Z");
  EXPECT_FALSE(parse_http_date("yesterday").has_value());
}

// Found by aws_error_fuzz: a Date header in year 4052 overflowed system_clock.
TEST(Errors, FarFutureDatesAreRejectedNotOverflowed) {
  EXPECT_FALSE(parse_http_date("Sat, 14 Mar 4052 09:26:53 GMT").has_value());
  EXPECT_FALSE(parse_amz_date("40520314T092653Z").ok());
  EXPECT_FALSE(parse_iso8601("4052-03-14T09:26:53Z").has_value());
  const AwsError e = parse_error_response(403, {{"Date", "Sat, 14 Mar 4052 09:26:53 GMT"}}, "");
  EXPECT_FALSE(e.server_time.has_value());
}

std::optional<int> opt_int(const json& j, const char* key) {
  if (!j.contains(key)) return std::nullopt;
  return j[key].get<int>();
}

// ---- successful responses ------------------------------------------------------

class CorpusResponses : public testing::TestWithParam<std::string> {};

// Every recorded body parses, and its request id is where botocore found it.
TEST_P(CorpusResponses, ParsesAndCarriesBotocoresRequestId) {
  const std::string body = slurp(kCorpus / "responses" / (GetParam() + ".xml"));
  const json expected = json::parse(slurp(kCorpus / "responses" / (GetParam() + ".json")));
  if (expected.contains("Policy")) {
    // GetBucketPolicy's payload is the policy document itself, not XML: the operation
    // is marked raw_payload and the body is handed over untouched.
    EXPECT_TRUE(ops::s3_get_bucket_policy("b").raw_payload);
    EXPECT_EQ(body, expected["Policy"].get<std::string>());
    return;
  }
  auto root = parse_xml(body);
  ASSERT_TRUE(root.ok()) << root.error().to_string();
  EXPECT_FALSE(root->name.empty());
  if (expected.contains("ResponseMetadata") && expected["ResponseMetadata"].contains("RequestId")) {
    const std::string want = expected["ResponseMetadata"]["RequestId"];
    const std::string got = !root->text_at("ResponseMetadata/RequestId").empty() ? root->text_at("ResponseMetadata/RequestId")
                                                                                   : root->text_at("requestId");
    EXPECT_EQ(got, want);
  }
}

INSTANTIATE_TEST_SUITE_P(Botocore, CorpusResponses, testing::ValuesIn(stems(kCorpus / "responses")), name_of);

TEST(CorpusResponses, StsCredentialsMatchBotocore) {
  auto root = parse_xml(slurp(kCorpus / "responses" / "sts-get-session-token.xml"));
  ASSERT_TRUE(root.ok());
  const json expected = json::parse(slurp(kCorpus / "responses" / "sts-get-session-token.json"))["Credentials"];
  auto creds = parse_sts_credentials(*root->child("GetSessionTokenResult"));
  ASSERT_TRUE(creds.ok()) << creds.error().to_error().to_string();
  EXPECT_EQ(creds->access_key_id, expected["AccessKeyId"].get<std::string>());
  EXPECT_EQ(creds->secret_access_key, expected["SecretAccessKey"].get<std::string>());
  EXPECT_EQ(creds->session_token, expected["SessionToken"].get<std::string>());
  ASSERT_TRUE(creds->expiration.has_value());
  EXPECT_EQ(format_iso8601(*creds->expiration), "2011-07-11T19:55:29Z");
  // Printing never shows the secret or the token.
  const std::string shown = creds->to_string();
  EXPECT_EQ(shown.find(creds->secret_access_key), std::string::npos);
  EXPECT_EQ(shown.find("AQoEXAMPLE"), std::string::npos);
  EXPECT_NE(shown.find("AKIAIOSFODNN7EXAMPLE"), std::string::npos);
}

TEST(CorpusResponses, IamListAccessKeysMatchesBotocore) {
  auto root = parse_xml(slurp(kCorpus / "responses" / "iam-list-access-keys.xml"));
  ASSERT_TRUE(root.ok());
  const json expected = json::parse(slurp(kCorpus / "responses" / "iam-list-access-keys.json"));
  auto keys = read::list_access_keys(*root);
  ASSERT_TRUE(keys.ok()) << keys.error().to_string();
  ASSERT_EQ(keys->keys.size(), expected["AccessKeyMetadata"].size());
  for (size_t i = 0; i < keys->keys.size(); ++i) {
    EXPECT_EQ(keys->keys[i].access_key_id, expected["AccessKeyMetadata"][i]["AccessKeyId"].get<std::string>());
    EXPECT_EQ(keys->keys[i].status, expected["AccessKeyMetadata"][i]["Status"].get<std::string>());
    EXPECT_EQ(keys->keys[i].user_name, expected["AccessKeyMetadata"][i]["UserName"].get<std::string>());
  }
  EXPECT_EQ(keys->is_truncated, expected["IsTruncated"].get<bool>());
}

TEST(CorpusResponses, Ec2DescribeSecurityGroupsMatchesBotocore) {
  auto root = parse_xml(slurp(kCorpus / "responses" / "ec2-describe-security-groups.xml"));
  ASSERT_TRUE(root.ok());
  const json expected = json::parse(slurp(kCorpus / "responses" / "ec2-describe-security-groups.json"))["SecurityGroups"];
  auto groups = read::describe_security_groups(*root);
  ASSERT_TRUE(groups.ok()) << groups.error().to_string();
  ASSERT_EQ(groups->size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& g = (*groups)[i];
    const json& e = expected[i];
    EXPECT_EQ(g.group_id, e["GroupId"].get<std::string>());
    EXPECT_EQ(g.group_name, e["GroupName"].get<std::string>());
    EXPECT_EQ(g.owner_id, e["OwnerId"].get<std::string>());
    EXPECT_EQ(g.description, e["Description"].get<std::string>());
    ASSERT_EQ(g.ingress.size(), e["IpPermissions"].size());
    EXPECT_EQ(g.egress.size(), e["IpPermissionsEgress"].size());
    for (size_t j = 0; j < g.ingress.size(); ++j) {
      const json& p = e["IpPermissions"][j];
      EXPECT_EQ(g.ingress[j].ip_protocol, p["IpProtocol"].get<std::string>());
      EXPECT_EQ(g.ingress[j].from_port, opt_int(p, "FromPort"));
      EXPECT_EQ(g.ingress[j].to_port, opt_int(p, "ToPort"));
      ASSERT_EQ(g.ingress[j].ipv4_cidrs.size(), p["IpRanges"].size());
      for (size_t k = 0; k < p["IpRanges"].size(); ++k) {
        EXPECT_EQ(g.ingress[j].ipv4_cidrs[k], p["IpRanges"][k]["CidrIp"].get<std::string>());
      }
      EXPECT_EQ(g.ingress[j].source_group_ids.size(), p["UserIdGroupPairs"].size());
    }
  }
}

TEST(CorpusResponses, S3GetBucketAclMatchesBotocore) {
  auto root = parse_xml(slurp(kCorpus / "responses" / "s3-get-bucket-acl.xml"));
  ASSERT_TRUE(root.ok());
  const json expected = json::parse(slurp(kCorpus / "responses" / "s3-get-bucket-acl.json"));
  auto acl = read::bucket_acl(*root);
  ASSERT_TRUE(acl.ok()) << acl.error().to_string();
  EXPECT_EQ(acl->owner_id, expected["Owner"]["ID"].get<std::string>());
  EXPECT_EQ(acl->owner_display_name, expected["Owner"]["DisplayName"].get<std::string>());
  ASSERT_EQ(acl->grants.size(), expected["Grants"].size());
  for (size_t i = 0; i < acl->grants.size(); ++i) {
    EXPECT_EQ(acl->grants[i].permission, expected["Grants"][i]["Permission"].get<std::string>());
    EXPECT_EQ(acl->grants[i].grantee_type, expected["Grants"][i]["Grantee"]["Type"].get<std::string>());
    EXPECT_EQ(acl->grants[i].grantee_id, expected["Grants"][i]["Grantee"].value("ID", ""));
  }
}

TEST(Responses, WrongRootIsNamed) {
  auto root = parse_xml("<ListUsersResponse/>");
  ASSERT_TRUE(root.ok());
  auto keys = read::list_access_keys(*root);
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.error().code, "aws.response.unexpected");
  EXPECT_NE(keys.error().message.find("ListUsersResponse"), std::string::npos);
}

// Shapes from the S3 / EC2 API references (no licensed wire recording exists).
TEST(Responses, S3ConfigurationDocuments) {
  auto pab = parse_xml(
      "<PublicAccessBlockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><BlockPublicAcls>true"
      "</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy>"
      "<RestrictPublicBuckets>TRUE</RestrictPublicBuckets></PublicAccessBlockConfiguration>");
  ASSERT_TRUE(pab.ok());
  auto p = read::public_access_block(*pab);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->block_public_acls);
  EXPECT_FALSE(p->ignore_public_acls);
  EXPECT_TRUE(p->restrict_public_buckets);

  auto enc = parse_xml(
      "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms"
      "</SSEAlgorithm><KMSMasterKeyID>arn:k</KMSMasterKeyID></ApplyServerSideEncryptionByDefault>"
      "<BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>");
  ASSERT_TRUE(enc.ok());
  auto rules = read::bucket_encryption(*enc);
  ASSERT_TRUE(rules.ok());
  ASSERT_EQ(rules->size(), 1u);
  EXPECT_EQ((*rules)[0].sse_algorithm, "aws:kms");
  EXPECT_EQ((*rules)[0].kms_key_id, "arn:k");
  EXPECT_EQ((*rules)[0].bucket_key_enabled, true);

  auto ebs = parse_xml(
      "<GetEbsEncryptionByDefaultResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r</requestId>"
      "<ebsEncryptionByDefault>false</ebsEncryptionByDefault></GetEbsEncryptionByDefaultResponse>");
  ASSERT_TRUE(ebs.ok());
  EXPECT_EQ(read::ebs_encryption_by_default(*ebs).value(), false);
}

TEST(Xml, MalformedAndTooDeepAreErrors) {
  EXPECT_EQ(parse_xml("<a><b></a>").error().code, "aws.xml.malformed");
  EXPECT_EQ(parse_xml("").error().code, "aws.xml.malformed");
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "<a>";
  for (int i = 0; i < 200; ++i) deep += "</a>";
  EXPECT_EQ(parse_xml(deep).error().code, "aws.xml.too_deep");
}

}  // namespace

// ---- the AWS/Smithy protocol compliance error cases (botocore's copy) -------------

namespace {

const fs::path kProtocolOutput =
    fs::path(FIXGATE_SHARED_DIR) / "corpus" / "aws-responses" / "botocore-protocol-tests" / "output";

std::vector<std::string> protocol_error_cases() {
  std::vector<std::string> out;
  for (const char* file : {"query", "ec2", "rest-xml", "json_1_0", "json_1_0-query-compatible"}) {
    const json suites = json::parse(slurp(kProtocolOutput / (std::string(file) + ".json")));
    for (const auto& suite : suites) {
      for (const auto& c : suite["cases"]) {
        if (c.contains("errorCode")) out.push_back(std::string(file) + "/" + c["id"].get<std::string>());
      }
    }
  }
  return out;
}

class ProtocolErrors : public testing::TestWithParam<std::string> {};

TEST_P(ProtocolErrors, CodeAndMessageAsTheSpecSays) {
  const std::string file = GetParam().substr(0, GetParam().find('/'));
  const std::string id = GetParam().substr(GetParam().find('/') + 1);
  const json suites = json::parse(slurp(kProtocolOutput / (file + ".json")));
  json found;
  for (const auto& suite : suites) {
    for (const auto& c : suite["cases"]) {
      if (c["id"] == id) found = c;
    }
  }
  ASSERT_FALSE(found.is_null());
  KeyValues headers;
  for (const auto& [k, v] : found["response"]["headers"].items()) headers.emplace_back(k, v.get<std::string>());
  const AwsError e = parse_error_response(found["response"]["status_code"].get<int>(), headers,
                                          found["response"].value("body", ""));
  EXPECT_EQ(e.code, found["errorCode"].get<std::string>()) << found.value("description", "");
  if (found.contains("errorMessage")) {
    EXPECT_EQ(e.message, found["errorMessage"].get<std::string>());
  }
}

INSTANTIATE_TEST_SUITE_P(Smithy, ProtocolErrors, testing::ValuesIn(protocol_error_cases()), name_of);

}  // namespace
