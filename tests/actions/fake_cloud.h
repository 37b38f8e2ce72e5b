// An in-memory AWS for the action tests: the services and operations the built-in
// actions use, with AWS's modelled request/response shapes and error codes, call
// counters, injectable faults (throttling, access denied) and injectable latency.
// Thread-safe. The cloud simulator (src/cloudsim) plays the same role over the
// real wire formats; this fake checks the action logic without a network.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "actions/cloud_api.h"

namespace fixgate::actions::testing {

struct FakeKey {
  std::string id;
  std::string status = "Active";
  std::string create_date;   // ISO-8601
  std::string last_used;     // ISO-8601, empty: never used
  std::string service = "s3";
};

class FakeCloud final : public CloudApi {
 public:
  Result<ApiResponse> call(const ApiCall& call) override;

  // World state (public so tests seed and inspect it; guard with lock() when threads run).
  struct Bucket {
    std::optional<nlohmann::json> public_access_block;
    std::optional<nlohmann::json> encryption;
    nlohmann::json owner = {{"ID", "owner-canonical-id"}, {"DisplayName", "owner"}};
    nlohmann::json grants = nlohmann::json::array();
  };
  std::map<std::string, Bucket> buckets;
  std::optional<nlohmann::json> account_public_access_block;
  std::map<std::string, nlohmann::json> security_groups;  // id -> IpPermissions
  bool ebs_default_encryption = false;
  std::map<std::string, std::vector<FakeKey>> users;
  std::map<std::string, bool> kms_rotation;
  std::map<std::string, std::set<std::string>> rds_restore;
  std::map<std::string, bool> ec2_snapshot_public;
  std::map<std::string, bool> trail_validation;

  // Faults: the next `times` calls of `operation` fail with `aws_code`.
  void fail_next(const std::string& operation, const std::string& aws_code, int times = 1);
  // Every call of `operation` fails with AccessDenied (until cleared).
  void deny(const std::string& operation) { denied_.insert(operation); }
  void set_latency(std::chrono::microseconds latency) { latency_ = latency; }

  int calls(const std::string& operation) const;
  int total_calls() const;
  // Calls that change state (everything not Get*/Describe*/List*).
  int mutating_calls() const;
  std::mutex& lock() { return mutex_; }

 private:
  Result<nlohmann::json> dispatch(const ApiCall& call);
  std::mutex mutex_;
  mutable std::mutex counters_mutex_;
  std::map<std::string, int> calls_;
  std::map<std::string, std::pair<std::string, int>> faults_;
  std::set<std::string> denied_;
  std::chrono::microseconds latency_{0};
  int next_request_ = 1;
};

}  // namespace fixgate::actions::testing
