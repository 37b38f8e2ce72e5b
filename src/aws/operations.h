// Request builders for the AWS operations fixgate's remediations and intake call.
// Each returns an Operation for AwsClient::call(); members are emitted in the
// service model's order so the bytes match the official SDKs (checked by
// tests/aws/wire_test.cpp against the AWS SDK for JavaScript v3). Response reading
// stays with the caller (AwsResponse::xml / ::json).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aws/protocols.h"

namespace fixgate::aws::ops {

// IAM (awsQuery)
Operation iam_list_access_keys(const std::string& user_name, const std::string& marker = {});
Operation iam_update_access_key(const std::string& user_name, const std::string& access_key_id,
                                const std::string& status /* "Active" | "Inactive" */);
Operation iam_get_access_key_last_used(const std::string& access_key_id);

// EC2 (ec2 query)
struct Ec2Filter {
  std::string name;
  std::vector<std::string> values;
};
Operation ec2_describe_security_groups(const std::vector<std::string>& group_ids,
                                       const std::vector<Ec2Filter>& filters = {});
struct IpPermission {
  std::string ip_protocol;  // "tcp", "udp", "icmp", "-1"
  std::optional<int> from_port;
  std::optional<int> to_port;
  std::vector<std::string> ipv4_cidrs;
  std::vector<std::string> ipv6_cidrs;
};
Operation ec2_revoke_security_group_ingress(const std::string& group_id, const std::vector<IpPermission>& permissions);
Operation ec2_get_ebs_encryption_by_default();
Operation ec2_enable_ebs_encryption_by_default();

// S3 (restXml, bucket subresources)
struct PublicAccessBlock {
  bool block_public_acls = true;
  bool ignore_public_acls = true;
  bool block_public_policy = true;
  bool restrict_public_buckets = true;
};
Operation s3_get_public_access_block(const std::string& bucket);
Operation s3_put_public_access_block(const std::string& bucket, const PublicAccessBlock& config);
Operation s3_get_bucket_encryption(const std::string& bucket);
Operation s3_put_bucket_encryption(const std::string& bucket, const std::string& sse_algorithm /* AES256 | aws:kms */,
                                   const std::string& kms_key_id = {}, std::optional<bool> bucket_key_enabled = {});
// The response body is the policy JSON itself (raw_payload); 404 NoSuchBucketPolicy when none.
Operation s3_get_bucket_policy(const std::string& bucket);
Operation s3_delete_bucket_policy(const std::string& bucket);
Operation s3_get_bucket_acl(const std::string& bucket);
Operation s3_put_bucket_acl(const std::string& bucket, const std::string& canned_acl /* "private" */);

// S3 Control (restXml, {account}.s3-control host, x-amz-account-id)
Operation s3control_put_public_access_block(const std::string& account_id, const PublicAccessBlock& config);

// SQS (JSON 1.0, query-compatible)
struct ReceiveMessageOptions {
  int max_number_of_messages = 10;
  std::optional<int> visibility_timeout;
  std::optional<int> wait_time_seconds;
  std::vector<std::string> message_attribute_names;
  std::vector<std::string> message_system_attribute_names;
};
Operation sqs_receive_message(const std::string& queue_url, const ReceiveMessageOptions& options);
Operation sqs_delete_message(const std::string& queue_url, const std::string& receipt_handle);

// Resource Groups Tagging API (JSON 1.1)
struct TagFilter {
  std::string key;
  std::vector<std::string> values;
};
Operation tagging_get_resources(const std::vector<TagFilter>& tag_filters, const std::vector<std::string>& resource_types,
                                std::optional<int> resources_per_page = {}, const std::string& pagination_token = {});

// KMS (JSON 1.1)
Operation kms_enable_key_rotation(const std::string& key_id, std::optional<int> rotation_period_in_days = {});

}  // namespace fixgate::aws::ops
