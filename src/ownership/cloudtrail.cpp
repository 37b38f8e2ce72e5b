#include "ownership/cloudtrail.h"

#include <nlohmann/json.hpp>

#include <map>

#include "core/text.h"

namespace fixgate::ownership {
namespace {

using nlohmann::json;

std::string str(const json& j, std::string_view key) {
  if (!j.is_object()) return {};
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

const json* child(const json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  const auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

// Walks a dotted path; a segment ending in "[]" iterates an array.
void collect(const json& j, std::string_view path, std::vector<std::string>& out) {
  if (path.empty()) {
    if (j.is_string() && !j.get<std::string>().empty()) out.push_back(j.get<std::string>());
    return;
  }
  const auto dot = path.find('.');
  std::string_view seg = path.substr(0, dot);
  const std::string_view rest = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
  const bool each = seg.ends_with("[]");
  if (each) seg.remove_suffix(2);
  const json* next = child(j, seg);
  if (next == nullptr) return;
  if (each) {
    if (!next->is_array()) return;
    for (const auto& item : *next) collect(item, rest, out);
  } else {
    collect(*next, rest, out);
  }
}

// Where each creation call names what it created.
const std::map<std::string, std::vector<std::string>, std::less<>>& creation_paths() {
  static const std::map<std::string, std::vector<std::string>, std::less<>> paths = {
      {"CreateBucket", {"requestParameters.bucketName"}},
      {"RunInstances", {"responseElements.instancesSet.items[].instanceId"}},
      {"CreateSecurityGroup", {"responseElements.groupId", "requestParameters.groupName"}},
      {"CreateUser", {"requestParameters.userName", "responseElements.user.arn"}},
      {"CreateRole", {"requestParameters.roleName", "responseElements.role.arn"}},
      {"CreateDBInstance", {"requestParameters.dBInstanceIdentifier", "responseElements.dBInstanceArn"}},
      {"CreateDBCluster", {"requestParameters.dBClusterIdentifier", "responseElements.dBClusterArn"}},
      {"CreateFunction20150331", {"requestParameters.functionName", "responseElements.functionArn"}},
      {"CreateFunction", {"requestParameters.functionName", "responseElements.functionArn"}},
      {"CreateKey", {"responseElements.keyMetadata.keyId", "responseElements.keyMetadata.arn"}},
      {"CreateVolume", {"responseElements.volumeId"}},
      {"CreateTable", {"requestParameters.tableName", "responseElements.tableDescription.tableArn"}},
      {"CreateTopic", {"requestParameters.name", "responseElements.topicArn"}},
      {"CreateQueue", {"requestParameters.queueName", "responseElements.queueUrl"}},
      {"CreateVpc", {"responseElements.vpc.vpcId"}},
      {"CreateSubnet", {"responseElements.subnet.subnetId"}},
      {"CreateSecret", {"requestParameters.name", "responseElements.arn"}},
      {"CreateRepository", {"requestParameters.repositoryName", "responseElements.repository.repositoryArn"}},
      {"CreateTrail", {"requestParameters.name", "responseElements.trailARN"}},
      {"CreateLoadBalancer", {"requestParameters.name", "responseElements.loadBalancers[].loadBalancerArn"}},
  };
  return paths;
}

// Request parameters that name the resource a non-creating call changed.
constexpr const char* kChangedPaths[] = {
    "requestParameters.bucketName", "requestParameters.groupId", "requestParameters.instanceId",
    "requestParameters.instancesSet.items[].instanceId", "requestParameters.dBInstanceIdentifier",
    "requestParameters.userName", "requestParameters.roleName", "requestParameters.functionName",
    "requestParameters.keyId", "requestParameters.volumeId", "requestParameters.tableName",
    "requestParameters.topicArn", "requestParameters.queueUrl", "requestParameters.secretId"};

CloudTrailIdentity derive(const json& ui) {
  CloudTrailIdentity id;
  id.type = str(ui, "type");
  id.arn = str(ui, "arn");
  id.account_id = str(ui, "accountId");
  id.principal_id = str(ui, "principalId");
  id.user_name = str(ui, "userName");
  id.invoked_by = str(ui, "invokedBy");
  id.identity_provider = str(ui, "identityProvider");
  const json* context = child(ui, "sessionContext");
  const json* issuer = context != nullptr ? child(*context, "sessionIssuer") : nullptr;
  if (issuer != nullptr) {
    id.session_issuer_arn = str(*issuer, "arn");
    id.session_issuer_type = str(*issuer, "type");
    id.role_name = id.session_issuer_type == "Role" || id.session_issuer_type.empty() ? str(*issuer, "userName") : "";
  }
  if (context != nullptr && id.identity_provider.empty()) {
    if (const json* web = child(*context, "webIdFederationData")) id.identity_provider = str(*web, "federatedProvider");
  }
  id.creator_arn = id.type == "FederatedUser" ? id.session_issuer_arn : id.arn;

  // arn:aws:sts::<account>:assumed-role/<role>/<session>, or federated-user/<name>
  const auto resource = id.arn.find(":assumed-role/");
  if (resource != std::string::npos) {
    const std::string rest = id.arn.substr(resource + 14);
    const auto slash = rest.find('/');
    if (id.role_name.empty()) id.role_name = rest.substr(0, slash);
    if (slash != std::string::npos) id.session_name = rest.substr(slash + 1);
  }
  const auto federated = id.arn.find(":federated-user/");
  if (federated != std::string::npos) id.session_name = id.arn.substr(federated + 16);
  if (id.session_name.empty() && id.type == "AssumedRole") {
    const auto colon = id.principal_id.find(':');
    if (colon != std::string::npos) id.session_name = id.principal_id.substr(colon + 1);
  }
  id.sso = id.session_issuer_arn.find(":role/aws-reserved/sso.amazonaws.com/") != std::string::npos;
  id.service = id.type == "AWSService" || id.session_issuer_arn.find(":role/aws-service-role/") != std::string::npos ||
               id.invoked_by == "AWS Internal" || id.invoked_by.ends_with(".amazonaws.com");
  return id;
}

CloudTrailEvent to_event(const json& e, std::string location) {
  CloudTrailEvent ev;
  ev.event_id = str(e, "eventID");
  ev.event_name = str(e, "eventName");
  ev.event_source = str(e, "eventSource");
  ev.event_time = str(e, "eventTime");
  ev.account = str(e, "recipientAccountId");
  ev.region = str(e, "awsRegion");
  ev.error_code = str(e, "errorCode");
  if (const json* ui = child(e, "userIdentity")) ev.identity = derive(*ui);
  if (ev.account.empty()) ev.account = ev.identity.account_id;
  const auto& creations = creation_paths();
  if (const auto it = creations.find(ev.event_name); it != creations.end()) {
    ev.creates = true;
    for (const auto& path : it->second) collect(e, path, ev.resource_ids);
  } else {
    for (const char* path : kChangedPaths) collect(e, path, ev.resource_ids);
  }
  if (const json* resources = child(e, "resources"); resources != nullptr && resources->is_array()) {
    for (const auto& r : *resources) {
      const std::string arn = str(r, "ARN").empty() ? str(r, "arn") : str(r, "ARN");
      if (!arn.empty()) ev.resource_ids.push_back(arn);
    }
  }
  if (ev.event_name == "CreateBucket") {
    const std::size_t n = ev.resource_ids.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (!ev.resource_ids[i].starts_with("arn:")) ev.resource_ids.push_back("arn:aws:s3:::" + ev.resource_ids[i]);
    }
  }
  ev.location = std::move(location);
  return ev;
}

Result<void> add_records(const json& list, const std::string& where, std::vector<CloudTrailEvent>& out) {
  if (!list.is_array()) return make_error("cloudtrail.malformed", where + ": expected an array of records");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json& item = list[i];
    const std::string loc = where + "[" + std::to_string(i) + "]";
    if (!item.is_object()) return make_error("cloudtrail.malformed", loc + ": expected an object");
    const json* inner = (!item.contains("eventName") && item.contains("event")) ? &item["event"] : &item;
    if (!inner->is_object()) return make_error("cloudtrail.malformed", loc + ".event: expected an object");
    out.push_back(to_event(*inner, loc));
  }
  return {};
}

}  // namespace

Result<std::vector<CloudTrailEvent>> parse_cloudtrail(std::string_view text, const std::string& origin) {
  std::vector<CloudTrailEvent> out;
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_discarded()) {
    Result<void> r;
    if (doc.is_array()) {
      r = add_records(doc, origin + " records", out);
    } else if (doc.is_object() && doc.contains("Records")) {
      r = add_records(doc["Records"], origin + " Records", out);
    } else if (doc.is_object() && doc.contains("events")) {
      r = add_records(doc["events"], origin + " events", out);
    } else if (doc.is_object() && doc.contains("eventName")) {
      out.push_back(to_event(doc, origin));
    } else {
      r = make_error("cloudtrail.malformed", origin + ": expected Records, events, an array or a record");
    }
    if (!r) return r.error();
    return out;
  }
  // JSON lines: one record per line.
  int line_no = 0;
  for (const auto& line : split(text, '\n')) {
    ++line_no;
    if (trim(line).empty()) continue;
    json record = json::parse(line, nullptr, false);
    if (record.is_discarded() || !record.is_object()) {
      return make_error("cloudtrail.malformed", origin + ":" + std::to_string(line_no) + ": not a JSON object");
    }
    out.push_back(to_event(record, origin + ":" + std::to_string(line_no)));
  }
  return out;
}

}  // namespace fixgate::ownership
