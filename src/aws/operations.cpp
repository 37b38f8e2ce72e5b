#include "aws/operations.h"

#include "aws/xml.h"

namespace fixgate::aws::ops {
namespace {

constexpr const char* kXmlDecl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

Operation query_op(const ServiceInfo& service, std::string name) {
  Operation op;
  op.service = service;
  op.name = std::move(name);
  return op;
}

Operation s3_bucket_op(std::string name, const std::string& bucket, std::string method, std::string subresource) {
  Operation op;
  op.service = services::s3();
  op.name = std::move(name);
  op.bucket = bucket;
  op.method = std::move(method);
  op.path = "/";
  op.query = {{std::move(subresource), ""}};
  return op;
}

const char* b(bool v) { return v ? "true" : "false"; }

std::string public_access_block_xml(const PublicAccessBlock& c, const char* xmlns) {
  std::string x = kXmlDecl;
  x += "<PublicAccessBlockConfiguration xmlns=\"";
  x += xmlns;
  x += "\"><BlockPublicAcls>";
  x += b(c.block_public_acls);
  x += "</BlockPublicAcls><IgnorePublicAcls>";
  x += b(c.ignore_public_acls);
  x += "</IgnorePublicAcls><BlockPublicPolicy>";
  x += b(c.block_public_policy);
  x += "</BlockPublicPolicy><RestrictPublicBuckets>";
  x += b(c.restrict_public_buckets);
  x += "</RestrictPublicBuckets></PublicAccessBlockConfiguration>";
  return x;
}

nlohmann::ordered_json string_array(const std::vector<std::string>& values) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const auto& v : values) a.push_back(v);
  return a;
}

}  // namespace

Operation iam_list_access_keys(const std::string& user_name, const std::string& marker) {
  Operation op = query_op(services::iam(), "ListAccessKeys");
  if (!user_name.empty()) op.params.emplace_back("UserName", user_name);
  if (!marker.empty()) op.params.emplace_back("Marker", marker);
  return op;
}

Operation iam_update_access_key(const std::string& user_name, const std::string& access_key_id,
                                const std::string& status) {
  Operation op = query_op(services::iam(), "UpdateAccessKey");
  op.params.emplace_back("AccessKeyId", access_key_id);
  op.params.emplace_back("Status", status);
  if (!user_name.empty()) op.params.emplace_back("UserName", user_name);
  return op;
}

Operation iam_get_access_key_last_used(const std::string& access_key_id) {
  Operation op = query_op(services::iam(), "GetAccessKeyLastUsed");
  op.params.emplace_back("AccessKeyId", access_key_id);
  return op;
}

Operation ec2_describe_security_groups(const std::vector<std::string>& group_ids, const std::vector<Ec2Filter>& filters) {
  Operation op = query_op(services::ec2(), "DescribeSecurityGroups");
  const Protocol p = op.service.protocol;
  for (size_t i = 0; i < group_ids.size(); ++i) op.params.emplace_back(list_key(p, "GroupId", i + 1), group_ids[i]);
  for (size_t i = 0; i < filters.size(); ++i) {
    const std::string prefix = list_key(p, "Filter", i + 1);
    op.params.emplace_back(prefix + ".Name", filters[i].name);
    for (size_t j = 0; j < filters[i].values.size(); ++j) {
      op.params.emplace_back(list_key(p, prefix + ".Value", j + 1), filters[i].values[j]);
    }
  }
  return op;
}

Operation ec2_revoke_security_group_ingress(const std::string& group_id, const std::vector<IpPermission>& permissions) {
  Operation op = query_op(services::ec2(), "RevokeSecurityGroupIngress");
  const Protocol p = op.service.protocol;
  op.params.emplace_back("GroupId", group_id);
  for (size_t i = 0; i < permissions.size(); ++i) {
    const IpPermission& perm = permissions[i];
    const std::string prefix = list_key(p, "IpPermissions", i + 1);
    op.params.emplace_back(prefix + ".IpProtocol", perm.ip_protocol);
    if (perm.from_port) op.params.emplace_back(prefix + ".FromPort", std::to_string(*perm.from_port));
    if (perm.to_port) op.params.emplace_back(prefix + ".ToPort", std::to_string(*perm.to_port));
    for (size_t j = 0; j < perm.ipv4_cidrs.size(); ++j) {
      op.params.emplace_back(list_key(p, prefix + ".IpRanges", j + 1) + ".CidrIp", perm.ipv4_cidrs[j]);
    }
    for (size_t j = 0; j < perm.ipv6_cidrs.size(); ++j) {
      op.params.emplace_back(list_key(p, prefix + ".Ipv6Ranges", j + 1) + ".CidrIpv6", perm.ipv6_cidrs[j]);
    }
  }
  return op;
}

Operation ec2_get_ebs_encryption_by_default() { return query_op(services::ec2(), "GetEbsEncryptionByDefault"); }
Operation ec2_enable_ebs_encryption_by_default() { return query_op(services::ec2(), "EnableEbsEncryptionByDefault"); }

Operation s3_get_public_access_block(const std::string& bucket) {
  return s3_bucket_op("GetPublicAccessBlock", bucket, "GET", "publicAccessBlock");
}

