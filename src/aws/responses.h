// Typed readers for the responses of the operations in operations.h. Each takes the
// root element of a 2xx XML body (AwsResponse::xml) and returns the fields fixgate
// acts on; absent optional elements become empty values, never errors. A root
// element of the wrong name is an aws.response.unexpected error naming it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aws/operations.h"
#include "aws/xml.h"
#include "core/result.h"

namespace fixgate::aws::read {

struct AccessKey {
  std::string user_name;
  std::string access_key_id;
  std::string status;       // "Active" | "Inactive"
  std::string create_date;  // ISO 8601 as sent, may be empty
};
struct AccessKeyList {
  std::vector<AccessKey> keys;
  bool is_truncated = false;
  std::string marker;
};
Result<AccessKeyList> list_access_keys(const XmlNode& root);

struct AccessKeyLastUsed {
  std::string user_name;
  std::string last_used_date;  // empty: never used
  std::string service_name;
  std::string region;
};
Result<AccessKeyLastUsed> get_access_key_last_used(const XmlNode& root);

struct SecurityGroupRule {
  std::string ip_protocol;
  std::optional<int> from_port;
  std::optional<int> to_port;
  std::vector<std::string> ipv4_cidrs;
  std::vector<std::string> ipv6_cidrs;
  std::vector<std::string> source_group_ids;
};
struct SecurityGroup {
  std::string group_id;
  std::string group_name;
  std::string owner_id;
  std::string vpc_id;
  std::string description;
  std::vector<SecurityGroupRule> ingress;
  std::vector<SecurityGroupRule> egress;
};
Result<std::vector<SecurityGroup>> describe_security_groups(const XmlNode& root);

// GetEbsEncryptionByDefault / EnableEbsEncryptionByDefault.
Result<bool> ebs_encryption_by_default(const XmlNode& root);

Result<ops::PublicAccessBlock> public_access_block(const XmlNode& root);

struct BucketEncryptionRule {
  std::string sse_algorithm;
  std::string kms_key_id;
  std::optional<bool> bucket_key_enabled;
};
Result<std::vector<BucketEncryptionRule>> bucket_encryption(const XmlNode& root);

struct Grant {
  std::string grantee_type;  // CanonicalUser | Group | AmazonCustomerByEmail
  std::string grantee_id;
  std::string grantee_uri;   // for groups, e.g. http://acs.amazonaws.com/groups/global/AllUsers
  std::string permission;    // FULL_CONTROL, READ, WRITE, READ_ACP, WRITE_ACP
};
struct BucketAcl {
  std::string owner_id;
  std::string owner_display_name;
  std::vector<Grant> grants;
};
Result<BucketAcl> bucket_acl(const XmlNode& root);

}  // namespace fixgate::aws::read
