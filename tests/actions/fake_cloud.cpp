#include "fake_cloud.h"

#include <algorithm>
#include <thread>

namespace fixgate::actions::testing {

namespace {

bool is_read(const std::string& operation) {
  return operation.rfind("Get", 0) == 0 || operation.rfind("Describe", 0) == 0 || operation.rfind("List", 0) == 0;
}

Error not_found(const std::string& code, const std::string& what) { return aws_error(code, what + " does not exist"); }

// EC2 permission identity: protocol and port range.
bool same_rule(const nlohmann::json& a, const nlohmann::json& b) {
  return a.value("IpProtocol", "") == b.value("IpProtocol", "") && a.value("FromPort", -1) == b.value("FromPort", -1) &&
         a.value("ToPort", -1) == b.value("ToPort", -1);
}

Result<void> revoke(nlohmann::json& permissions, const nlohmann::json& request) {
  for (const auto& wanted : request) {
    auto it = std::find_if(permissions.begin(), permissions.end(), [&](const nlohmann::json& p) { return same_rule(p, wanted); });
    if (it == permissions.end()) return aws_error("InvalidPermission.NotFound", "The specified rule does not exist in this security group.");
    for (const auto& [list, key] : {std::pair{"IpRanges", "CidrIp"}, {"Ipv6Ranges", "CidrIpv6"}}) {
      for (const auto& range : wanted.value(list, nlohmann::json::array())) {
        nlohmann::json& have = (*it)[list];
        auto found = std::find_if(have.begin(), have.end(), [&](const nlohmann::json& r) { return r.value(key, "") == range.value(key, ""); });
        if (found == have.end()) return aws_error("InvalidPermission.NotFound", "The specified rule does not exist in this security group.");
        have.erase(found);
      }
    }
    bool empty = true;
    for (const char* list : {"IpRanges", "Ipv6Ranges", "UserIdGroupPairs", "PrefixListIds"}) {
      if (it->contains(list) && !(*it)[list].empty()) empty = false;
    }
    if (empty) permissions.erase(it);
  }
  return {};
}

void authorize(nlohmann::json& permissions, const nlohmann::json& request) {
  for (const auto& wanted : request) {
    auto it = std::find_if(permissions.begin(), permissions.end(), [&](const nlohmann::json& p) { return same_rule(p, wanted); });
    if (it == permissions.end()) {
      nlohmann::json fresh = wanted;
      for (const char* list : {"IpRanges", "Ipv6Ranges", "UserIdGroupPairs", "PrefixListIds"}) {
        if (!fresh.contains(list)) fresh[list] = nlohmann::json::array();
      }
      permissions.push_back(fresh);
      continue;
    }
    for (const char* list : {"IpRanges", "Ipv6Ranges"}) {
      for (const auto& range : wanted.value(list, nlohmann::json::array())) (*it)[list].push_back(range);
    }
  }
}

}  // namespace

void FakeCloud::fail_next(const std::string& operation, const std::string& aws_code, int times) {
  std::lock_guard lock(counters_mutex_);
  faults_[operation] = {aws_code, times};
}

int FakeCloud::calls(const std::string& operation) const {
  std::lock_guard lock(counters_mutex_);
  auto it = calls_.find(operation);
  return it == calls_.end() ? 0 : it->second;
}

int FakeCloud::total_calls() const {
  std::lock_guard lock(counters_mutex_);
  int total = 0;
  for (const auto& [op, n] : calls_) total += n;
  return total;
}

int FakeCloud::mutating_calls() const {
  std::lock_guard lock(counters_mutex_);
  int total = 0;
  for (const auto& [op, n] : calls_) {
    if (!is_read(op)) total += n;
  }
  return total;
}

Result<ApiResponse> FakeCloud::call(const ApiCall& call) {
  if (latency_.count() > 0) std::this_thread::sleep_for(latency_);
  std::string request_id;
  {
    std::lock_guard lock(counters_mutex_);
    ++calls_[call.operation];
    request_id = "req-" + std::to_string(next_request_++);
    auto fault = faults_.find(call.operation);
    if (fault != faults_.end() && fault->second.second > 0) {
      --fault->second.second;
      return aws_error(fault->second.first, "injected fault (request id " + request_id + ")");
    }
    if (denied_.count(call.operation) != 0) {
      return aws_error("AccessDenied", "User is not authorized to perform: " + call.service + ":" + call.operation +
                                           " (request id " + request_id + ")");
    }
  }
  std::lock_guard lock(mutex_);
  Result<nlohmann::json> body = dispatch(call);
  if (!body.ok()) return body.error();
  return ApiResponse{std::move(*body), request_id};
}

Result<nlohmann::json> FakeCloud::dispatch(const ApiCall& call) {
  const std::string& op = call.operation;
  const nlohmann::json& p = call.params;
  if (call.service == "s3") {
    auto it = buckets.find(p.value("Bucket", ""));
    if (it == buckets.end()) return aws_error("NoSuchBucket", "The specified bucket does not exist");
    Bucket& b = it->second;
    if (op == "GetPublicAccessBlock") {
      if (!b.public_access_block) return aws_error("NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found");
      return nlohmann::json{{"PublicAccessBlockConfiguration", *b.public_access_block}};
    }
    if (op == "PutPublicAccessBlock") { b.public_access_block = p.at("PublicAccessBlockConfiguration"); return nlohmann::json::object(); }
    if (op == "DeletePublicAccessBlock") { b.public_access_block.reset(); return nlohmann::json::object(); }
    if (op == "GetBucketEncryption") {
      if (!b.encryption) return aws_error("ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found");
      return nlohmann::json{{"ServerSideEncryptionConfiguration", *b.encryption}};
    }
    if (op == "PutBucketEncryption") { b.encryption = p.at("ServerSideEncryptionConfiguration"); return nlohmann::json::object(); }
    if (op == "DeleteBucketEncryption") { b.encryption.reset(); return nlohmann::json::object(); }
    if (op == "GetBucketAcl") return nlohmann::json{{"Owner", b.owner}, {"Grants", b.grants}};
    if (op == "PutBucketAcl") { b.grants = p.at("AccessControlPolicy").at("Grants"); return nlohmann::json::object(); }
  } else if (call.service == "s3control") {
    if (op == "GetPublicAccessBlock") {
      if (!account_public_access_block) return aws_error("NoSuchPublicAccessBlockConfiguration", "not found");
      return nlohmann::json{{"PublicAccessBlockConfiguration", *account_public_access_block}};
    }
    if (op == "PutPublicAccessBlock") { account_public_access_block = p.at("PublicAccessBlockConfiguration"); return nlohmann::json::object(); }
    if (op == "DeletePublicAccessBlock") { account_public_access_block.reset(); return nlohmann::json::object(); }
  } else if (call.service == "ec2") {
    if (op == "DescribeSecurityGroups") {
      nlohmann::json groups = nlohmann::json::array();
      for (const auto& id : p.at("GroupIds")) {
        auto it = security_groups.find(id.get<std::string>());
        if (it == security_groups.end()) return not_found("InvalidGroup.NotFound", "security group " + id.get<std::string>());
        groups.push_back({{"GroupId", it->first}, {"IpPermissions", it->second}});
      }
      return nlohmann::json{{"SecurityGroups", groups}};
    }
    if (op == "RevokeSecurityGroupIngress" || op == "AuthorizeSecurityGroupIngress") {
      auto it = security_groups.find(p.value("GroupId", ""));
      if (it == security_groups.end()) return not_found("InvalidGroup.NotFound", "security group");
      if (op == "AuthorizeSecurityGroupIngress") {
        authorize(it->second, p.at("IpPermissions"));
        return nlohmann::json{{"Return", true}};
      }
      nlohmann::json copy = it->second;
      Result<void> done = revoke(copy, p.at("IpPermissions"));
      if (!done.ok()) return done.error();
      it->second = copy;
      return nlohmann::json{{"Return", true}};
    }
    if (op == "GetEbsEncryptionByDefault") return nlohmann::json{{"EbsEncryptionByDefault", ebs_default_encryption}};
    if (op == "EnableEbsEncryptionByDefault") { ebs_default_encryption = true; return nlohmann::json{{"EbsEncryptionByDefault", true}}; }
    if (op == "DisableEbsEncryptionByDefault") { ebs_default_encryption = false; return nlohmann::json{{"EbsEncryptionByDefault", false}}; }
    if (op == "DescribeSnapshotAttribute" || op == "ModifySnapshotAttribute") {
      auto it = ec2_snapshot_public.find(p.value("SnapshotId", ""));
      if (it == ec2_snapshot_public.end()) return not_found("InvalidSnapshot.NotFound", "snapshot");
      if (op == "DescribeSnapshotAttribute") {
        nlohmann::json perms = nlohmann::json::array();
        if (it->second) perms.push_back({{"Group", "all"}});
        return nlohmann::json{{"SnapshotId", it->first}, {"CreateVolumePermissions", perms}};
      }
      const nlohmann::json& change = p.at("CreateVolumePermission");
      if (change.contains("Add")) it->second = true;
      if (change.contains("Remove")) it->second = false;
      return nlohmann::json::object();
    }
  } else if (call.service == "iam") {
    if (op == "GetAccessKeyLastUsed") {
      for (auto& [user, keys] : users) {
        for (auto& k : keys) {
          if (k.id != p.value("AccessKeyId", "")) continue;
          nlohmann::json info = {{"ServiceName", k.last_used.empty() ? "N/A" : k.service}, {"Region", "N/A"}};
          if (!k.last_used.empty()) info["LastUsedDate"] = k.last_used;
          return nlohmann::json{{"UserName", user}, {"AccessKeyLastUsed", info}};
        }
      }
      return not_found("NoSuchEntity", "access key");
    }
    auto it = users.find(p.value("UserName", ""));
    if (it == users.end()) return not_found("NoSuchEntity", "user");
    if (op == "ListAccessKeys") {
      nlohmann::json keys = nlohmann::json::array();
      for (const auto& k : it->second) {
        keys.push_back({{"UserName", it->first}, {"AccessKeyId", k.id}, {"Status", k.status}, {"CreateDate", k.create_date}});
      }
      return nlohmann::json{{"AccessKeyMetadata", keys}, {"IsTruncated", false}};
    }
    if (op == "UpdateAccessKey") {
      for (auto& k : it->second) {
        if (k.id == p.value("AccessKeyId", "")) {
          k.status = p.at("Status");
          return nlohmann::json::object();
        }
      }
      return not_found("NoSuchEntity", "access key");
    }
  } else if (call.service == "kms") {
    auto it = kms_rotation.find(p.value("KeyId", ""));
    if (it == kms_rotation.end()) return not_found("NotFoundException", "key");
    if (op == "GetKeyRotationStatus") return nlohmann::json{{"KeyRotationEnabled", it->second}};
    if (op == "EnableKeyRotation") { it->second = true; return nlohmann::json::object(); }
    if (op == "DisableKeyRotation") { it->second = false; return nlohmann::json::object(); }
  } else if (call.service == "rds") {
    auto it = rds_restore.find(p.value("DBSnapshotIdentifier", ""));
    if (it == rds_restore.end()) return not_found("DBSnapshotNotFound", "snapshot");
    if (op == "DescribeDBSnapshotAttributes") {
      return nlohmann::json{{"DBSnapshotAttributesResult",
                             {{"DBSnapshotIdentifier", it->first},
                              {"DBSnapshotAttributes", {{{"AttributeName", "restore"}, {"AttributeValues", it->second}}}}}}};
    }
    if (op == "ModifyDBSnapshotAttribute") {
      for (const auto& v : p.value("ValuesToAdd", nlohmann::json::array())) it->second.insert(v.get<std::string>());
      for (const auto& v : p.value("ValuesToRemove", nlohmann::json::array())) it->second.erase(v.get<std::string>());
      return nlohmann::json::object();
    }
  } else if (call.service == "cloudtrail") {
    auto it = trail_validation.find(p.value("Name", ""));
    if (it == trail_validation.end()) return not_found("TrailNotFoundException", "trail");
    if (op == "GetTrail") return nlohmann::json{{"Trail", {{"Name", it->first}, {"LogFileValidationEnabled", it->second}}}};
    if (op == "UpdateTrail") {
      it->second = p.at("EnableLogFileValidation").get<bool>();
      return nlohmann::json{{"Name", it->first}, {"LogFileValidationEnabled", it->second}};
    }
  }
  return aws_error("InvalidAction", "the fake does not implement " + call.service + ":" + op);
}

}  // namespace fixgate::actions::testing
