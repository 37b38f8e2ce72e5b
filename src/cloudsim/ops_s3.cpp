// S3 bucket-configuration operations and S3 Control's account-level public
// access block (REST-XML: the operation is the method plus a subresource, bodies
// and responses are XML in the 2006-03-01 / 2018-08-20 namespaces).
#include <pugixml.hpp>

#include "aws/crypto.h"
#include "cloudsim/ops.h"

namespace fixgate::cloudsim {
namespace {

const std::string kS3Ns = "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";
const std::string kControlNs = "xmlns=\"http://awss3control.amazonaws.com/doc/2018-08-20/\"";
const std::string kAllUsers = "http://acs.amazonaws.com/groups/global/AllUsers";
const std::string kAuthUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

ApiError malformed_xml() {
  return ApiError{400, "MalformedXML",
                  "The XML you provided was not well-formed or did not validate against our published schema"};
}

ApiError access_denied() { return ApiError{403, "AccessDenied", "Access Denied"}; }

// The bucket the call names, owned by the caller's account.
std::variant<Bucket*, ApiError> owned_bucket(OpContext& ctx, const Call& call) {
  std::string owner;
  Bucket* b = ctx.world.find_bucket(call.bucket, &owner);
  if (b == nullptr) {
    ApiError e{404, "NoSuchBucket", "The specified bucket does not exist"};
    e.extra["BucketName"] = call.bucket;
    return e;
  }
  if (owner != ctx.account.id) return access_denied();
  return b;
}

// PUTs with httpChecksumRequired must carry Content-MD5 or an x-amz-checksum-*
// header, and what they carry must match the body.
std::optional<ApiError> check_body_checksum(const Call& call) {
  const std::string md5 = call.header("content-md5");
  const std::string crc32 = call.header("x-amz-checksum-crc32");
  const std::string sha256 = call.header("x-amz-checksum-sha256");
  bool any = !md5.empty() || !crc32.empty() || !sha256.empty();
  for (const auto& [k, v] : call.headers) any = any || k.rfind("x-amz-checksum-", 0) == 0;
  if (!any) return ApiError{400, "InvalidRequest", "Missing required header for this request: Content-MD5"};
  if (!md5.empty() && md5 != aws::base64_encode(aws::md5(call.body))) {
    return ApiError{400, "BadDigest", "The Content-MD5 you specified did not match what we received."};
  }
  if (!crc32.empty()) {
    const std::uint32_t c = aws::crc32(call.body);
    const std::string be{static_cast<char>(c >> 24), static_cast<char>((c >> 16) & 0xff), static_cast<char>((c >> 8) & 0xff),
                         static_cast<char>(c & 0xff)};
    if (crc32 != aws::base64_encode(be)) {
      return ApiError{400, "BadDigest", "The CRC32 you specified did not match the calculated checksum."};
    }
  }
  if (!sha256.empty() && sha256 != aws::base64_encode(aws::sha256(call.body))) {
    return ApiError{400, "BadDigest", "The SHA256 you specified did not match the calculated checksum."};
  }
  return std::nullopt;
}

std::optional<bool> xml_bool(const pugi::xml_node& parent, const char* name) {
  const pugi::xml_node n = parent.child(name);
  if (!n) return false;
  const std::string v = n.text().as_string();
  if (v == "true") return true;
  if (v == "false") return false;
  return std::nullopt;
}

std::variant<PublicAccessBlock, ApiError> parse_pab(const std::string& body) {
  pugi::xml_document doc;
  if (!doc.load_string(body.c_str())) return malformed_xml();
  const pugi::xml_node root = doc.child("PublicAccessBlockConfiguration");
  if (!root) return malformed_xml();
  PublicAccessBlock p;
  auto a = xml_bool(root, "BlockPublicAcls"), b = xml_bool(root, "IgnorePublicAcls"),
       c = xml_bool(root, "BlockPublicPolicy"), d = xml_bool(root, "RestrictPublicBuckets");
  if (!a || !b || !c || !d) return malformed_xml();
  p.block_public_acls = *a;
  p.ignore_public_acls = *b;
  p.block_public_policy = *c;
  p.restrict_public_buckets = *d;
  return p;
}

std::string pab_xml(const PublicAccessBlock& p, const std::string& ns) {
  Xml x;
  x.open("PublicAccessBlockConfiguration", ns)
      .leaf("BlockPublicAcls", p.block_public_acls)
      .leaf("IgnorePublicAcls", p.ignore_public_acls)
      .leaf("BlockPublicPolicy", p.block_public_policy)
      .leaf("RestrictPublicBuckets", p.restrict_public_buckets)
      .close("PublicAccessBlockConfiguration");
  return x.str();
}

ApiError no_pab(const std::string& bucket) {
  ApiError e{404, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found"};
  if (!bucket.empty()) e.extra["BucketName"] = bucket;
  return e;
}

Outcome get_pab(OpContext& ctx, const Call& call) {
  auto b = owned_bucket(ctx, call);
  if (auto* e = std::get_if<ApiError>(&b)) return *e;
  const Bucket& bucket = *std::get<Bucket*>(b);
  if (!bucket.public_access_block) return no_pab(bucket.name);
  return s3_ok(call, 200, pab_xml(*bucket.public_access_block, kS3Ns));
}

Outcome put_pab(OpContext& ctx, const Call& call) {
  auto b = owned_bucket(ctx, call);
  if (auto* e = std::get_if<ApiError>(&b)) return *e;
  if (auto e = check_body_checksum(call)) return *e;
  auto p = parse_pab(call.body);
  if (auto* e = std::get_if<ApiError>(&p)) return *e;
  std::get<Bucket*>(b)->public_access_block = std::get<PublicAccessBlock>(p);
  return s3_ok(call, 200, "");
}

Outcome delete_pab(OpContext& ctx, const Call& call) {
  auto b = owned_bucket(ctx, call);
  if (auto* e = std::get_if<ApiError>(&b)) return *e;
  std::get<Bucket*>(b)->public_access_block.reset();
  return s3_ok(call, 204, "");
}

std::string grantee_xml(const AclGrant& g) {
  Xml x;
  const std::string attrs = "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"" + g.grantee_type + "\"";
  x.open("Grantee", attrs);
  if (g.grantee_type == "CanonicalUser") {
    x.leaf("ID", g.id);
    if (!g.display_name.empty()) x.leaf("DisplayName", g.display_name);
  } else if (g.grantee_type == "Group") {
    x.leaf("URI", g.uri);
  } else {
    x.leaf("EmailAddress", g.email);
  }
  x.close("Grantee");
  return x.str();
}

Outcome get_acl(OpContext& ctx, const Call& call) {
  auto b = owned_bucket(ctx, call);
  if (auto* e = std::get_if<ApiError>(&b)) return *e;
  const Bucket& bucket = *std::get<Bucket*>(b);
  Xml x;
  x.open("AccessControlPolicy", kS3Ns).open("Owner").leaf("ID", canonical_user_id(ctx.account.id)).close("Owner");
  x.open("AccessControlList");
  for (const AclGrant& g : bucket.grants) {
    x.open("Grant").raw(grantee_xml(g)).leaf("Permission", g.permission).close("Grant");
  }
  x.close("AccessControlList").close("AccessControlPolicy");
  return s3_ok(call, 200, x.str());
}

bool is_public_grant(const AclGrant& g) { return g.grantee_type == "Group" && (g.uri == kAllUsers || g.uri == kAuthUsers); }

std::variant<std::vector<AclGrant>, ApiError> canned_acl(const std::string& name, const std::string& owner) {
  std::vector<AclGrant> grants{AclGrant{"CanonicalUser", owner, "", "", "", "FULL_CONTROL"}};
  auto group = [&](const std::string& uri, const char* perm) { grants.push_back(AclGrant{"Group", "", "", uri, "", perm}); };
  if (name == "private") return grants;
  if (name == "public-read") { group(kAllUsers, "READ"); return grants; }
  if (name == "public-read-write") { group(kAllUsers, "READ"); group(kAllUsers, "WRITE"); return grants; }
  if (name == "authenticated-read") { group(kAuthUsers, "READ"); return grants; }
  if (name == "log-delivery-write") {
    group("http://acs.amazonaws.com/groups/s3/LogDelivery", "WRITE");
    group("http://acs.amazonaws.com/groups/s3/LogDelivery", "READ_ACP");
    return grants;
  }
  return ApiError{400, "InvalidArgument", "Invalid canned ACL: " + name};
}

// x-amz-grant-read: uri="http://...AllUsers", id="abc", emailAddress="a@b"
std::variant<std::vector<AclGrant>, ApiError> header_grants(const Call& call) {
  std::vector<AclGrant> grants;
  const std::pair<const char*, const char*> headers[] = {{"x-amz-grant-read", "READ"}, {"x-amz-grant-write", "WRITE"},
                                                         {"x-amz-grant-read-acp", "READ_ACP"},
                                                         {"x-amz-grant-write-acp", "WRITE_ACP"},
                                                         {"x-amz-grant-full-control", "FULL_CONTROL"}};
  for (const auto& [name, perm] : headers) {
    const std::string value = call.header(name);
    if (value.empty()) continue;
    size_t pos = 0;
    while (pos < value.size()) {
      const size_t eq = value.find('=', pos);
      if (eq == std::string::npos) return ApiError{400, "InvalidArgument", std::string("Invalid ") + name + " header"};
      std::string key = value.substr(pos, eq - pos);
      key.erase(0, key.find_first_not_of(" ,"));
      const size_t q1 = value.find('"', eq), q2 = q1 == std::string::npos ? q1 : value.find('"', q1 + 1);
      if (q1 != eq + 1 || q2 == std::string::npos) return ApiError{400, "InvalidArgument", std::string("Invalid ") + name + " header"};
      const std::string v = value.substr(q1 + 1, q2 - q1 - 1);
      if (key == "uri") grants.push_back(AclGrant{"Group", "", "", v, "", perm});
      else if (key == "id") grants.push_back(AclGrant{"CanonicalUser", v, "", "", "", perm});
      else if (key == "emailAddress") grants.push_back(AclGrant{"AmazonCustomerByEmail", "", "", "", v, perm});
      else return ApiError{400, "InvalidArgument", std::string("Invalid grantee type in ") + name};
      pos = q2 + 1;
    }
  }
  return grants;
}

std::variant<std::vector<AclGrant>, ApiError> body_grants(const std::string& body) {
  pugi::xml_document doc;
  if (!doc.load_string(body.c_str())) return malformed_xml();
  const pugi::xml_node root = doc.child("AccessControlPolicy");
  if (!root) return malformed_xml();
  std::vector<AclGrant> grants;
  for (pugi::xml_node g : root.child("AccessControlList").children("Grant")) {
    const pugi::xml_node grantee = g.child("Grantee");
    AclGrant out;
    out.permission = g.child("Permission").text().as_string();
    static const std::set<std::string> perms{"FULL_CONTROL", "READ", "WRITE", "READ_ACP", "WRITE_ACP"};
    if (!grantee || !perms.count(out.permission)) return malformed_xml();
    out.grantee_type = grantee.attribute("xsi:type").as_string();
    if (out.grantee_type == "CanonicalUser") {
      out.id = grantee.child("ID").text().as_string();
      out.display_name = grantee.child("DisplayName").text().as_string();
      if (out.id.empty()) return malformed_xml();
    } else if (out.grantee_type == "Group") {
      out.uri = grantee.child("URI").text().as_string();
      if (out.uri.empty()) return malformed_xml();
    } else if (out.grantee_type == "AmazonCustomerByEmail") {
      out.email = grantee.child("EmailAddress").text().as_string();
    } else {
      return malformed_xml();
    }
    grants.push_back(out);
  }
  return grants;
}

Outcome put_acl(OpContext& ctx, const Call& call) {
  auto b = owned_bucket(ctx, call);
  if (auto* e = std::get_if<ApiError>(&b)) return *e;
  Bucket& bucket = *std::get<Bucket*>(b);
  const std::string canned = call.header("x-amz-acl");
  auto from_headers = header_grants(call);
  if (auto* e = std::get_if<ApiError>(&from_headers)) return *e;
  const bool has_header_grants = !std::get<0>(from_headers).empty();
  const bool has_body = !call.body.empty();
  if ((int{!canned.empty()} + int{has_header_grants} + int{has_body}) > 1) {
    return ApiError{400, "InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed"};
  }
  std::variant<std::vector<AclGrant>, ApiError> grants = std::vector<AclGrant>{};
  if (!canned.empty()) {
    grants = canned_acl(canned, canonical_user_id(ctx.account.id));
  } else if (has_header_grants) {
    grants = from_headers;
  } else if (has_body) {
    if (auto e = check_body_checksum(call)) return *e;
    grants = body_grants(call.body);
  } else {
    return ApiError{400, "MissingSecurityHeader", "Your request was missing a required header"};
  }
  if (auto* e = std::get_if<ApiError>(&grants)) return *e;
  const auto& list = std::get<0>(grants);
  const bool block = (bucket.public_access_block && bucket.public_access_block->block_public_acls) ||
                     (ctx.account.account_public_access_block && ctx.account.account_public_access_block->block_public_acls);
  for (const AclGrant& g : list) {
    if (block && is_public_grant(g)) return access_denied();
  }
  bucket.grants = list;
  return s3_ok(call, 200, "");
}

Outcome get_policy(OpContext& ctx, const Call& call) {
  auto b = owned_bucket(ctx, call);
  if (auto* e = std::get_if<ApiError>(&b)) return *e;
  const Bucket& bucket = *std::get<Bucket*>(b);
  if (!bucket.policy) {
    ApiError e{404, "NoSuchBucketPolicy", "The bucket policy does not exist"};
    e.extra["BucketName"] = bucket.name;
    return e;
  }
  Reply r = s3_ok(call, 200, "");
  r.content_type = "application/json";
  r.body = *bucket.policy;
  return r;
}

Outcome get_encryption(OpContext& ctx, const Call& call) {
  auto b = owned_bucket(ctx, call);
  if (auto* e = std::get_if<ApiError>(&b)) return *e;
  const Bucket& bucket = *std::get<Bucket*>(b);
  if (!bucket.encryption) {
    ApiError e{404, "ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found"};
    e.extra["BucketName"] = bucket.name;
    return e;
  }
  Xml x;
  x.open("ServerSideEncryptionConfiguration", kS3Ns).open("Rule").open("ApplyServerSideEncryptionByDefault");
  x.leaf("SSEAlgorithm", bucket.encryption->algorithm);
  if (!bucket.encryption->kms_key_id.empty()) x.leaf("KMSMasterKeyID", bucket.encryption->kms_key_id);
  x.close("ApplyServerSideEncryptionByDefault").leaf("BucketKeyEnabled", bucket.encryption->bucket_key_enabled);
  x.close("Rule").close("ServerSideEncryptionConfiguration");
  return s3_ok(call, 200, x.str());
}

Outcome put_encryption(OpContext& ctx, const Call& call) {
  auto b = owned_bucket(ctx, call);
  if (auto* e = std::get_if<ApiError>(&b)) return *e;
  if (auto e = check_body_checksum(call)) return *e;
  pugi::xml_document doc;
  if (!doc.load_string(call.body.c_str())) return malformed_xml();
  const pugi::xml_node rule = doc.child("ServerSideEncryptionConfiguration").child("Rule");
  const pugi::xml_node def = rule.child("ApplyServerSideEncryptionByDefault");
  if (!def) return malformed_xml();
  BucketEncryption enc;
  enc.algorithm = def.child("SSEAlgorithm").text().as_string();
  enc.kms_key_id = def.child("KMSMasterKeyID").text().as_string();
  if (enc.algorithm != "AES256" && enc.algorithm != "aws:kms" && enc.algorithm != "aws:kms:dsse") return malformed_xml();
  if (!enc.kms_key_id.empty() && enc.algorithm == "AES256") {
    return ApiError{400, "InvalidArgument", "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse"};
  }
  auto bke = xml_bool(rule, "BucketKeyEnabled");
  if (!bke) return malformed_xml();
  enc.bucket_key_enabled = *bke;
  std::get<Bucket*>(b)->encryption = enc;
  return s3_ok(call, 200, "");
}

Outcome delete_encryption(OpContext& ctx, const Call& call) {
  auto b = owned_bucket(ctx, call);
  if (auto* e = std::get_if<ApiError>(&b)) return *e;
  std::get<Bucket*>(b)->encryption.reset();
  return s3_ok(call, 204, "");
}

Outcome get_tagging(OpContext& ctx, const Call& call) {
  auto b = owned_bucket(ctx, call);
  if (auto* e = std::get_if<ApiError>(&b)) return *e;
  const Bucket& bucket = *std::get<Bucket*>(b);
  if (bucket.tags.empty()) {
    ApiError e{404, "NoSuchTagSet", "The TagSet does not exist"};
    e.extra["BucketName"] = bucket.name;
    return e;
  }
  Xml x;
  x.open("Tagging", kS3Ns).open("TagSet");
  for (const auto& [k, v] : bucket.tags) x.open("Tag").leaf("Key", k).leaf("Value", v).close("Tag");
  x.close("TagSet").close("Tagging");
  return s3_ok(call, 200, x.str());
}

// S3 Control: the account named by x-amz-account-id must be the caller's.
std::optional<ApiError> check_account_header(OpContext& ctx, const Call& call) {
  const std::string id = call.header("x-amz-account-id");
  if (id.empty()) return ApiError{400, "InvalidRequest", "Missing required header x-amz-account-id"};
  if (id != ctx.account.id) return access_denied();
  return std::nullopt;
}

Outcome control_get_pab(OpContext& ctx, const Call& call) {
  if (auto e = check_account_header(ctx, call)) return *e;
  if (!ctx.account.account_public_access_block) return no_pab("");
  return s3_ok(call, 200, pab_xml(*ctx.account.account_public_access_block, kControlNs));
}

Outcome control_put_pab(OpContext& ctx, const Call& call) {
  if (auto e = check_account_header(ctx, call)) return *e;
  auto p = parse_pab(call.body);
  if (auto* e = std::get_if<ApiError>(&p)) return *e;
  ctx.account.account_public_access_block = std::get<PublicAccessBlock>(p);
  return s3_ok(call, 200, "");
}

Outcome control_delete_pab(OpContext& ctx, const Call& call) {
  if (auto e = check_account_header(ctx, call)) return *e;
  ctx.account.account_public_access_block.reset();
  return s3_ok(call, 204, "");
}

}  // namespace

std::string s3_operation(const std::string& method, const std::multimap<std::string, std::string>& params,
                         bool control) {
  if (control) {
    if (method == "GET") return "GetPublicAccessBlock";
    if (method == "PUT") return "PutPublicAccessBlock";
    if (method == "DELETE") return "DeletePublicAccessBlock";
    return "";
  }
  const std::pair<const char*, const char*> subresources[] = {
      {"publicAccessBlock", "PublicAccessBlock"}, {"acl", "BucketAcl"}, {"policy", "BucketPolicy"},
      {"encryption", "BucketEncryption"},         {"tagging", "BucketTagging"}};
  for (const auto& [sub, name] : subresources) {
    if (!params.count(sub)) continue;
    if (method == "GET") return std::string("Get") + name;
    if (method == "PUT") return std::string("Put") + name;
    if (method == "DELETE") return std::string("Delete") + name;
  }
  return "";
}

const std::map<std::string, OperationInfo>& s3_operations() {
  static const std::map<std::string, OperationInfo> ops{
      {"GetPublicAccessBlock", {Protocol::kRestXml, get_pab}},
      {"PutPublicAccessBlock", {Protocol::kRestXml, put_pab}},
      {"DeletePublicAccessBlock", {Protocol::kRestXml, delete_pab}},
      {"GetBucketAcl", {Protocol::kRestXml, get_acl}},
      {"PutBucketAcl", {Protocol::kRestXml, put_acl}},
      {"GetBucketPolicy", {Protocol::kRestXml, get_policy}},
      {"GetBucketEncryption", {Protocol::kRestXml, get_encryption}},
      {"PutBucketEncryption", {Protocol::kRestXml, put_encryption}},
      {"DeleteBucketEncryption", {Protocol::kRestXml, delete_encryption}},
      {"GetBucketTagging", {Protocol::kRestXml, get_tagging}},
  };
  return ops;
}

const std::map<std::string, OperationInfo>& s3control_operations() {
  static const std::map<std::string, OperationInfo> ops{
      {"GetPublicAccessBlock", {Protocol::kS3Control, control_get_pab}},
      {"PutPublicAccessBlock", {Protocol::kS3Control, control_put_pab}},
      {"DeletePublicAccessBlock", {Protocol::kS3Control, control_delete_pab}},
  };
  return ops;
}

}  // namespace fixgate::cloudsim
