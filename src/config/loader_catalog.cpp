// The exceptions (suppression tags, waivers) and catalog sections.
#include <set>

#include "config/loader.h"
#include "core/text.h"

namespace fixgate::config_detail {

void Loader::exceptions(const YAML::Node& node) {
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

bool Loader::waiver_entry(const YAML::Node& node, const std::string& path, Waiver& w) {
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

void Loader::catalog(const YAML::Node& node) {
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

bool Loader::catalog_entry(const YAML::Node& node, const std::string& path, CatalogEntry& e) {
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
void Loader::fold_catalog_environments() {
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

void Loader::report_unknown_override(const std::string& entry_id, const std::string& name) {
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

}  // namespace fixgate::config_detail
