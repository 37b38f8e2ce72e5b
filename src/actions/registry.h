// The action registry: every action declared as data beside its implementation.
//
// An ActionSpec says what an action is called, which resource types (CloudFormation
// names) it can fix, which parameters it takes (type, default, bounds), and the
// exact IAM actions each life-cycle step needs. The IAM policy fixgate asks
// customers to deploy is generated from these declarations (policy.h), so a
// permission an action does not declare is a permission it does not get.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "actions/action.h"
#include "core/result.h"

namespace fixgate::actions {

enum class ParamType { integer, integer_list, string, boolean };
const char* to_string(ParamType type);

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::string;
  nlohmann::json default_value;        // null: the parameter is required
  std::optional<long long> min;        // integers and each list element
  std::optional<long long> max;
  std::vector<std::string> allowed;    // strings: the only accepted values (empty: any)
  std::string description;
};

// IAM actions ("s3:GetBucketPublicAccessBlock") per life-cycle step.
struct Permissions {
  std::vector<std::string> precheck;
  std::vector<std::string> apply;
  std::vector<std::string> verify;
  std::vector<std::string> rollback;
  // Every action above, sorted and de-duplicated.
  std::vector<std::string> all() const;
};

struct ActionSpec {
  std::string name;  // e.g. "aws.s3.block_public_access"
  std::string description;
  std::vector<std::string> resource_types;
  std::vector<ParamSpec> params;
  Permissions permissions;
  std::function<std::unique_ptr<RemediationAction>()> make;

  bool supports(std::string_view resource_type) const;
};

// Checks `given` (a JSON object, or null for none) against the spec and returns
// it with defaults filled in. Errors ("actions.invalid_params") name the
// parameter: unknown names, wrong types, out-of-range values, missing required.
Result<nlohmann::json> validate_params(const ActionSpec& spec, const nlohmann::json& given);

class ActionRegistry {
 public:
  // Fails ("actions.duplicate") when the name is taken or the spec is incomplete.
  Result<void> add(ActionSpec spec);
  const ActionSpec* find(std::string_view name) const;
  const std::vector<ActionSpec>& all() const { return specs_; }

 private:
  std::vector<ActionSpec> specs_;
};

// The ten built-in AWS actions.
const ActionRegistry& builtin_actions();

}  // namespace fixgate::actions