Operation s3_put_public_access_block(const std::string& bucket, const PublicAccessBlock& config) {
  Operation op = s3_bucket_op("PutPublicAccessBlock", bucket, "PUT", "publicAccessBlock");
  op.body = public_access_block_xml(config, "http://s3.amazonaws.com/doc/2006-03-01/");
  op.checksum_crc32 = true;
  return op;
}

Operation s3_get_bucket_encryption(const std::string& bucket) {
  return s3_bucket_op("GetBucketEncryption", bucket, "GET", "encryption");
}

Operation s3_put_bucket_encryption(const std::string& bucket, const std::string& sse_algorithm,
                                   const std::string& kms_key_id, std::optional<bool> bucket_key_enabled) {
  Operation op = s3_bucket_op("PutBucketEncryption", bucket, "PUT", "encryption");
  std::string x = kXmlDecl;
  x += "<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule>";
  x += "<ApplyServerSideEncryptionByDefault><SSEAlgorithm>" + xml_escape(sse_algorithm) + "</SSEAlgorithm>";
  if (!kms_key_id.empty()) x += "<KMSMasterKeyID>" + xml_escape(kms_key_id) + "</KMSMasterKeyID>";
  x += "</ApplyServerSideEncryptionByDefault>";
  if (bucket_key_enabled) x += std::string("<BucketKeyEnabled>") + b(*bucket_key_enabled) + "</BucketKeyEnabled>";
  x += "</Rule></ServerSideEncryptionConfiguration>";
  op.body = std::move(x);
  op.checksum_crc32 = true;
  return op;
}

Operation s3_get_bucket_policy(const std::string& bucket) {
  Operation op = s3_bucket_op("GetBucketPolicy", bucket, "GET", "policy");
  op.raw_payload = true;
  return op;
}

Operation s3_delete_bucket_policy(const std::string& bucket) {
  return s3_bucket_op("DeleteBucketPolicy", bucket, "DELETE", "policy");
}

Operation s3_get_bucket_acl(const std::string& bucket) { return s3_bucket_op("GetBucketAcl", bucket, "GET", "acl"); }

Operation s3_put_bucket_acl(const std::string& bucket, const std::string& canned_acl) {
  Operation op = s3_bucket_op("PutBucketAcl", bucket, "PUT", "acl");
  op.headers.emplace_back("x-amz-acl", canned_acl);
  op.checksum_crc32 = true;
  return op;
}

Operation s3control_put_public_access_block(const std::string& account_id, const PublicAccessBlock& config) {
  Operation op;
  op.service = services::s3_control();
  op.name = "PutPublicAccessBlock";
  op.method = "PUT";
  op.path = "/v20180820/configuration/publicAccessBlock";
  op.host_prefix = account_id + ".";
  op.headers.emplace_back("x-amz-account-id", account_id);
  op.body = public_access_block_xml(config, "http://awss3control.amazonaws.com/doc/2018-08-20/");
  return op;
}

Operation sqs_receive_message(const std::string& queue_url, const ReceiveMessageOptions& o) {
  Operation op;
  op.service = services::sqs();
  op.name = "ReceiveMessage";
  op.input["QueueUrl"] = queue_url;
  if (!o.message_system_attribute_names.empty()) {
    op.input["MessageSystemAttributeNames"] = string_array(o.message_system_attribute_names);
  }
  if (!o.message_attribute_names.empty()) op.input["MessageAttributeNames"] = string_array(o.message_attribute_names);
  op.input["MaxNumberOfMessages"] = o.max_number_of_messages;
  if (o.visibility_timeout) op.input["VisibilityTimeout"] = *o.visibility_timeout;
  if (o.wait_time_seconds) op.input["WaitTimeSeconds"] = *o.wait_time_seconds;
  return op;
}

Operation sqs_delete_message(const std::string& queue_url, const std::string& receipt_handle) {
  Operation op;
  op.service = services::sqs();
  op.name = "DeleteMessage";
  op.input["QueueUrl"] = queue_url;
  op.input["ReceiptHandle"] = receipt_handle;
  return op;
}

Operation tagging_get_resources(const std::vector<TagFilter>& tag_filters, const std::vector<std::string>& resource_types,
                                std::optional<int> resources_per_page, const std::string& pagination_token) {
  Operation op;
  op.service = services::tagging();
  op.name = "GetResources";
  if (!pagination_token.empty()) op.input["PaginationToken"] = pagination_token;
  if (!tag_filters.empty()) {
    nlohmann::ordered_json filters = nlohmann::ordered_json::array();
    for (const auto& f : tag_filters) {
      nlohmann::ordered_json item = nlohmann::ordered_json::object();
      item["Key"] = f.key;
      if (!f.values.empty()) item["Values"] = string_array(f.values);
      filters.push_back(std::move(item));
    }
    op.input["TagFilters"] = std::move(filters);
  }
  if (resources_per_page) op.input["ResourcesPerPage"] = *resources_per_page;
  if (!resource_types.empty()) op.input["ResourceTypeFilters"] = string_array(resource_types);
  return op;
}

Operation kms_enable_key_rotation(const std::string& key_id, std::optional<int> rotation_period_in_days) {
  Operation op;
  op.service = services::kms();
  op.name = "EnableKeyRotation";
  op.input["KeyId"] = key_id;
  if (rotation_period_in_days) op.input["RotationPeriodInDays"] = *rotation_period_in_days;
  return op;
}

}  // namespace fixgate::aws::ops
