// JSON 1.1 services (KMS key rotation, the Resource Groups Tagging API, CloudTrail
// trails) and RDS snapshot attributes (Query protocol).
#include <nlohmann/json.hpp>

#include "cloudsim/ops.h"

namespace fixgate::cloudsim {
namespace {

using nlohmann::json;

ApiError json_validation(const std::string& field) {
  return ApiError{400, "ValidationException",
                  "1 validation error detected: Value null at '" + field + "' failed to satisfy constraint: Member must not be null"};
}

// Parses the request body; a body that is not a JSON object is SerializationException.
std::variant<json, ApiError> body_json(const Call& call) {
  if (call.body.empty()) return json::object();
  json j = json::parse(call.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return ApiError{400, "SerializationException", "Start of structure or map found where not expected."};
  return j;
}

std::string str_field(const json& j, const char* key) {
  return j.contains(key) && j.at(key).is_string() ? j.at(key).get<std::string>() : std::string();
}

// ---- KMS ----

std::string key_arn(const Account& a, const KmsKey& k) { return "arn:aws:kms:" + k.region + ":" + a.id + ":key/" + k.key_id; }

std::variant<KmsKey*, ApiError> find_key(OpContext& ctx, const Call& call, const json& body) {
  const std::string id = str_field(body, "KeyId");
  if (id.empty()) return json_validation("keyId");
  for (KmsKey& k : ctx.account.kms_keys) {
    if (k.region != call.region) continue;
    if (k.key_id == id || key_arn(ctx.account, k) == id) {
      if (k.key_state == "Disabled") return ApiError{400, "DisabledException", key_arn(ctx.account, k) + " is disabled."};
      if (k.key_state != "Enabled") {
        return ApiError{400, "KMSInvalidStateException", key_arn(ctx.account, k) + " is pending deletion."};
      }
      return &k;
    }
  }
  const std::string arn = id.rfind("arn:", 0) == 0 ? id : "arn:aws:kms:" + call.region + ":" + ctx.account.id + ":key/" + id;
  return ApiError{400, "NotFoundException", "Key '" + arn + "' does not exist"};
}

Outcome kms_rotation(OpContext& ctx, const Call& call, std::optional<bool> set_to) {
  auto body = body_json(call);
  if (auto* e = std::get_if<ApiError>(&body)) return *e;
  const json& j = std::get<json>(body);
  auto key = find_key(ctx, call, j);
  if (auto* e = std::get_if<ApiError>(&key)) return *e;
  KmsKey& k = *std::get<KmsKey*>(key);
  if (!set_to) {
    json out{{"KeyId", key_arn(ctx.account, k)}, {"KeyRotationEnabled", k.rotation_enabled}};
    if (k.rotation_enabled) out["RotationPeriodInDays"] = k.rotation_period_days;
    return json_ok(call, out.dump());
  }
  if (k.key_manager != "CUSTOMER") {
    return ApiError{400, "UnsupportedOperationException", key_arn(ctx.account, k) + " is an AWS managed key; its rotation cannot be changed."};
  }
  if (*set_to && j.contains("RotationPeriodInDays")) {
    if (!j.at("RotationPeriodInDays").is_number_integer() || j.at("RotationPeriodInDays").get<int>() < 90 ||
        j.at("RotationPeriodInDays").get<int>() > 2560) {
      return ApiError{400, "ValidationException", "RotationPeriodInDays must be between 90 and 2560"};
    }
    k.rotation_period_days = j.at("RotationPeriodInDays").get<int>();
  }
  k.rotation_enabled = *set_to;
  return json_ok(call, "");
}

Outcome get_key_rotation_status(OpContext& ctx, const Call& call) { return kms_rotation(ctx, call, std::nullopt); }
Outcome enable_key_rotation(OpContext& ctx, const Call& call) { return kms_rotation(ctx, call, true); }
Outcome disable_key_rotation(OpContext& ctx, const Call& call) { return kms_rotation(ctx, call, false); }

// ---- Resource Groups Tagging API ----

struct ArnParts {
  std::string service, region, type;
};

ArnParts arn_parts(const std::string& arn) {
  ArnParts p;
  std::vector<std::string> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    const size_t colon = arn.find(':', start);
    if (colon == std::string::npos) return p;
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  const std::string resource = arn.substr(start);
  p.service = parts[2];
  p.region = parts[3];
  const size_t sep = resource.find_first_of("/:");
  p.type = sep == std::string::npos ? (p.service == "s3" ? "bucket" : "") : resource.substr(0, sep);
  return p;
}

Outcome get_resources(OpContext& ctx, const Call& call) {
  auto body = body_json(call);
  if (auto* e = std::get_if<ApiError>(&body)) return *e;
  const json& j = std::get<json>(body);
  std::vector<TaggedResource> all;
  for (const Bucket& b : ctx.account.buckets) {
    if (!b.tags.empty() && b.region == call.region) all.push_back({"arn:aws:s3:::" + b.name, b.tags});
  }
  for (const SecurityGroup& g : ctx.account.security_groups) {
    if (!g.tags.empty() && g.region == call.region) {
      all.push_back({"arn:aws:ec2:" + g.region + ":" + ctx.account.id + ":security-group/" + g.group_id, g.tags});
    }
  }
  for (const TaggedResource& r : ctx.account.other_tagged_resources) {
    const ArnParts p = arn_parts(r.arn);
    if (p.region.empty() || p.region == call.region) all.push_back(r);
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> tag_filters;
  if (j.contains("TagFilters")) {
    if (!j.at("TagFilters").is_array()) return ApiError{400, "InvalidParameterException", "TagFilters must be a list"};
    for (const json& f : j.at("TagFilters")) {
      std::vector<std::string> vals;
      if (f.contains("Values") && f.at("Values").is_array()) {
        for (const json& v : f.at("Values")) {
          if (v.is_string()) vals.push_back(v.get<std::string>());
        }
      }
      const std::string key = str_field(f, "Key");
      if (key.empty()) return ApiError{400, "InvalidParameterException", "TagFilters.Key must not be empty"};
      tag_filters.emplace_back(key, vals);
    }
  }
  std::vector<std::string> type_filters;
  if (j.contains("ResourceTypeFilters") && j.at("ResourceTypeFilters").is_array()) {
    for (const json& t : j.at("ResourceTypeFilters")) {
      if (t.is_string()) type_filters.push_back(t.get<std::string>());
    }
  }
  std::vector<const TaggedResource*> matched;
  for (const TaggedResource& r : all) {
    bool pass = true;
    for (const auto& [key, vals] : tag_filters) {
      auto it = r.tags.find(key);
      pass = pass && it != r.tags.end() && (vals.empty() || std::find(vals.begin(), vals.end(), it->second) != vals.end());
    }
    if (!type_filters.empty()) {
      const ArnParts p = arn_parts(r.arn);
      bool any = false;
      for (const std::string& t : type_filters) any = any || t == p.service || t == p.service + ":" + p.type;
      pass = pass && any;
    }
    if (pass) matched.push_back(&r);
  }
  size_t start = 0, per_page = 100;
  const std::string token = str_field(j, "PaginationToken");
  if (!token.empty()) {
    if (token.size() > 6 || token.find_first_not_of("0123456789") != std::string::npos) {
      return ApiError{400, "PaginationTokenExpiredException", "The pagination token is invalid or expired."};
    }
    start = std::min(std::stoul(token), matched.size());
  }
  if (j.contains("ResourcesPerPage")) {
    if (!j.at("ResourcesPerPage").is_number_integer() || j.at("ResourcesPerPage").get<int>() < 1 ||
        j.at("ResourcesPerPage").get<int>() > 100) {
      return ApiError{400, "InvalidParameterException", "ResourcesPerPage must be between 1 and 100"};
    }
    per_page = j.at("ResourcesPerPage").get<size_t>();
  }
  const size_t end = std::min(matched.size(), start + per_page);
  json list = json::array();
  for (size_t i = start; i < end; ++i) {
    json tags = json::array();
    for (const auto& [k, v] : matched[i]->tags) tags.push_back({{"Key", k}, {"Value", v}});
    list.push_back({{"ResourceARN", matched[i]->arn}, {"Tags", std::move(tags)}});
  }
  json out{{"ResourceTagMappingList", std::move(list)}, {"PaginationToken", end < matched.size() ? std::to_string(end) : ""}};
  return json_ok(call, out.dump());
}

// ---- CloudTrail ----

std::string trail_arn(const Account& a, const Trail& t) {
  return "arn:aws:cloudtrail:" + t.home_region + ":" + a.id + ":trail/" + t.name;
}

json trail_json(const Account& a, const Trail& t) {
  return {{"Name", t.name},
          {"S3BucketName", t.s3_bucket},
          {"IncludeGlobalServiceEvents", t.include_global_events},
          {"IsMultiRegionTrail", t.multi_region},
          {"HomeRegion", t.home_region},
          {"TrailARN", trail_arn(a, t)},
          {"LogFileValidationEnabled", t.log_file_validation},
          {"HasCustomEventSelectors", false},
          {"HasInsightSelectors", false},
          {"IsOrganizationTrail", false}};
}

std::variant<Trail*, ApiError> find_trail(OpContext& ctx, const Call& call, const json& body) {
  const std::string name = str_field(body, "Name");
  if (name.empty()) return ApiError{400, "InvalidTrailNameException", "Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_)."};
  for (Trail& t : ctx.account.trails) {
    if ((t.name == name || trail_arn(ctx.account, t) == name) && (t.home_region == call.region || t.multi_region)) return &t;
  }
  const std::string arn = name.rfind("arn:", 0) == 0 ? name : "arn:aws:cloudtrail:" + call.region + ":" + ctx.account.id + ":trail/" + name;
  return ApiError{400, "TrailNotFoundException", "Unknown trail: " + arn + " for the user: " + ctx.account.id};
}

Outcome get_trail(OpContext& ctx, const Call& call) {
  auto body = body_json(call);
  if (auto* e = std::get_if<ApiError>(&body)) return *e;
  auto trail = find_trail(ctx, call, std::get<json>(body));
  if (auto* e = std::get_if<ApiError>(&trail)) return *e;
  return json_ok(call, json{{"Trail", trail_json(ctx.account, *std::get<Trail*>(trail))}}.dump());
}

Outcome update_trail(OpContext& ctx, const Call& call) {
  auto body = body_json(call);
  if (auto* e = std::get_if<ApiError>(&body)) return *e;
  const json& j = std::get<json>(body);
  auto found = find_trail(ctx, call, j);
  if (auto* e = std::get_if<ApiError>(&found)) return *e;
  Trail& t = *std::get<Trail*>(found);
  if (t.home_region != call.region) {
    return ApiError{400, "InvalidHomeRegionException", "This operation must be called from the trail's home region " + t.home_region};
  }
  for (const char* key : {"EnableLogFileValidation", "IsMultiRegionTrail", "IncludeGlobalServiceEvents"}) {
    if (j.contains(key) && !j.at(key).is_boolean()) return ApiError{400, "SerializationException", std::string(key) + " must be a boolean"};
  }
  if (j.contains("EnableLogFileValidation")) t.log_file_validation = j.at("EnableLogFileValidation").get<bool>();
  if (j.contains("IsMultiRegionTrail")) t.multi_region = j.at("IsMultiRegionTrail").get<bool>();
  if (j.contains("IncludeGlobalServiceEvents")) t.include_global_events = j.at("IncludeGlobalServiceEvents").get<bool>();
  if (!str_field(j, "S3BucketName").empty()) t.s3_bucket = str_field(j, "S3BucketName");
  json out = trail_json(ctx.account, t);
  out.erase("HasCustomEventSelectors");
  out.erase("HasInsightSelectors");
  out.erase("HomeRegion");
  return json_ok(call, out.dump());
}

// ---- RDS (Query) ----

std::variant<RdsSnapshot*, ApiError> find_db_snapshot(OpContext& ctx, const Call& call) {
  const std::string id = call.param("DBSnapshotIdentifier");
  if (id.empty()) return missing_parameter(Protocol::kQuery, "DBSnapshotIdentifier");
  for (RdsSnapshot& s : ctx.account.rds_snapshots) {
    if (s.identifier == id && s.region == call.region) return &s;
  }
  return ApiError{404, "DBSnapshotNotFound", "DBSnapshot " + id + " not found."};
}

std::string db_snapshot_attributes_xml(const RdsSnapshot& s) {
  Xml x;
  x.open("DBSnapshotAttributesResult").open("DBSnapshotAttributes").open("DBSnapshotAttribute");
  x.leaf("AttributeName", std::string("restore")).open("AttributeValues");
  for (const std::string& v : s.restore) x.leaf("AttributeValue", v);
  x.close("AttributeValues").close("DBSnapshotAttribute").close("DBSnapshotAttributes");
  x.leaf("DBSnapshotIdentifier", s.identifier).close("DBSnapshotAttributesResult");
  return x.str();
}

Outcome describe_db_snapshot_attributes(OpContext& ctx, const Call& call) {
  auto snap = find_db_snapshot(ctx, call);
  if (auto* e = std::get_if<ApiError>(&snap)) return *e;
  return query_ok(call, db_snapshot_attributes_xml(*std::get<RdsSnapshot*>(snap)));
}

Outcome modify_db_snapshot_attribute(OpContext& ctx, const Call& call) {
  auto snap = find_db_snapshot(ctx, call);
  if (auto* e = std::get_if<ApiError>(&snap)) return *e;
  RdsSnapshot& s = *std::get<RdsSnapshot*>(snap);
  const std::string attribute = call.param("AttributeName");
  if (attribute.empty()) return missing_parameter(Protocol::kQuery, "AttributeName");
  if (attribute != "restore") {
    return ApiError{400, "InvalidParameterValue", "Invalid snapshot attribute name: " + attribute + ". Only 'restore' is supported."};
  }
  std::vector<std::pair<bool, std::string>> changes;
  for (const auto& [k, v] : call.params) {
    if (k.rfind("ValuesToAdd.AttributeValue.", 0) == 0) changes.emplace_back(true, v);
    if (k.rfind("ValuesToRemove.AttributeValue.", 0) == 0) changes.emplace_back(false, v);
  }
  for (const auto& [add, v] : changes) {
    if (v != "all" && (v.size() != 12 || v.find_first_not_of("0123456789") != std::string::npos)) {
      return ApiError{400, "InvalidParameterValue", "Invalid account id or 'all': " + v};
    }
  }
  for (const auto& [add, v] : changes) {
    if (add) s.restore.insert(v);
    else s.restore.erase(v);
  }
  return query_ok(call, db_snapshot_attributes_xml(s));
}

}  // namespace

const std::map<std::string, OperationInfo>& kms_operations() {
  static const std::map<std::string, OperationInfo> ops{
      {"GetKeyRotationStatus", {Protocol::kJson, get_key_rotation_status}},
      {"EnableKeyRotation", {Protocol::kJson, enable_key_rotation}},
      {"DisableKeyRotation", {Protocol::kJson, disable_key_rotation}},
  };
  return ops;
}

const std::map<std::string, OperationInfo>& tagging_operations() {
  static const std::map<std::string, OperationInfo> ops{{"GetResources", {Protocol::kJson, get_resources}}};
  return ops;
}

const std::map<std::string, OperationInfo>& cloudtrail_operations() {
  static const std::map<std::string, OperationInfo> ops{
      {"GetTrail", {Protocol::kJson, get_trail}},
      {"UpdateTrail", {Protocol::kJson, update_trail}},
  };
  return ops;
}

const std::map<std::string, OperationInfo>& rds_operations() {
  static const std::map<std::string, OperationInfo> ops{
      {"DescribeDBSnapshotAttributes", {Protocol::kQuery, describe_db_snapshot_attributes}},
      {"ModifyDBSnapshotAttribute", {Protocol::kQuery, modify_db_snapshot_attribute}},
  };
  return ops;
}

}  // namespace fixgate::cloudsim
