// load_config() and the general sections: version, mode, environments,
// accounts, ownership. The catalog and exceptions are in loader_catalog.cpp.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "config/loader.h"
#include "core/text.h"

namespace fixgate {
namespace config_detail {

namespace {

const std::vector<std::string> kSections = {"version",   "mode",       "environments",    "accounts",
                                            "ownership", "exceptions", "allowed_actions", "catalog"};


}  // namespace

bool is_account_id(std::string_view text) {
  return text.size() == 12 &&
         std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

void Loader::load(const YAML::Node& root) {
  if (!root.IsDefined() || root.IsNull()) {
    r_.error_at(YAML::Mark::null_mark(), "", "the configuration is empty");
    return;
  }
  if (!r_.expect_map(root, "")) return;
  std::set<std::string> seen;
  for (const auto& item : root) {
    const std::string key = item.first.Scalar();
    if (!seen.insert(key).second) {
      r_.error(item.first, key, "duplicate section");
      continue;
    }
    section(key, item.first, item.second);
  }
  if (seen.count("version") == 0) r_.error(root, "version", "missing required key (this file format is version 1)");
  fold_catalog_environments();
}

void Loader::section(const std::string& key, const YAML::Node& key_node, const YAML::Node& value) {
  if (key == "version") return version(value);
  if (key == "mode") return mode(value);
  if (key == "environments") return environments(value);
  if (key == "accounts") return accounts(value);
  if (key == "ownership") return ownership(value);
  if (key == "exceptions") return exceptions(value);
  if (key == "allowed_actions") {
    if (auto list = r_.text_list(value, key)) c_.allowed_actions = std::move(*list);
    return;
  }
  if (key == "catalog") return catalog(value);
  // Sections owned by other components. A near-miss of one of ours is far more
  // likely a typo that would silently drop that section.
  const std::string hint = closest_match(key, kSections);
  if (!hint.empty() && to_lower(key) != to_lower(hint) && key.size() > 3) {
    r_.error(key_node, key, "unknown section \"" + key + "\" (did you mean \"" + hint + "\"?)");
    return;
  }
  c_.extra_sections[key] = config_detail::to_json(value);
  c_.extra_section_locations[key] = r_.ref(key_node, key);
}

void Loader::version(const YAML::Node& node) {
  if (auto value = r_.integer(node, "version")) {
    if (*value != 1) {
      r_.error(node, "version", "unsupported version " + std::to_string(*value) + " (this fixgate reads version 1)");
    } else {
      c_.version = 1;
    }
  }
}

void Loader::mode(const YAML::Node& node) {
  auto value = r_.text(node, "mode");
  if (!value) return;
  if (*value == "enforce") {
    c_.mode = Mode::enforce;
  } else if (*value == "dry_run") {
    c_.mode = Mode::dry_run;
  } else {
    r_.error(node, "mode", "must be enforce or dry_run, not \"" + *value + "\"");
  }
}

std::optional<EnvironmentPolicy> Loader::policy(const YAML::Node& node, const std::string& key) {
  auto value = r_.text(node, key);
  if (!value) return std::nullopt;
  auto parsed = parse_environment_policy(*value);
  if (!parsed) {
    std::string message = "policy must be auto, approval, dry_run or notify, not \"" + *value + "\"";
    const std::string hint = closest_match(*value, {"auto", "approval", "dry_run", "notify"});
    if (!hint.empty()) message += " (did you mean \"" + hint + "\"?)";
    r_.error(node, key, std::move(message));
  }
  return parsed;
}

void Loader::environments(const YAML::Node& node) {
  const std::string path = "environments";
  if (!r_.expect_map(node, path)) return;
  r_.check_keys(node, path, {"from_tags", "accounts", "aliases", "policy", "unknown"});
  auto& env = c_.environments;
  if (node["from_tags"]) {
    if (auto list = r_.text_list(node["from_tags"], child(path, "from_tags"))) env.from_tags = std::move(*list);
  }
  if (node["accounts"]) {
    each_entry(node["accounts"], child(path, "accounts"),
               [&](const std::string& id, const std::string& key, const YAML::Node& key_node, const YAML::Node& v) {
                 if (!is_account_id(id)) {
                   r_.error(key_node, key, "account id must be 12 digits (quote it: \"012345678901\")");
                   return;
                 }
                 if (auto name = r_.text(v, key)) env.accounts[id] = *name;
               });
  }
  if (node["aliases"]) {
    each_entry(node["aliases"], child(path, "aliases"),
               [&](const std::string& alias, const std::string& key, const YAML::Node& key_node, const YAML::Node& v) {
                 const std::string folded = to_lower(alias);
                 if (env.aliases.count(folded) > 0) {
                   r_.error(key_node, key, "alias repeats another one (aliases compare case-insensitively)");
                   return;
                 }
                 if (auto name = r_.text(v, key)) env.aliases[folded] = *name;
               });
  }
  if (node["policy"]) {
    each_entry(node["policy"], child(path, "policy"),
               [&](const std::string& name, const std::string& key, const YAML::Node&, const YAML::Node& v) {
                 if (auto p = policy(v, key)) env.policy[name] = *p;
               });
  }
  if (node["unknown"]) {
    const std::string key = child(path, "unknown");
    if (auto p = policy(node["unknown"], key)) {
      if (*p == EnvironmentPolicy::auto_remediate) {
        r_.error(node["unknown"], key, "an unknown environment must fail closed: use notify, approval or dry_run");
      } else {
        env.unknown = *p;
      }
    }
  }
}

void Loader::account_settings(const YAML::Node& node, const std::string& path, AccountSettings& out) {
  out.where = r_.ref(node, path);
  if (!r_.expect_map(node, path)) return;
  r_.check_keys(node, path, {"role_arn", "external_id", "session_duration_s"});
  if (node["role_arn"]) {
    const std::string key = child(path, "role_arn");
    out.role_arn = r_.expandable(node["role_arn"], key);
    if (out.role_arn && !out.role_arn->has_variables() && !starts_with(out.role_arn->raw(), "arn:")) {
      r_.error(node["role_arn"], key, "must be an IAM role ARN (arn:aws:iam::{account}:role/NAME)");
    }
  }
  if (node["external_id"]) out.external_id = r_.expandable(node["external_id"], child(path, "external_id"));
  if (node["session_duration_s"]) {
    const std::string key = child(path, "session_duration_s");
    if (auto seconds = r_.integer(node["session_duration_s"], key)) {
      if (*seconds < 900 || *seconds > 43200) {
        r_.error(node["session_duration_s"], key, "must be between 900 and 43200 seconds (STS limits)");
      } else {
        out.session_duration_s = static_cast<int>(*seconds);
      }
    }
  }
}

void Loader::accounts(const YAML::Node& node) {
  std::vector<std::pair<std::string, YAML::Node>> listed;
  each_entry(node, "accounts",
             [&](const std::string& id, const std::string& key, const YAML::Node& key_node, const YAML::Node& v) {
               if (id == "default") {
                 AccountSettings settings;
                 account_settings(v, key, settings);
                 if (!settings.role_arn) r_.error(v, child(key, "role_arn"), "missing required key");
                 c_.accounts.default_settings = std::move(settings);
               } else if (is_account_id(id)) {
                 account_settings(v, key, c_.accounts.by_id[id]);
                 listed.emplace_back(key, v);
               } else {
                 std::string message = "expected \"default\" or a 12-digit account id";
                 if (!closest_match(id, {"default"}).empty()) message += " (did you mean \"default\"?)";
                 r_.error(key_node, key, std::move(message));
               }
             });
  if (!c_.accounts.default_settings) {
    for (const auto& [key, value] : listed) {
      if (value.IsMap() && !value["role_arn"]) {
        r_.error(value, child(key, "role_arn"), "missing required key (there is no default to inherit it from)");
      }
    }
  }
}

void Loader::ownership(const YAML::Node& node) {
  if (!r_.expect_map(node, "ownership")) return;
  static const std::vector<std::string> kSources = {"tag",     "tag_rule",   "backstage", "cmdb",
                                                    "project", "codeowners", "git_blame", "cloudtrail"};
  r_.check_keys(node, "ownership",
                {"tags", "tag_rules", "projects", "accounts", "backstage", "cmdb", "codeowners", "repo", "cloudtrail",
                 "precedence"});
  nlohmann::json& out = c_.ownership;
  if (node["tags"]) {
    if (auto list = r_.text_list(node["tags"], "ownership.tags")) {
      c_.ownership_tags = *list;
      out["tags"] = std::move(*list);
    }
  }
  if (const YAML::Node rules = node["tag_rules"]; rules && r_.expect_seq(rules, "ownership.tag_rules")) {
    nlohmann::json list = nlohmann::json::array();
    for (size_t i = 0; i < rules.size(); ++i) {
      const std::string path = indexed("ownership.tag_rules", i);
      if (!r_.expect_map(rules[i], path) || !r_.check_keys(rules[i], path, {"key", "value_regex", "owner"})) continue;
      nlohmann::json rule = nlohmann::json::object();
      for (const char* field : {"key", "value_regex", "owner"}) {
        if (!rules[i][field]) {
          if (std::string_view(field) != "value_regex") r_.error(rules[i], child(path, field), "missing required key");
          continue;
        }
        if (auto text = r_.text(rules[i][field], child(path, field))) rule[field] = *text;
      }
      list.push_back(std::move(rule));
    }
    out["tag_rules"] = std::move(list);
  }
  for (const char* key : {"projects", "accounts"}) {
    if (!node[key]) continue;
    nlohmann::json map = nlohmann::json::object();
    each_entry(node[key], child("ownership", key), [&](const std::string& name, const std::string& path,
                                                        const YAML::Node&, const YAML::Node& value) {
      if (auto team = r_.text(value, path)) map[name] = *team;
    });
    out[key] = std::move(map);
  }
  if (const YAML::Node backstage = node["backstage"]; backstage) {
    if (backstage.IsScalar()) {
      if (auto file = r_.text(backstage, "ownership.backstage")) out["backstage"] = nlohmann::json::array({*file});
    } else if (auto list = r_.text_list(backstage, "ownership.backstage")) {
      out["backstage"] = std::move(*list);
    }
  }
  for (const char* key : {"cmdb", "codeowners", "repo", "cloudtrail"}) {
    if (!node[key]) continue;
    const std::string path = child("ownership", key);
    if (auto file = r_.text(node[key], path)) {
      if (file->empty()) {
        r_.error(node[key], path, "expected a file path");
      } else {
        out[key] = *file;
      }
    }
  }
  if (node["precedence"]) {
    if (auto list = r_.text_list(node["precedence"], "ownership.precedence")) {
      std::set<std::string> seen;
      for (size_t i = 0; i < list->size(); ++i) {
        const std::string& name = (*list)[i];
        const std::string path = indexed("ownership.precedence", i);
        if (std::find(kSources.begin(), kSources.end(), name) == kSources.end()) {
          r_.error(node["precedence"][i], path,
                   "unknown source \"" + name +
                       "\" (expected tag, tag_rule, backstage, cmdb, project, codeowners, git_blame, cloudtrail)");
        } else if (!seen.insert(name).second) {
          r_.error(node["precedence"][i], path, "source \"" + name + "\" is listed twice");
        }
      }
      out["precedence"] = std::move(*list);
    }
  }
}

}  // namespace config_detail

using config_detail::Loader;
using config_detail::YamlReader;

ConfigLoad load_config_text_detailed(std::string_view text, const std::string& name, const LoadOptions& options) {
  YamlReader reader(name, text, options.env);
  Config config;
  config.source = name;
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    Loader(reader, config).load(root);
  } catch (const YAML::Exception& e) {
    // At the end of the input the mark is past the last line; point at the end
    // of the last non-blank line instead, where the unfinished construct is.
    YAML::Mark mark = e.mark;
    while (!mark.is_null() && mark.line > 0 && trim(reader.line_text(mark.line + 1)).empty()) {
      mark.line -= 1;
      mark.column = static_cast<int>(reader.line_text(mark.line + 1).size());
    }
    reader.error_at(mark, "", "YAML syntax error: " + e.msg);
  }
  ConfigLoad out;
  out.issues = std::move(reader.issues());
  if (out.issues.empty()) out.config = std::move(config);
  return out;
}

ConfigLoad load_config_detailed(const std::string& path, const LoadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ConfigLoad out;
    out.issues.push_back(ConfigIssue{SourceRef{path, 0, 0, ""}, "cannot read the file", ""});
    return out;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return load_config_text_detailed(buffer.str(), path, options);
}

namespace {

Result<Config> fold(ConfigLoad load, const std::string& name, bool io_error) {
  if (load.ok()) return std::move(*load.config);
  const size_t n = load.issues.size();
  std::string message = std::to_string(n) + (n == 1 ? " error in " : " errors in ") + name + ":\n";
  message += issues_to_text(load.issues);
  return make_error(io_error ? "config.io" : "config.invalid", std::move(message));
}

}  // namespace

Result<Config> load_config(const std::string& path, const LoadOptions& options) {
  auto load = load_config_detailed(path, options);
  const bool io_error = !load.ok() && load.issues.size() == 1 && load.issues[0].where.line == 0 &&
                        load.issues[0].message == "cannot read the file";
  return fold(std::move(load), path, io_error);
}

Result<Config> load_config_text(std::string_view text, const std::string& name, const LoadOptions& options) {
  return fold(load_config_text_detailed(text, name, options), name, false);
}

}  // namespace fixgate
