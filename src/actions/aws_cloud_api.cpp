#include "actions/aws_cloud_api.h"

#include <cctype>

#include "broker/session_naming.h"

#include "actions/resource_names.h"
#include "aws/operations.h"
#include "aws/xml.h"

namespace fixgate::actions {

namespace {

using aws::Operation;
using aws::XmlNode;
using json = nlohmann::json;

constexpr const char* kXmlDecl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
constexpr const char* kS3Ns = "http://s3.amazonaws.com/doc/2006-03-01/";

const aws::ServiceInfo& rds_service() {
  static const aws::ServiceInfo info{"RDS", "rds", "rds", aws::Protocol::query, "2014-10-31", "", false, false};
  return info;
}

const aws::ServiceInfo& cloudtrail_service() {
  static const aws::ServiceInfo info{"CloudTrail", "cloudtrail", "cloudtrail", aws::Protocol::json_1_1, "",
                                     "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101", false, false};
  return info;
}

Error unsupported(const ApiCall& call, const std::string& why) {
  return make_error("actions.unsupported_call", call.service + ":" + call.operation + ": " + why);
}

std::string str(const json& params, const char* key) {
  auto it = params.find(key);
  return it != params.end() && it->is_string() ? it->get<std::string>() : "";
}

bool truthy(const XmlNode* node) { return node != nullptr && node->text == "true"; }

Operation query(const aws::ServiceInfo& service, std::string name) {
  Operation op;
  op.service = service;
  op.name = std::move(name);
  return op;
}

Operation s3_op(std::string name, const std::string& bucket, std::string method, std::string subresource) {
  Operation op;
  op.service = aws::services::s3();
  op.name = std::move(name);
  op.bucket = bucket;
  op.method = std::move(method);
  op.path = "/";
  op.query = {{std::move(subresource), ""}};
  return op;
}

Operation s3control_op(std::string name, const std::string& account, std::string method) {
  Operation op;
  op.service = aws::services::s3_control();
  op.name = std::move(name);
  op.method = std::move(method);
  op.path = "/v20180820/configuration/publicAccessBlock";
  op.host_prefix = account + ".";
  op.headers.emplace_back("x-amz-account-id", account);
  return op;
}

aws::ops::PublicAccessBlock pab_from(const json& config) {
  auto flag = [&](const char* k) { return config.value(k, false); };
  return {flag("BlockPublicAcls"), flag("IgnorePublicAcls"), flag("BlockPublicPolicy"), flag("RestrictPublicBuckets")};
}

json pab_to_json(const XmlNode& root) {
  json out = json::object();
  for (const char* k : {"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"}) {
    out[k] = truthy(root.child(k));
  }
  return {{"PublicAccessBlockConfiguration", out}};
}

// S3 AccessControlPolicy body for PutBucketAcl.
std::string acl_xml(const json& policy) {
  std::string x = kXmlDecl;
  x += std::string("<AccessControlPolicy xmlns=\"") + kS3Ns + "\"><Owner><ID>" +
       aws::xml_escape(str(policy.at("Owner"), "ID")) + "</ID>";
  if (!str(policy.at("Owner"), "DisplayName").empty()) {
    x += "<DisplayName>" + aws::xml_escape(str(policy.at("Owner"), "DisplayName")) + "</DisplayName>";
  }
  x += "</Owner><AccessControlList>";
  for (const json& grant : policy.value("Grants", json::array())) {
    const json grantee = grant.value("Grantee", json::object());
    const std::string type = str(grantee, "Type");
    x += "<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"" + aws::xml_escape(type) + "\">";
    if (type == "CanonicalUser") {
      x += "<ID>" + aws::xml_escape(str(grantee, "ID")) + "</ID>";
      if (!str(grantee, "DisplayName").empty()) x += "<DisplayName>" + aws::xml_escape(str(grantee, "DisplayName")) + "</DisplayName>";
    } else if (type == "Group") {
      x += "<URI>" + aws::xml_escape(str(grantee, "URI")) + "</URI>";
    } else {
      x += "<EmailAddress>" + aws::xml_escape(str(grantee, "EmailAddress")) + "</EmailAddress>";
    }
    x += "</Grantee><Permission>" + aws::xml_escape(str(grant, "Permission")) + "</Permission></Grant>";
  }
  x += "</AccessControlList></AccessControlPolicy>";
  return x;
}

json acl_to_json(const XmlNode& root) {
  json grants = json::array();
  if (const XmlNode* list = root.child("AccessControlList")) {
    for (const XmlNode* g : list->children_named("Grant")) {
      const XmlNode* grantee = g->child("Grantee");
      json e = json::object();
      if (grantee != nullptr) {
        e["Type"] = grantee->attribute("type");
        for (const char* k : {"ID", "DisplayName", "URI", "EmailAddress"}) {
          if (const XmlNode* v = grantee->child(k)) e[k] = v->text;
        }
      }
      grants.push_back({{"Grantee", e}, {"Permission", g->text_at("Permission")}});
    }
  }
  json owner = {{"ID", root.text_at("Owner/ID")}};
  if (root.find("Owner/DisplayName") != nullptr) owner["DisplayName"] = root.text_at("Owner/DisplayName");
  return {{"Owner", owner}, {"Grants", grants}};
}

json encryption_to_json(const XmlNode& root) {
  json rules = json::array();
  for (const XmlNode* rule : root.children_named("Rule")) {
    json by_default = json::object();
    if (const XmlNode* d = rule->child("ApplyServerSideEncryptionByDefault")) {
      by_default["SSEAlgorithm"] = d->text_at("SSEAlgorithm");
      if (d->child("KMSMasterKeyID") != nullptr) by_default["KMSMasterKeyID"] = d->text_at("KMSMasterKeyID");
    }
    json r = {{"ApplyServerSideEncryptionByDefault", by_default}};
    if (rule->child("BucketKeyEnabled") != nullptr) r["BucketKeyEnabled"] = truthy(rule->child("BucketKeyEnabled"));
    rules.push_back(r);
  }
  return {{"ServerSideEncryptionConfiguration", {{"Rules", rules}}}};
}

// EC2 IpPermissions.N members, descriptions included (Authorize keeps them).
void ip_permissions_params(Operation& op, const json& permissions) {
  const aws::Protocol p = op.service.protocol;
  for (size_t i = 0; i < permissions.size(); ++i) {
    const json& perm = permissions[i];
    const std::string prefix = aws::list_key(p, "IpPermissions", i + 1);
    op.params.emplace_back(prefix + ".IpProtocol", str(perm, "IpProtocol"));
    if (perm.contains("FromPort")) op.params.emplace_back(prefix + ".FromPort", std::to_string(perm.at("FromPort").get<long long>()));
    if (perm.contains("ToPort")) op.params.emplace_back(prefix + ".ToPort", std::to_string(perm.at("ToPort").get<long long>()));
    for (const auto& [list, key] : {std::pair{"IpRanges", "CidrIp"}, {"Ipv6Ranges", "CidrIpv6"}}) {
      const json ranges = perm.value(list, json::array());
      for (size_t j = 0; j < ranges.size(); ++j) {
        const std::string item = aws::list_key(p, prefix + "." + list, j + 1);
        op.params.emplace_back(item + "." + key, str(ranges[j], key));
        if (!str(ranges[j], "Description").empty()) op.params.emplace_back(item + ".Description", str(ranges[j], "Description"));
      }
    }
  }
}

int to_int(const std::string& text) {
  try {
    return std::stoi(text);
  } catch (...) {
    return -1;
  }
}

json security_groups_to_json(const XmlNode& root) {
  json groups = json::array();
  const XmlNode* info = root.child("securityGroupInfo");
  if (info == nullptr) return {{"SecurityGroups", groups}};
  for (const XmlNode* g : info->children_named("item")) {
    json perms = json::array();
    if (const XmlNode* list = g->child("ipPermissions")) {
      for (const XmlNode* p : list->children_named("item")) {
        json perm = {{"IpProtocol", p->text_at("ipProtocol")}};
        if (p->child("fromPort") != nullptr) perm["FromPort"] = to_int(p->text_at("fromPort"));
        if (p->child("toPort") != nullptr) perm["ToPort"] = to_int(p->text_at("toPort"));
        auto items = [&](const char* wrapper, const std::vector<std::pair<const char*, const char*>>& fields) {
          json out = json::array();
          if (const XmlNode* w = p->child(wrapper)) {
            for (const XmlNode* item : w->children_named("item")) {
              json e = json::object();
              for (const auto& [xml_name, api_name] : fields) {
                if (item->child(xml_name) != nullptr) e[api_name] = item->text_at(xml_name);
              }
              out.push_back(e);
            }
          }
          return out;
        };
        perm["IpRanges"] = items("ipRanges", {{"cidrIp", "CidrIp"}, {"description", "Description"}});
        perm["Ipv6Ranges"] = items("ipv6Ranges", {{"cidrIpv6", "CidrIpv6"}, {"description", "Description"}});
        perm["UserIdGroupPairs"] = items("groups", {{"groupId", "GroupId"}, {"userId", "UserId"}, {"description", "Description"}});
        perm["PrefixListIds"] = items("prefixListIds", {{"prefixListId", "PrefixListId"}, {"description", "Description"}});
        perms.push_back(perm);
      }
    }
    groups.push_back({{"GroupId", g->text_at("groupId")}, {"IpPermissions", perms}});
  }
  return {{"SecurityGroups", groups}};
}

// Builds the wire operation; a nullopt-like error when the call is not mapped.
Result<Operation> to_operation(const ApiCall& call) {
  const json& p = call.params;
  const std::string& op = call.operation;
  if (call.service == "s3") {
    const std::string bucket = str(p, "Bucket");
    if (bucket.empty()) return unsupported(call, "Bucket is required");
    if (op == "GetPublicAccessBlock") return aws::ops::s3_get_public_access_block(bucket);
    if (op == "PutPublicAccessBlock") return aws::ops::s3_put_public_access_block(bucket, pab_from(p.at("PublicAccessBlockConfiguration")));
    if (op == "DeletePublicAccessBlock") return s3_op(op, bucket, "DELETE", "publicAccessBlock");
    if (op == "GetBucketEncryption") return aws::ops::s3_get_bucket_encryption(bucket);
    if (op == "DeleteBucketEncryption") return s3_op(op, bucket, "DELETE", "encryption");
    if (op == "PutBucketEncryption") {
      const json rules = p.at("ServerSideEncryptionConfiguration").value("Rules", json::array());
      if (rules.size() != 1) return unsupported(call, "exactly one encryption rule is supported");
      const json d = rules[0].value("ApplyServerSideEncryptionByDefault", json::object());
      std::optional<bool> bucket_key;
      if (rules[0].contains("BucketKeyEnabled")) bucket_key = rules[0].at("BucketKeyEnabled").get<bool>();
      return aws::ops::s3_put_bucket_encryption(bucket, str(d, "SSEAlgorithm"), str(d, "KMSMasterKeyID"), bucket_key);
    }
    if (op == "GetBucketAcl") return aws::ops::s3_get_bucket_acl(bucket);
    if (op == "PutBucketAcl") {
      Operation o = s3_op(op, bucket, "PUT", "acl");
      o.body = acl_xml(p.at("AccessControlPolicy"));
      o.checksum_crc32 = true;
      return o;
    }
  } else if (call.service == "s3control") {
    const std::string account = str(p, "AccountId");
    if (account.empty()) return unsupported(call, "AccountId is required");
    if (op == "GetPublicAccessBlock") return s3control_op(op, account, "GET");
    if (op == "DeletePublicAccessBlock") return s3control_op(op, account, "DELETE");
    if (op == "PutPublicAccessBlock") return aws::ops::s3control_put_public_access_block(account, pab_from(p.at("PublicAccessBlockConfiguration")));
  } else if (call.service == "ec2") {
    const aws::ServiceInfo& ec2 = aws::services::ec2();
    if (op == "DescribeSecurityGroups") {
      std::vector<std::string> ids;
      for (const auto& id : p.value("GroupIds", json::array())) ids.push_back(id.get<std::string>());
      return aws::ops::ec2_describe_security_groups(ids);
    }
    if (op == "RevokeSecurityGroupIngress" || op == "AuthorizeSecurityGroupIngress") {
      Operation o = query(ec2, op);
      o.params.emplace_back("GroupId", str(p, "GroupId"));
      ip_permissions_params(o, p.at("IpPermissions"));
      return o;
    }
    if (op == "GetEbsEncryptionByDefault" || op == "EnableEbsEncryptionByDefault" || op == "DisableEbsEncryptionByDefault") {
      return query(ec2, op);
    }
    if (op == "DescribeSnapshotAttribute") {
      Operation o = query(ec2, op);
      o.params.emplace_back("Attribute", str(p, "Attribute"));
      o.params.emplace_back("SnapshotId", str(p, "SnapshotId"));
      return o;
    }
    if (op == "ModifySnapshotAttribute") {
      Operation o = query(ec2, op);
      o.params.emplace_back("Attribute", str(p, "Attribute"));
      for (const char* change : {"Add", "Remove"}) {
        const json items = p.value("CreateVolumePermission", json::object()).value(change, json::array());
        for (size_t i = 0; i < items.size(); ++i) {
          const std::string prefix = aws::list_key(ec2.protocol, std::string("CreateVolumePermission.") + change, i + 1);
          if (!str(items[i], "Group").empty()) o.params.emplace_back(prefix + ".Group", str(items[i], "Group"));
          if (!str(items[i], "UserId").empty()) o.params.emplace_back(prefix + ".UserId", str(items[i], "UserId"));
        }
      }
      o.params.emplace_back("SnapshotId", str(p, "SnapshotId"));
      return o;
    }
  } else if (call.service == "iam") {
    if (op == "ListAccessKeys") return aws::ops::iam_list_access_keys(str(p, "UserName"), str(p, "Marker"));
    if (op == "GetAccessKeyLastUsed") return aws::ops::iam_get_access_key_last_used(str(p, "AccessKeyId"));
    if (op == "UpdateAccessKey") return aws::ops::iam_update_access_key(str(p, "UserName"), str(p, "AccessKeyId"), str(p, "Status"));
  } else if (call.service == "kms") {
    if (op == "EnableKeyRotation") return aws::ops::kms_enable_key_rotation(str(p, "KeyId"));
    if (op == "GetKeyRotationStatus" || op == "DisableKeyRotation") {
      Operation o = query(aws::services::kms(), op);
      o.input["KeyId"] = str(p, "KeyId");
      return o;
    }
  } else if (call.service == "rds") {
    Operation o = query(rds_service(), op);
    if (op == "DescribeDBSnapshotAttributes") {
      o.params.emplace_back("DBSnapshotIdentifier", str(p, "DBSnapshotIdentifier"));
      return o;
    }
    if (op == "ModifyDBSnapshotAttribute") {
      o.params.emplace_back("DBSnapshotIdentifier", str(p, "DBSnapshotIdentifier"));
      o.params.emplace_back("AttributeName", str(p, "AttributeName"));
      for (const char* list : {"ValuesToAdd", "ValuesToRemove"}) {
        const json values = p.value(list, json::array());
        for (size_t i = 0; i < values.size(); ++i) {
          o.params.emplace_back(std::string(list) + ".AttributeValue." + std::to_string(i + 1), values[i].get<std::string>());
        }
      }
      return o;
    }
  } else if (call.service == "cloudtrail") {
    Operation o = query(cloudtrail_service(), op);
    if (op == "GetTrail") {
      o.input["Name"] = str(p, "Name");
      return o;
    }
    if (op == "UpdateTrail") {
      o.input["Name"] = str(p, "Name");
      if (p.contains("EnableLogFileValidation")) o.input["EnableLogFileValidation"] = p.at("EnableLogFileValidation").get<bool>();
      return o;
    }
  }
  return unsupported(call, "not mapped onto the AWS client");
}

Result<json> to_model(const ApiCall& call, const aws::AwsResponse& response) {
  const std::string& op = call.operation;
  if (!response.json.is_null() && (call.service == "kms" || call.service == "cloudtrail")) return response.json;
  if (!response.xml) return json::object();
  const XmlNode& root = *response.xml;
  if (op == "GetPublicAccessBlock") return pab_to_json(root);
  if (op == "GetBucketEncryption") return encryption_to_json(root);
  if (op == "GetBucketAcl") return acl_to_json(root);
  if (op == "DescribeSecurityGroups") return security_groups_to_json(root);
  if (op == "GetEbsEncryptionByDefault") return json{{"EbsEncryptionByDefault", truthy(root.child("ebsEncryptionByDefault"))}};
  if (op == "DescribeSnapshotAttribute") {
    json perms = json::array();
    if (const XmlNode* list = root.child("createVolumePermission")) {
      for (const XmlNode* item : list->children_named("item")) {
        json e = json::object();
        if (item->child("group") != nullptr) e["Group"] = item->text_at("group");
        if (item->child("userId") != nullptr) e["UserId"] = item->text_at("userId");
        perms.push_back(e);
      }
    }
    return json{{"SnapshotId", root.text_at("snapshotId")}, {"CreateVolumePermissions", perms}};
  }
  if (op == "ListAccessKeys") {
    json keys = json::array();
    if (const XmlNode* list = root.find("ListAccessKeysResult/AccessKeyMetadata")) {
      for (const XmlNode* m : list->children_named("member")) {
        keys.push_back({{"UserName", m->text_at("UserName")}, {"AccessKeyId", m->text_at("AccessKeyId")},
                        {"Status", m->text_at("Status")}, {"CreateDate", m->text_at("CreateDate")}});
      }
    }
    return json{{"AccessKeyMetadata", keys},
                {"IsTruncated", root.text_at("ListAccessKeysResult/IsTruncated") == "true"},
                {"Marker", root.text_at("ListAccessKeysResult/Marker")}};
  }
  if (op == "GetAccessKeyLastUsed") {
    json info = json::object();
    if (const XmlNode* used = root.find("GetAccessKeyLastUsedResult/AccessKeyLastUsed")) {
      for (const char* k : {"LastUsedDate", "ServiceName", "Region"}) {
        if (used->child(k) != nullptr) info[k] = used->text_at(k);
      }
    }
    return json{{"UserName", root.text_at("GetAccessKeyLastUsedResult/UserName")}, {"AccessKeyLastUsed", info}};
  }
  if (op == "DescribeDBSnapshotAttributes") {
    const XmlNode* result = root.find("DescribeDBSnapshotAttributesResult/DBSnapshotAttributesResult");
    if (result == nullptr) return make_error("aws.MalformedResponse", "DescribeDBSnapshotAttributes: no DBSnapshotAttributesResult");
    json attributes = json::array();
    if (const XmlNode* list = result->child("DBSnapshotAttributes")) {
      for (const XmlNode* a : list->children_named("DBSnapshotAttribute")) {
        json values = json::array();
        if (const XmlNode* v = a->child("AttributeValues")) {
          for (const XmlNode* value : v->children_named("AttributeValue")) values.push_back(value->text);
        }
        attributes.push_back({{"AttributeName", a->text_at("AttributeName")}, {"AttributeValues", values}});
      }
    }
    return json{{"DBSnapshotAttributesResult",
                 {{"DBSnapshotIdentifier", result->text_at("DBSnapshotIdentifier")}, {"DBSnapshotAttributes", attributes}}}};
  }
  return json::object();  // mutating calls: nothing the actions read
}

}  // namespace

AwsCloudApi::AwsCloudApi(aws::ClientConfig base) : base_(std::move(base)) {}

aws::AwsClient& AwsCloudApi::client_for(const std::string& region) {
  std::lock_guard lock(mutex_);
  const std::string key = region.empty() ? base_.region : region;
  auto it = clients_.find(key);
  if (it == clients_.end()) {
    aws::ClientConfig config = base_;
    config.region = key;
    it = clients_.emplace(key, std::make_unique<aws::AwsClient>(std::move(config))).first;
  }
  return *it->second;
}

Result<ApiResponse> AwsCloudApi::call(const ApiCall& call) {
  Result<Operation> op = unsupported(call, "not built");
  try {
    op = to_operation(call);
  } catch (const nlohmann::json::exception& e) {
    return unsupported(call, std::string("malformed parameters: ") + e.what());
  }
  if (!op.ok()) return op.error();
  aws::AwsOutcome<aws::AwsResponse> response = client_for(call.region).call(*op);
  if (!response.ok()) {
    const aws::AwsError& e = response.error();
    return aws_error(e.code, e.to_error().message);
  }
  Result<json> body = to_model(call, *response);
  if (!body.ok()) return body.error();
  return ApiResponse{std::move(*body), response->request_id};
}

namespace {

std::unique_ptr<broker::CredentialBroker> broker_over(const aws::ClientConfig& platform,
                                                      AssumeRoleSessions::RoleLookup lookup, std::string prefix) {
  broker::BrokerOptions options;
  options.session_prefix = std::move(prefix);
  auto to_access = [lookup = std::move(lookup)](const std::string& account) -> Result<AccountAccess> {
    Result<RoleSpec> role = lookup(account);
    if (!role.ok()) return role.error();
    AccountAccess access;
    access.account = account;
    access.role_arn = role->role_arn;
    if (!role->external_id.empty()) access.external_id = role->external_id;
    access.session_duration_s = role->duration_seconds;
    return access;
  };
  return std::make_unique<broker::CredentialBroker>(broker::sts_assumer(std::make_shared<aws::AwsClient>(platform)),
                                                    std::move(to_access), std::move(options), platform.clock);
}

}  // namespace

AssumeRoleSessions::AssumeRoleSessions(aws::ClientConfig platform, broker::CredentialBroker& broker,
                                       audit::AuditSink* audit, std::string actor)
    : platform_(std::move(platform)), broker_(broker), audit_(audit), actor_(std::move(actor)) {}

AssumeRoleSessions::AssumeRoleSessions(aws::ClientConfig platform, RoleLookup lookup, std::string session_prefix)
    : platform_(platform),
      owned_broker_(broker_over(platform, std::move(lookup), std::move(session_prefix))),
      broker_(*owned_broker_),
      actor_("fixgate") {}

AssumeRoleSessions::~AssumeRoleSessions() = default;

std::string AssumeRoleSessions::session_name(const std::string& prefix, const std::string& correlation_id) {
  return broker::session_name(prefix, correlation_id);
}

Result<std::unique_ptr<CloudApi>> AssumeRoleSessions::open(const Finding& finding, const std::string& correlation_id) {
  const broker::SessionRequest request{finding_account(finding), correlation_id, finding.id};
  Result<broker::BrokeredSession> session = broker_.acquire(request);
  if (!session.ok()) return session.error();
  if (audit_ != nullptr) {
    audit::AuditEntry entry{"role_session", correlation_id, finding.id, actor_, session->info.to_json()};
    if (Result<audit::AuditRecord> written = audit_->append(entry); !written.ok()) {
      return make_error(written.error().code, "the session record was not written, nothing changed: " +
                                                  written.error().message);
    }
  }
  aws::ClientConfig config = platform_;
  config.credentials = broker_.provider_for(request);
  if (!finding.region.empty()) config.region = finding.region;
  return std::unique_ptr<CloudApi>(std::make_unique<AwsCloudApi>(std::move(config)));
}

}  // namespace fixgate::actions
