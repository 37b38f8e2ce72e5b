// Wire conformance against the official AWS SDK for JavaScript v3.
//
// tests/peers/aws-sdk-wire/capture.mjs sends every operation in operations.json
// through the SDK (fixed credentials, pinned clock) to a capturing loopback server.
// Here fixgate builds and signs the same operations with the same credentials and
// clock, and each request must match the SDK's: method, path and query, body bytes
// (hence every parameter), every signed header's value, and the signature itself.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aws/client.h"
#include "aws/operations.h"
#include "aws/sts.h"

namespace fs = std::filesystem;
using namespace fixgate::aws;
using nlohmann::json;

namespace {

const fs::path kPeer = fs::path(FIXGATE_SOURCE_DIR) / "tests" / "peers" / "aws-sdk-wire";

json load_json(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

std::vector<std::string> operation_names() {
  std::vector<std::string> names;
  const json cases = load_json(kPeer / "operations.json");
  for (const auto& op : cases["operations"]) names.push_back(op["name"]);
  return names;
}

struct Capture {
  bool available = false;
  std::string why;
  json data;
};

// Runs the SDK harness once for the whole suite.
const Capture& capture() {
  static const Capture result = [] {
    Capture c;
    if (!fs::exists(kPeer / "node_modules" / "@aws-sdk" / "client-sts")) {
      c.why = "tests/peers/aws-sdk-wire/node_modules is absent: run tests/peers/setup.sh (npm ci) first";
      return c;
    }
    const fs::path out = fs::path(FIXGATE_BINARY_DIR) / "aws-sdk-wire-capture.json";
    const fs::path err = fs::path(FIXGATE_BINARY_DIR) / "aws-sdk-wire-capture.stderr";
    const std::string cmd =
        "node '" + (kPeer / "capture.mjs").string() + "' > '" + out.string() + "' 2> '" + err.string() + "'";
    const int rc = std::system(cmd.c_str());
    if (rc != 0) {
      c.why = "capture.mjs failed (exit " + std::to_string(rc) + "); its stderr is in " + err.string();
      c.available = true;  // present but broken: the tests must fail, not skip
      return c;
    }
    c.data = load_json(out);
    c.available = true;
    return c;
  }();
  return result;
}

std::vector<std::string> strings(const json& a) {
  std::vector<std::string> out;
  if (a.is_array()) {
    for (const auto& v : a) out.push_back(v.get<std::string>());
  }
  return out;
}

ops::PublicAccessBlock pab(const json& c) {
  ops::PublicAccessBlock p;
  p.block_public_acls = c.value("BlockPublicAcls", false);
  p.ignore_public_acls = c.value("IgnorePublicAcls", false);
  p.block_public_policy = c.value("BlockPublicPolicy", false);
  p.restrict_public_buckets = c.value("RestrictPublicBuckets", false);
  return p;
}

template <typename T>
std::optional<T> opt(const json& in, const char* key) {
  if (!in.contains(key)) return std::nullopt;
  return in[key].get<T>();
}

// fixgate's builder for each operation, fed the same input the SDK got.
Operation build(const std::string& name, const json& in) {
  if (name == "AssumeRole") {
    AssumeRoleRequest r;
    r.role_arn = in["RoleArn"];
    r.role_session_name = in["RoleSessionName"];
    r.external_id = in.value("ExternalId", "");
    r.duration_seconds = opt<int>(in, "DurationSeconds");
    r.source_identity = in.value("SourceIdentity", "");
    for (const auto& t : in.value("Tags", json::array())) r.tags.emplace_back(t["Key"], t["Value"]);
    r.transitive_tag_keys = strings(in.value("TransitiveTagKeys", json::array()));
    return assume_role_operation(r);
  }
  if (name == "GetCallerIdentity") {
    Operation op;
    op.service = services::sts();
    op.name = "GetCallerIdentity";
    return op;
  }
  if (name == "ListAccessKeys") return ops::iam_list_access_keys(in.value("UserName", ""));
  if (name == "UpdateAccessKey") return ops::iam_update_access_key(in.value("UserName", ""), in["AccessKeyId"], in["Status"]);
  if (name == "GetAccessKeyLastUsed") return ops::iam_get_access_key_last_used(in["AccessKeyId"]);
  if (name == "DescribeSecurityGroups") {
    std::vector<ops::Ec2Filter> filters;
    for (const auto& f : in.value("Filters", json::array())) filters.push_back({f["Name"], strings(f["Values"])});
    return ops::ec2_describe_security_groups(strings(in.value("GroupIds", json::array())), filters);
  }
  if (name == "RevokeSecurityGroupIngress") {
    std::vector<ops::IpPermission> perms;
    for (const auto& p : in["IpPermissions"]) {
      ops::IpPermission perm;
      perm.ip_protocol = p["IpProtocol"];
      perm.from_port = opt<int>(p, "FromPort");
      perm.to_port = opt<int>(p, "ToPort");
      for (const auto& r : p.value("IpRanges", json::array())) perm.ipv4_cidrs.push_back(r["CidrIp"]);
      for (const auto& r : p.value("Ipv6Ranges", json::array())) perm.ipv6_cidrs.push_back(r["CidrIpv6"]);
      perms.push_back(perm);
    }
    return ops::ec2_revoke_security_group_ingress(in["GroupId"], perms);
  }
  if (name == "GetEbsEncryptionByDefault") return ops::ec2_get_ebs_encryption_by_default();
  if (name == "EnableEbsEncryptionByDefault") return ops::ec2_enable_ebs_encryption_by_default();
  if (name == "GetPublicAccessBlock") return ops::s3_get_public_access_block(in["Bucket"]);
  if (name == "PutPublicAccessBlock") {
    return ops::s3_put_public_access_block(in["Bucket"], pab(in["PublicAccessBlockConfiguration"]));
  }
  if (name == "GetBucketEncryption") return ops::s3_get_bucket_encryption(in["Bucket"]);
  if (name == "PutBucketEncryption") {
    const json& rule = in["ServerSideEncryptionConfiguration"]["Rules"][0];
    const json& def = rule["ApplyServerSideEncryptionByDefault"];
    return ops::s3_put_bucket_encryption(in["Bucket"], def["SSEAlgorithm"], def.value("KMSMasterKeyID", ""),
                                         opt<bool>(rule, "BucketKeyEnabled"));
  }
  if (name == "GetBucketAcl") return ops::s3_get_bucket_acl(in["Bucket"]);
  if (name == "PutBucketAcl") return ops::s3_put_bucket_acl(in["Bucket"], in["ACL"]);
  if (name == "ControlPutPublicAccessBlock") {
    return ops::s3control_put_public_access_block(in["AccountId"], pab(in["PublicAccessBlockConfiguration"]));
  }
  if (name == "ReceiveMessage") {
    ops::ReceiveMessageOptions o;
    o.max_number_of_messages = in.value("MaxNumberOfMessages", 1);
    o.visibility_timeout = opt<int>(in, "VisibilityTimeout");
    o.wait_time_seconds = opt<int>(in, "WaitTimeSeconds");
    o.message_attribute_names = strings(in.value("MessageAttributeNames", json::array()));
    o.message_system_attribute_names = strings(in.value("MessageSystemAttributeNames", json::array()));
    return ops::sqs_receive_message(in["QueueUrl"], o);
  }
  if (name == "DeleteMessage") return ops::sqs_delete_message(in["QueueUrl"], in["ReceiptHandle"]);
  if (name == "GetResources") {
    std::vector<ops::TagFilter> filters;
    for (const auto& f : in.value("TagFilters", json::array())) filters.push_back({f["Key"], strings(f["Values"])});
    return ops::tagging_get_resources(filters, strings(in.value("ResourceTypeFilters", json::array())),
                                      opt<int>(in, "ResourcesPerPage"));
  }
  if (name == "EnableKeyRotation") return ops::kms_enable_key_rotation(in["KeyId"], opt<int>(in, "RotationPeriodInDays"));
  ADD_FAILURE() << "no fixgate builder for " << name;
  return {};
}

class WireConformance : public testing::TestWithParam<std::string> {};

TEST_P(WireConformance, RequestMatchesAwsSdkForJavaScript) {
  const Capture& cap = capture();
  if (!cap.available) GTEST_SKIP() << cap.why;
  ASSERT_TRUE(cap.why.empty()) << cap.why;

  const json cases = load_json(kPeer / "operations.json");
  json input;
  for (const auto& op : cases["operations"]) {
    if (op["name"] == GetParam()) input = op["input"];
  }
  json sdk;
  for (const auto& r : cap.data["requests"]) {
    if (r["name"] == GetParam()) sdk = r;
  }
  ASSERT_FALSE(sdk.is_null()) << "SDK capture has no request for " << GetParam();

  const int port = cap.data["port"];
  ClientConfig config;
  config.region = cases["region"];
  config.endpoint_url = "http://127.0.0.1:" + std::to_string(port);
  config.endpoint_urls["S3 Control"] = "http://localhost:" + std::to_string(port);
  AwsClient client(config);
  Credentials creds;
  creds.access_key_id = cases["credentials"]["accessKeyId"];
  creds.secret_access_key = cases["credentials"]["secretAccessKey"];
  creds.session_token = cases["credentials"]["sessionToken"];
  std::string ts = cases["time"];  // 2026-03-14T09:26:53Z
  std::erase(ts, '-');
  std::erase(ts, ':');
  const auto time = parse_amz_date(ts).value();

  auto prepared = client.prepare(build(GetParam(), input), creds, time);
  ASSERT_TRUE(prepared.ok()) << prepared.error().to_string();
  const HttpRequest& mine = prepared->second;

  std::string target = mine.path;
  if (!mine.query.empty()) target += "?" + encode_query(mine.query);
  EXPECT_EQ(mine.method, sdk["method"].get<std::string>());
  EXPECT_EQ(target, sdk["target"].get<std::string>());
  EXPECT_EQ(mine.body, sdk["body"].get<std::string>());

  const std::string sdk_auth = sdk["headers"]["authorization"];
  const auto sdk_parsed = parse_authorization(sdk_auth);
  ASSERT_TRUE(sdk_parsed.ok()) << sdk_parsed.error().to_string();
  ASSERT_NE(mine.header("authorization"), nullptr);
  const auto mine_parsed = parse_authorization(*mine.header("authorization"));
  ASSERT_TRUE(mine_parsed.ok());
  EXPECT_EQ(mine_parsed->signed_headers, sdk_parsed->signed_headers);
  for (const auto& name : sdk_parsed->signed_headers) {
    const std::string* value = mine.header(name);
    ASSERT_NE(value, nullptr) << "fixgate does not send signed header " << name;
    EXPECT_EQ(*value, sdk["headers"][name].get<std::string>()) << "header " << name;
  }
  EXPECT_EQ(mine_parsed->region, sdk_parsed->region);
  EXPECT_EQ(mine_parsed->service, sdk_parsed->service);
  EXPECT_EQ(mine_parsed->signature, sdk_parsed->signature);
  EXPECT_EQ(*mine.header("authorization"), sdk_auth);
}

INSTANTIATE_TEST_SUITE_P(AwsSdkJs, WireConformance, testing::ValuesIn(operation_names()),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
