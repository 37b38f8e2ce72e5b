#include "aws/responses.h"

#include "core/text.h"

namespace fixgate::aws::read {
namespace {

Result<void> expect_root(const XmlNode& root, std::string_view name) {
  if (root.name == name) return {};
  return make_error("aws.response.unexpected",
                    "expected <" + std::string(name) + "> but the response root is <" + escape_for_display(root.name) + ">");
}

std::optional<int> to_int(const std::string& text) {
  const std::string t = trim(text);
  if (t.empty() || t.size() > 10) return std::nullopt;
  size_t i = (t[0] == '-') ? 1 : 0;
  if (i == t.size()) return std::nullopt;
  for (; i < t.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(t[i]))) return std::nullopt;
  }
  return std::stoi(t);
}

std::optional<bool> to_bool(const std::string& text) {
  const std::string t = to_lower(trim(text));
  if (t == "true") return true;
  if (t == "false") return false;
  return std::nullopt;
}

std::vector<const XmlNode*> items(const XmlNode* list, std::string_view item = "item") {
  if (list == nullptr) return {};
  return list->children_named(item);
}

std::vector<SecurityGroupRule> rules(const XmlNode* list) {
  std::vector<SecurityGroupRule> out;
  for (const XmlNode* p : items(list)) {
    SecurityGroupRule r;
    r.ip_protocol = p->text_at("ipProtocol");
    r.from_port = to_int(p->text_at("fromPort"));
    r.to_port = to_int(p->text_at("toPort"));
    for (const XmlNode* range : items(p->child("ipRanges"))) r.ipv4_cidrs.push_back(range->text_at("cidrIp"));
    for (const XmlNode* range : items(p->child("ipv6Ranges"))) r.ipv6_cidrs.push_back(range->text_at("cidrIpv6"));
    for (const XmlNode* g : items(p->child("groups"))) r.source_group_ids.push_back(g->text_at("groupId"));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

Result<AccessKeyList> list_access_keys(const XmlNode& root) {
  if (auto ok = expect_root(root, "ListAccessKeysResponse"); !ok) return ok.error();
  AccessKeyList out;
  const XmlNode* result = root.child("ListAccessKeysResult");
  if (result == nullptr) return out;
  for (const XmlNode* m : items(result->child("AccessKeyMetadata"), "member")) {
    out.keys.push_back({m->text_at("UserName"), m->text_at("AccessKeyId"), m->text_at("Status"), m->text_at("CreateDate")});
  }
  out.is_truncated = to_bool(result->text_at("IsTruncated")).value_or(false);
  out.marker = result->text_at("Marker");
  return out;
}

Result<AccessKeyLastUsed> get_access_key_last_used(const XmlNode& root) {
  if (auto ok = expect_root(root, "GetAccessKeyLastUsedResponse"); !ok) return ok.error();
  const XmlNode* result = root.child("GetAccessKeyLastUsedResult");
  AccessKeyLastUsed out;
  if (result == nullptr) return out;
  out.user_name = result->text_at("UserName");
  out.last_used_date = result->text_at("AccessKeyLastUsed/LastUsedDate");
  out.service_name = result->text_at("AccessKeyLastUsed/ServiceName");
  out.region = result->text_at("AccessKeyLastUsed/Region");
  return out;
}

Result<std::vector<SecurityGroup>> describe_security_groups(const XmlNode& root) {
  if (auto ok = expect_root(root, "DescribeSecurityGroupsResponse"); !ok) return ok.error();
  std::vector<SecurityGroup> out;
  for (const XmlNode* g : items(root.child("securityGroupInfo"))) {
    SecurityGroup sg;
    sg.group_id = g->text_at("groupId");
    sg.group_name = g->text_at("groupName");
    sg.owner_id = g->text_at("ownerId");
    sg.vpc_id = g->text_at("vpcId");
    sg.description = g->text_at("groupDescription");
    sg.ingress = rules(g->child("ipPermissions"));
    sg.egress = rules(g->child("ipPermissionsEgress"));
    out.push_back(std::move(sg));
  }
  return out;
}

Result<bool> ebs_encryption_by_default(const XmlNode& root) {
  if (root.name != "GetEbsEncryptionByDefaultResponse" && root.name != "EnableEbsEncryptionByDefaultResponse") {
    return make_error("aws.response.unexpected",
                      "expected an EBS encryption-by-default response, got <" + escape_for_display(root.name) + ">");
  }
  const auto value = to_bool(root.text_at("ebsEncryptionByDefault"));
  if (!value) return make_error("aws.response.unexpected", "ebsEncryptionByDefault is missing or not a boolean");
  return *value;
}

Result<ops::PublicAccessBlock> public_access_block(const XmlNode& root) {
  if (auto ok = expect_root(root, "PublicAccessBlockConfiguration"); !ok) return ok.error();
  ops::PublicAccessBlock out;
  out.block_public_acls = to_bool(root.text_at("BlockPublicAcls")).value_or(false);
  out.ignore_public_acls = to_bool(root.text_at("IgnorePublicAcls")).value_or(false);
  out.block_public_policy = to_bool(root.text_at("BlockPublicPolicy")).value_or(false);
  out.restrict_public_buckets = to_bool(root.text_at("RestrictPublicBuckets")).value_or(false);
  return out;
}

Result<std::vector<BucketEncryptionRule>> bucket_encryption(const XmlNode& root) {
  if (auto ok = expect_root(root, "ServerSideEncryptionConfiguration"); !ok) return ok.error();
  std::vector<BucketEncryptionRule> out;
  for (const XmlNode* rule : root.children_named("Rule")) {
    BucketEncryptionRule r;
    r.sse_algorithm = rule->text_at("ApplyServerSideEncryptionByDefault/SSEAlgorithm");
    r.kms_key_id = rule->text_at("ApplyServerSideEncryptionByDefault/KMSMasterKeyID");
    r.bucket_key_enabled = to_bool(rule->text_at("BucketKeyEnabled"));
    out.push_back(std::move(r));
  }
  return out;
}

Result<BucketAcl> bucket_acl(const XmlNode& root) {
  if (auto ok = expect_root(root, "AccessControlPolicy"); !ok) return ok.error();
  BucketAcl out;
  out.owner_id = root.text_at("Owner/ID");
  out.owner_display_name = root.text_at("Owner/DisplayName");
  for (const XmlNode* g : items(root.child("AccessControlList"), "Grant")) {
    Grant grant;
    if (const XmlNode* grantee = g->child("Grantee")) {
      grant.grantee_id = grantee->text_at("ID");
      grant.grantee_uri = grantee->text_at("URI");
      grant.grantee_type = grantee->attribute("type");  // xsi:type
    }
    grant.permission = g->text_at("Permission");
    out.grants.push_back(std::move(grant));
  }
  return out;
}

}  // namespace fixgate::aws::read
