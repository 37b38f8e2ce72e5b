// Owners from a CMDB export (ServiceNow-style configuration items).
//
// Reads CSV (header row required) or JSON (an array of records, or an object
// whose "result" or "records" member is that array, as the ServiceNow Table API
// returns; a value may be a string or {"display_value", "value"}, the display
// value preferred). Columns are recognised case-insensitively:
//   ARN          arn, u_arn, resource_arn, u_resource_arn, aws_arn, u_aws_arn
//   resource id  resource_id, u_resource_id, object_id, u_object_id, instance_id
//   name         name, u_name, resource_name
//   team         assignment_group, assignment_group.name, support_group, u_assignment_group
//   person       owned_by, owned_by.name, owner, u_owner, managed_by
//   record id    sys_id
// A resource is looked up by ARN, then by resource id, then by name (name
// compared case-insensitively); the first key with a hit decides. The item's
// assignment group becomes a team candidate (0.85 / 0.8 / 0.6 by key) and its
// owner a person candidate (0.1 less). Evidence: file:line (or records[i]),
// the key that matched, the column and sys_id.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "ownership/candidate.h"

namespace fixgate::ownership {

struct CmdbItem {
  std::string sys_id;
  std::string name;
  std::string arn;
  std::string resource_id;
  std::string assignment_group;
  std::string owner;
  std::string location;  // "file:line" (CSV) or "file records[i]" (JSON)
};

class CmdbSource final : public OwnerSource {
 public:
  // By extension (.csv / .json), else by the first non-blank character.
  // Errors ("cmdb.*") name the file and the line or record at fault.
  static Result<CmdbSource> load(const std::string& path);
  static Result<CmdbSource> from_csv(std::string_view text, const std::string& origin);
  static Result<CmdbSource> from_json(std::string_view text, const std::string& origin);

  std::string_view name() const override { return "cmdb"; }
  std::vector<OwnerCandidate> candidates(const Finding& finding) const override;
  const std::vector<CmdbItem>& items() const { return items_; }

 private:
  explicit CmdbSource(std::vector<CmdbItem> items);

  std::vector<CmdbItem> items_;
  std::unordered_map<std::string, std::vector<std::size_t>> by_arn_;
  std::unordered_map<std::string, std::vector<std::size_t>> by_id_;
  std::unordered_map<std::string, std::vector<std::size_t>> by_name_;  // lower case
};

}  // namespace fixgate::ownership
