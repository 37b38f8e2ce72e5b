// Internal to fixgate_config: the section-by-section reader behind
// load_config(). Each method reads one section of the YAML document into the
// Config, recording every problem in the YamlReader and carrying on, so a single
// run reports all of them. Sections are split over loader_sections.cpp (version,
// mode, environments, accounts, ownership) and loader_catalog.cpp (exceptions,
// catalog).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace fixgate::config_detail {

bool is_account_id(std::string_view text);

class Loader {
 public:
  Loader(YamlReader& reader, Config& config) : r_(reader), c_(config) {}

  // Reads the whole document; issues land in the reader.
  void load(const YAML::Node& root);

 private:
  void section(const std::string& key, const YAML::Node& key_node, const YAML::Node& value);
  void version(const YAML::Node& node);
  void mode(const YAML::Node& node);
  std::optional<EnvironmentPolicy> policy(const YAML::Node& node, const std::string& key);
  void environments(const YAML::Node& node);
  void account_settings(const YAML::Node& node, const std::string& path, AccountSettings& out);
  void accounts(const YAML::Node& node);
  void ownership(const YAML::Node& node);
  void exceptions(const YAML::Node& node);
  // True when the waiver had no issue of its own.
  bool waiver_entry(const YAML::Node& node, const std::string& path, Waiver& w);
  void catalog(const YAML::Node& node);
  // True when the entry had no issue of its own.
  bool catalog_entry(const YAML::Node& node, const std::string& path, CatalogEntry& e);
  void fold_catalog_environments();
  void report_unknown_override(const std::string& entry_id, const std::string& name);

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

}  // namespace fixgate::config_detail
