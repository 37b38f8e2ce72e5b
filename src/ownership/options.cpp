#include "ownership/options.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

namespace fixgate::ownership {
namespace {

using nlohmann::json;

Error bad(const std::string& where, const std::string& what) {
  return make_error("config.invalid_ownership", "ownership." + where + ": " + what);
}

Result<std::vector<std::string>> strings(const json& j, const std::string& where, bool allow_single = false) {
  std::vector<std::string> out;
  if (allow_single && j.is_string()) {
    out.push_back(j.get<std::string>());
    return out;
  }
  if (!j.is_array()) return bad(where, "expected a list of strings");
  for (std::size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_string() || j[i].get<std::string>().empty()) {
      return bad(where + "[" + std::to_string(i) + "]", "expected a non-empty string");
    }
    out.push_back(j[i].get<std::string>());
  }
  return out;
}

Result<std::map<std::string, std::string>> string_map(const json& j, const std::string& where) {
  if (!j.is_object()) return bad(where, "expected a mapping of name to team");
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : j.items()) {
    if (!value.is_string() || value.get<std::string>().empty()) {
      return bad(where + "." + key, "expected a team name");
    }
    out[key] = value.get<std::string>();
  }
  return out;
}

Result<std::string> path(const json& j, const std::string& where) {
  if (!j.is_string() || j.get<std::string>().empty()) return bad(where, "expected a file path");
  return j.get<std::string>();
}

}  // namespace

const std::vector<std::string>& default_precedence() {
  static const std::vector<std::string> order = {"tag",     "tag_rule",   "backstage", "cmdb",
                                                 "project", "codeowners", "git_blame", "cloudtrail"};
  return order;
}

Result<OwnershipOptions> ownership_options_from_json(const json& section) {
  OwnershipOptions o;
  if (section.is_null()) return o;
  if (!section.is_object()) return make_error("config.invalid_ownership", "ownership: expected a mapping");
  for (const auto& [key, value] : section.items()) {
    if (key == "tags") {
      auto v = strings(value, key);
      if (!v) return v.error();
      o.tag_keys = std::move(v).value();
    } else if (key == "tag_rules") {
      if (!value.is_array()) return bad(key, "expected a list of {key, value_regex, owner}");
      for (std::size_t i = 0; i < value.size(); ++i) {
        const json& r = value[i];
        const std::string where = key + "[" + std::to_string(i) + "]";
        if (!r.is_object()) return bad(where, "expected a mapping with key, value_regex and owner");
        TagRule rule;
        for (const auto& [field, v] : r.items()) {
          if (!v.is_string()) return bad(where + "." + field, "expected a string");
          if (field == "key") rule.key = v.get<std::string>();
          else if (field == "value_regex" || field == "value") rule.value_regex = v.get<std::string>();
          else if (field == "owner" || field == "team") rule.owner = v.get<std::string>();
          else return bad(where + "." + field, "unknown key (expected key, value_regex, owner)");
        }
        if (rule.key.empty()) return bad(where + ".key", "missing");
        if (rule.owner.empty()) return bad(where + ".owner", "missing");
        o.tag_rules.push_back(std::move(rule));
      }
    } else if (key == "projects") {
      auto v = string_map(value, key);
      if (!v) return v.error();
      o.projects = std::move(v).value();
    } else if (key == "accounts") {
      auto v = string_map(value, key);
      if (!v) return v.error();
      o.accounts = std::move(v).value();
    } else if (key == "backstage") {
      auto v = strings(value, key, /*allow_single=*/true);
      if (!v) return v.error();
      o.backstage_catalogs = std::move(v).value();
    } else if (key == "cmdb" || key == "codeowners" || key == "repo" || key == "cloudtrail") {
      auto v = path(value, key);
      if (!v) return v.error();
      std::string& slot = key == "cmdb" ? o.cmdb_path
                          : key == "codeowners" ? o.codeowners_path
                          : key == "repo" ? o.repo_path
                                          : o.cloudtrail_events_path;
      slot = std::move(v).value();
    } else if (key == "precedence") {
      auto v = strings(value, key);
      if (!v) return v.error();
      std::set<std::string> seen;
      const auto& known = default_precedence();
      for (std::size_t i = 0; i < v->size(); ++i) {
        const std::string& name = (*v)[i];
        const std::string where = key + "[" + std::to_string(i) + "]";
        if (std::find(known.begin(), known.end(), name) == known.end()) {
          return bad(where, "unknown source '" + name +
                                "' (expected tag, tag_rule, project, backstage, cmdb, codeowners, git_blame, cloudtrail)");
        }
        if (!seen.insert(name).second) return bad(where, "source '" + name + "' listed twice");
      }
      o.precedence = std::move(v).value();
    } else {
      return bad(key, "unknown key");
    }
  }
  return o;
}

}  // namespace fixgate::ownership
