// Reads a fixgate YAML file section by section into a Config, gathering every
// problem instead of stopping at the first one.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "config/config.h"
#include "config/yaml_reader.h"
#include "core/text.h"

namespace fixgate {

using config_detail::child;
using config_detail::indexed;
using config_detail::YamlReader;

namespace {

const std::vector<std::string> kSections = {"version",   "mode",       "environments",    "accounts",
                                            "ownership", "exceptions", "allowed_actions", "catalog"};

bool is_account_id(std::string_view text) {
  return text.size() == 12 &&
         std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

class Loader {
 public:
  Loader(YamlReader& reader, Config& config) : r_(reader), c_(config) {}

  void load(const YAML::Node& root) {
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

 private:
  void section(const std::string& key, const YAML::Node& key_node, const YAML::Node& value) {
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

  void version(const YAML::Node& node) {
    if (auto value = r_.integer(node, "version")) {
      if (*value != 1) {
        r_.error(node, "version", "unsupported version " + std::to_string(*value) + " (this fixgate reads version 1)");
      } else {
        c_.version = 1;
      }
    }
  }

  void mode(const YAML::Node& node) {
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

  std::optional<EnvironmentPolicy> policy(const YAML::Node& node, const std::string& key) {
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

  // A mapping of non-empty string keys to values read by `read`.
  template <typename Read>
  void each_entry(const YAML::Node& node, const std::string& path, Read read) {
    if (!r_.expect_map(node, path)) return;
    std::set<std::string> seen;
    for (const auto& item : node) {
      const std::string key = item.first.Scalar();
      const std::string key_path = child(path, key);
      if (key.empty()) {
        r_.error(item.first, key_path, "key must not be empty");
      } else if (!seen.insert(key).second) {
        r_.error(item.first, key_path, "duplicate key");
      } else {
        read(key, key_path, item.first, item.second);
      }
    }
  }

  void environments(const YAML::Node& node) {
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

  void account_settings(const YAML::Node& node, const std::string& path, AccountSettings& out) {
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

  void accounts(const YAML::Node& node) {
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

  void ownership(const YAML::Node& node) {
    if (!r_.expect_map(node, "ownership")) return;
    r_.check_keys(node, "ownership", {"tags"});
    if (node["tags"]) {
      if (auto list = r_.text_list(node["tags"], "ownership.tags")) c_.ownership_tags = std::move(*list);
    }
  }

  void exceptions(const YAML::Node& node) {
    if (!r_.expect_map(node, "exceptions")) return;
    r_.check_keys(node, "exceptions", {"suppression_tags", "waivers"});
    if (node["suppression_tags"]) {
      if (auto list = r_.text_list(node["suppression_tags"], "exceptions.suppression_tags")) {
        c_.exceptions.suppression_tags = std::move(*list);
      }
    }
    if (node["waivers"] && r_.expect_seq(node["waivers"], "exceptions.waivers")) {
      std::set<std::string> ids;
      for (size_t i = 0; i < node["waivers"].size(); ++i) {
        const YAML::Node item = node["waivers"][i];
        Waiver waiver;
        if (waiver_entry(item, indexed("exceptions.waivers", i), waiver)) {
          if (!ids.insert(waiver.id).second) {
            r_.error(item["id"], indexed("exceptions.waivers", i) + ".id", "duplicate waiver id \"" + waiver.id + "\"");
          } else {
            c_.exceptions.waivers.push_back(std::move(waiver));
          }
        }
      }
    }
  }

  bool waiver_entry(const YAML::Node& node, const std::string& path, Waiver& w) {
    w.where = r_.ref(node, path);
    if (!r_.expect_map(node, path)) return false;
    const size_t before = r_.issues().size();
    r_.check_keys(node, path,
                  {"id", "controls", "resources", "accounts", "tags", "status", "expires", "approver", "reason"});
    auto required_text = [&](const char* name, std::string& out) {
      if (!node[name]) {
        r_.error(node, child(path, name), "missing required key");
      } else if (auto value = r_.text(node[name], child(path, name))) {
        out = *value;
      }
    };
    auto optional_list = [&](const char* name, std::vector<std::string>& out) {
      if (node[name]) {
        if (auto list = r_.text_list(node[name], child(path, name))) out = std::move(*list);
      }
    };
    required_text("id", w.id);
    optional_list("controls", w.controls);
    optional_list("resources", w.resources);
    optional_list("accounts", w.accounts);
    for (size_t i = 0; i < w.accounts.size(); ++i) {
      if (!is_account_id(w.accounts[i])) {
        r_.error(node["accounts"][i], indexed(child(path, "accounts"), i), "account id must be 12 digits");
      }
    }
    if (node["tags"]) {
      each_entry(node["tags"], child(path, "tags"),
                 [&](const std::string& key, const std::string& key_path, const YAML::Node&, const YAML::Node& v) {
                   if (auto value = r_.text(v, key_path)) w.tags.push_back(Tag{key, *value});
                 });
    }
    std::string status;
    required_text("status", status);
    if (node["status"] && !status.empty()) {
      if (auto parsed = parse_waiver_status(status)) {
        w.status = *parsed;
      } else {
        r_.error(node["status"], child(path, "status"),
                 "status must be approved, pending, rejected or revoked, not \"" + status + "\"");
      }
    }
    if (node["expires"]) {
      if (auto text = r_.text(node["expires"], child(path, "expires"))) {
        w.expires = parse_date(*text);
        if (!w.expires) r_.error(node["expires"], child(path, "expires"), "must be a date YYYY-MM-DD, not \"" + *text + "\"");
      }
    }
    if (node["approver"]) w.approver = r_.text(node["approver"], child(path, "approver")).value_or("");
    if (node["reason"]) w.reason = r_.text(node["reason"], child(path, "reason")).value_or("");
    if (node["controls"] || node["resources"] || node["accounts"] || node["tags"]) {
      if (w.controls.empty() && w.resources.empty() && w.accounts.empty() && w.tags.empty()) {
        r_.error(node, path, "a waiver's scope lists must not all be empty");
      }
    } else {
      r_.error(node, path, "a waiver needs a scope: controls, resources, accounts or tags");
    }
    return r_.issues().size() == before;
  }

  void catalog(const YAML::Node& node) {
    if (!r_.expect_seq(node, "catalog")) return;
    std::set<std::string> ids;
    for (size_t i = 0; i < node.size(); ++i) {
      const std::string path = indexed("catalog", i);
      CatalogEntry entry;
      if (!catalog_entry(node[i], path, entry)) continue;
      if (!ids.insert(entry.id).second) {
        r_.error(node[i]["id"], path + ".id", "duplicate catalog id \"" + entry.id + "\"");
        continue;
      }
      c_.catalog.push_back(std::move(entry));
    }
  }

  bool catalog_entry(const YAML::Node& node, const std::string& path, CatalogEntry& e) {
    e.where = r_.ref(node, path);
    if (!r_.expect_map(node, path)) return false;
    const size_t before = r_.issues().size();
    r_.check_keys(node, path,
                  {"id", "controls", "resource_types", "action", "params", "min_severity", "environments"});
    for (const char* name : {"id", "controls", "resource_types", "action", "min_severity"}) {
      if (!node[name]) r_.error(node, child(path, name), "missing required key");
    }
    if (node["id"]) e.id = r_.text(node["id"], child(path, "id")).value_or("");
    if (node["action"]) e.action = r_.text(node["action"], child(path, "action")).value_or("");
    for (auto [name, out] : {std::pair{"controls", &e.controls}, std::pair{"resource_types", &e.resource_types}}) {
      if (!node[name]) continue;
      if (auto list = r_.text_list(node[name], child(path, name))) {
        if (list->empty()) r_.error(node[name], child(path, name), "must list at least one value");
        *out = std::move(*list);
      }
    }
    if (node["params"]) {
      if (node["params"].IsNull()) {
        e.params = nlohmann::json::object();
      } else if (r_.expect_map(node["params"], child(path, "params"))) {
        e.params = config_detail::to_json(node["params"]);
      }
    }
    if (node["min_severity"]) {
      const std::string key = child(path, "min_severity");
      if (auto text = r_.text(node["min_severity"], key)) {
        const auto severity = parse_severity(*text);
        if (!severity) {
          std::string message = "unknown severity \"" + *text + "\" (INFORMATIONAL, LOW, MEDIUM, HIGH or CRITICAL)";
          const std::string hint = closest_match(to_upper(*text), {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"});
          if (!hint.empty()) message += "; did you mean \"" + hint + "\"?";
          r_.error(node["min_severity"], key, std::move(message));
        } else {
          e.min_severity = *severity;
        }
      }
    }
    if (node["environments"]) {
      each_entry(node["environments"], child(path, "environments"),
                 [&](const std::string& name, const std::string& key, const YAML::Node& key_node, const YAML::Node& v) {
                   if (auto p = policy(v, key)) {
                     e.environments[name] = *p;
                     override_marks_.push_back({e.id, name, key, key_node});
                   }
                 });
    }
    return r_.issues().size() == before;
  }

  // Catalog overrides name environments as the operator wrote them; they are
  // folded through the aliases (which may come later in the file) and must name
  // an environment of the policy table, else they could never apply.
  void fold_catalog_environments() {
    for (auto& entry : c_.catalog) {
      std::map<std::string, EnvironmentPolicy> folded;
      for (const auto& [name, policy] : entry.environments) {
        std::string canonical = c_.environments.fold(name);
        std::string table_name;
        if (c_.environments.find_policy(canonical, &table_name) != nullptr) canonical = table_name;
        else report_unknown_override(entry.id, name);
        folded[canonical] = policy;
      }
      entry.environments = std::move(folded);
    }
  }

  void report_unknown_override(const std::string& entry_id, const std::string& name) {
    std::vector<std::string> known;
    for (const auto& [env, policy] : c_.environments.policy) known.push_back(env);
    for (const auto& mark : override_marks_) {
      if (mark.entry_id != entry_id || mark.name != name) continue;
      std::string message = "environment \"" + name + "\" is not in environments.policy, so this override never applies";
      const std::string hint = closest_match(name, known);
      if (!hint.empty()) message += " (did you mean \"" + hint + "\"?)";
      r_.error(mark.key_node, mark.key, std::move(message));
    }
  }

  struct OverrideMark {
    std::string entry_id;
    std::string name;
    std::string key;
    YAML::Node key_node;
  };

  YamlReader& r_;
  Config& c_;
  std::vector<OverrideMark> override_marks_;
};

}  // namespace

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
