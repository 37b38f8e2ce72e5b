#include "actions/registry.h"

#include <algorithm>
#include <set>

#include "actions/builtin.h"

namespace fixgate::actions {

const char* to_string(ParamType type) {
  switch (type) {
    case ParamType::integer: return "integer";
    case ParamType::integer_list: return "list of integers";
    case ParamType::string: return "string";
    case ParamType::boolean: return "boolean";
  }
  return "unknown";
}

std::vector<std::string> Permissions::all() const {
  std::set<std::string> unique;
  for (const auto* list : {&precheck, &apply, &verify, &rollback}) unique.insert(list->begin(), list->end());
  return {unique.begin(), unique.end()};
}

bool ActionSpec::supports(std::string_view resource_type) const {
  return std::find(resource_types.begin(), resource_types.end(), resource_type) != resource_types.end();
}

namespace {

Error invalid(const std::string& action, const std::string& param, const std::string& what) {
  return make_error("actions.invalid_params", action + ": params." + param + ": " + what);
}

Result<void> check_integer(const ActionSpec& spec, const ParamSpec& p, const nlohmann::json& v,
                           const std::string& where) {
  if (!v.is_number_integer()) return invalid(spec.name, where, "must be an integer");
  const long long n = v.get<long long>();
  if (p.min && n < *p.min) return invalid(spec.name, where, "must be at least " + std::to_string(*p.min));
  if (p.max && n > *p.max) return invalid(spec.name, where, "must be at most " + std::to_string(*p.max));
  return {};
}

Result<void> check_value(const ActionSpec& spec, const ParamSpec& p, const nlohmann::json& v) {
  switch (p.type) {
    case ParamType::integer: return check_integer(spec, p, v, p.name);
    case ParamType::integer_list:
      if (!v.is_array() || v.empty()) return invalid(spec.name, p.name, "must be a non-empty list of integers");
      for (size_t i = 0; i < v.size(); ++i) {
        Result<void> ok = check_integer(spec, p, v[i], p.name + "[" + std::to_string(i) + "]");
        if (!ok.ok()) return ok;
      }
      return {};
    case ParamType::string:
      if (!v.is_string()) return invalid(spec.name, p.name, "must be a string");
      if (!p.allowed.empty() &&
          std::find(p.allowed.begin(), p.allowed.end(), v.get<std::string>()) == p.allowed.end()) {
        std::string list;
        for (const auto& a : p.allowed) list += (list.empty() ? "" : ", ") + a;
        return invalid(spec.name, p.name, "must be one of: " + list);
      }
      return {};
    case ParamType::boolean:
      if (!v.is_boolean()) return invalid(spec.name, p.name, "must be true or false");
      return {};
  }
  return invalid(spec.name, p.name, "has an unknown type");
}

}  // namespace

Result<nlohmann::json> validate_params(const ActionSpec& spec, const nlohmann::json& given) {
  if (!given.is_null() && !given.is_object()) {
    return make_error("actions.invalid_params", spec.name + ": params must be a mapping of name to value");
  }
  nlohmann::json out = nlohmann::json::object();
  if (given.is_object()) {
    for (const auto& [key, value] : given.items()) {
      const bool known = std::any_of(spec.params.begin(), spec.params.end(), [&](const ParamSpec& p) { return p.name == key; });
      if (!known) return invalid(spec.name, key, "is not a parameter of this action");
      (void)value;
    }
  }
  for (const ParamSpec& p : spec.params) {
    const bool present = given.is_object() && given.contains(p.name) && !given.at(p.name).is_null();
    if (!present) {
      if (p.default_value.is_null()) return invalid(spec.name, p.name, "is required");
      out[p.name] = p.default_value;
      continue;
    }
    Result<void> ok = check_value(spec, p, given.at(p.name));
    if (!ok.ok()) return ok.error();
    out[p.name] = given.at(p.name);
  }
  return out;
}

Result<void> ActionRegistry::add(ActionSpec spec) {
  if (spec.name.empty() || !spec.make || spec.resource_types.empty()) {
    return make_error("actions.duplicate", "action spec '" + spec.name + "' is incomplete (name, resource types, factory)");
  }
  if (find(spec.name) != nullptr) return make_error("actions.duplicate", "action '" + spec.name + "' is declared twice");
  specs_.push_back(std::move(spec));
  return {};
}

const ActionSpec* ActionRegistry::find(std::string_view name) const {
  for (const ActionSpec& spec : specs_) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

const ActionRegistry& builtin_actions() {
  static const ActionRegistry registry = [] {
    ActionRegistry r;
    for (ActionSpec (*declare)() :
         {s3_block_public_access_spec, s3_enable_default_encryption_spec, s3_remove_public_acl_spec,
          ec2_revoke_public_ingress_spec, iam_deactivate_access_key_spec, ec2_enable_ebs_default_encryption_spec,
          kms_enable_key_rotation_spec, rds_make_snapshot_private_spec, ec2_make_snapshot_private_spec,
          cloudtrail_enable_log_validation_spec}) {
      Result<void> added = r.add(declare());
      if (!added.ok()) {
        std::fprintf(stderr, "fixgate: fatal: %s\n", added.error().to_string().c_str());
        std::abort();
      }
    }
    return r;
  }();
  return registry;
}

}  // namespace fixgate::actions
