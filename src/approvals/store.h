// Approval requests and their durable store (SQLite in the state directory).
//
// A request is what an approver sees and signs off: the finding, the decision
// that asked for approval, the exact API calls planned from a dry run, and the
// correlation id that ties it to every audit record and CloudTrail event. The
// store only keeps requests; the life cycle rules (who may approve, expiry,
// running the action) are in service.h.
//
// Status changes are compare-and-set on the stored status, so two approvers
// racing on one request cannot both win. Thread-safe (one connection behind a
// mutex); several processes may share the file.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "core/finding.h"
#include "core/result.h"
#include "sqlite/sqlite_db.h"

namespace fixgate::approvals {

enum class Status { pending, approved, denied, expired };
const char* to_string(Status status);
std::optional<Status> parse_status(std::string_view text);

struct ApprovalRequest {
  std::string id;  // "apr-" + 16 hex characters
  Status status = Status::pending;
  std::string correlation_id;
  std::string finding_id;
  std::string action;
  nlohmann::json params = nlohmann::json::object();
  nlohmann::json plan = nlohmann::json::array();  // the planned API calls, as ApiCall::to_json
  nlohmann::json decision = nlohmann::json::object();  // Decision::to_json of the asking decision
  nlohmann::json finding = nlohmann::json::object();   // finding_to_json
  std::string why;           // why a person must decide (decision or precheck reason)
  std::string requested_by;  // who (or which fixgate instance) asked
  int64_t created_at_ms = 0;
  int64_t expires_at_ms = 0;  // after this instant it can no longer be approved
  std::string decided_by;     // approver or denier; "" while pending or when expired
  int64_t decided_at_ms = 0;
  std::string note;                  // deny reason, or the approver's note
  nlohmann::json result = nullptr;   // the action's RunReport after approval

  nlohmann::json to_json() const;  // times as RFC 3339
};

// The finding fields an action needs, as JSON and back (raw payload included).
nlohmann::json finding_to_json(const Finding& finding);
Result<Finding> finding_from_json(const nlohmann::json& json);

struct ListQuery {
  std::optional<Status> status;
  size_t limit = 200;
};

class ApprovalStore {
 public:
  // Opens (creating when missing) the store at `path`; "approvals.open" on failure.
  static Result<std::unique_ptr<ApprovalStore>> open(const std::string& path);

  // Inserts a new request; `before_commit` (the audit append) runs inside the
  // same transaction, and if it fails nothing is stored. "approvals.write".
  Result<void> insert(const ApprovalRequest& request, const std::function<Result<void>()>& before_commit);
  // "approvals.not_found" when absent.
  Result<ApprovalRequest> get(const std::string& id);
  // Newest first.
  Result<std::vector<ApprovalRequest>> list(const ListQuery& query);
  // A pending request for the same correlation id and action, if any (so a
  // redelivered finding does not ask twice).
  Result<std::optional<ApprovalRequest>> find_pending(const std::string& correlation_id, const std::string& action);

  // Replaces the stored request with `updated` only while its stored status is
  // `expected`, and runs `before_commit` (the audit append) inside the same
  // transaction: if it fails nothing changes. Returns false when the status
  // had already moved on (another approver won).
  Result<bool> update_if(const ApprovalRequest& updated, Status expected,
                         const std::function<Result<void>()>& before_commit);

 private:
  explicit ApprovalStore(sqlite::Db db) : db_(std::move(db)) {}
  Result<std::vector<ApprovalRequest>> query(const std::string& where, const std::vector<std::string>& binds,
                                             size_t limit);
  // Runs `write` then `before_commit` in one IMMEDIATE transaction.
  Result<bool> transaction(const std::function<Result<bool>()>& write, const std::function<Result<void>()>& before_commit);

  std::mutex mutex_;
  sqlite::Db db_;
};

}  // namespace fixgate::approvals
