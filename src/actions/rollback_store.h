// Where the prior state of every applied change is kept, so
// `fixgate rollback <action-id>` can restore it later, from another process.
//
// The runner writes the record BEFORE the first mutating call (status
// "intent"), so a worker that dies mid-apply still leaves what is needed to
// undo the change, and updates it afterwards ("applied", "failed", "rolled_back").
#pragma once

#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "core/finding.h"
#include "core/result.h"

namespace fixgate::actions {

struct RollbackRecord {
  std::string action_id;  // "act-<16 hex>"
  std::string action;     // e.g. aws.ec2.revoke_public_ingress
  std::string correlation_id;
  std::string finding_id;
  // The parts of the finding an action reads to find its target.
  std::string account, region, resource_arn, resource_id, resource_type, resource_name;
  nlohmann::json params = nlohmann::json::object();
  nlohmann::json prior_state = nlohmann::json::object();
  std::string status;  // intent | applied | failed | verify_failed | rolled_back

  nlohmann::json to_json() const;
  static Result<RollbackRecord> from_json(const nlohmann::json& json);
  // A Finding carrying just the target fields, for running the action again.
  Finding target() const;
};

class RollbackStore {
 public:
  virtual ~RollbackStore() = default;
  // Inserts or replaces the record with this action_id. Returns once durable.
  virtual Result<void> put(const RollbackRecord& record) = 0;
  // Error "actions.rollback_not_found" when no record has this id.
  virtual Result<RollbackRecord> get(const std::string& action_id) = 0;
};

// Thread-safe, not durable: tests and the embedded demo.
class MemoryRollbackStore final : public RollbackStore {
 public:
  Result<void> put(const RollbackRecord& record) override;
  Result<RollbackRecord> get(const std::string& action_id) override;

 private:
  std::mutex mutex_;
  std::map<std::string, RollbackRecord> records_;
};

// One JSON file per action in `directory` (created on first put), written to a
// temporary file, flushed and renamed, so a reader never sees half a record.
// Action ids are validated before they touch a path. Thread-safe.
class FileRollbackStore final : public RollbackStore {
 public:
  explicit FileRollbackStore(std::string directory) : directory_(std::move(directory)) {}
  Result<void> put(const RollbackRecord& record) override;
  Result<RollbackRecord> get(const std::string& action_id) override;

 private:
  std::string directory_;
  std::mutex mutex_;
};

// True for ids this component generates: "act-" followed by 16 lower-case hex digits.
bool valid_action_id(const std::string& action_id);

}  // namespace fixgate::actions
