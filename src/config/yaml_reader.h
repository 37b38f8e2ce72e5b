// Internal to fixgate_config: reads yaml-cpp nodes into typed values while
// gathering every problem as a ConfigIssue (file, line, column, key path,
// snippet). Each accessor returns nullopt after recording an issue, so a section
// parser can keep going and report the next problem too.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "config/diagnostics.h"
#include "config/expandable.h"

namespace fixgate::config_detail {

// "a" + "b" -> "a.b"; "" + "b" -> "b".
std::string child(const std::string& path, std::string_view key);
// "catalog" + 2 -> "catalog[2]".
std::string indexed(const std::string& path, size_t index);

// YAML to JSON. Quoted scalars stay strings; plain scalars become null, bool,
// integer or float when they spell one (YAML 1.2 core schema), else strings.
nlohmann::json to_json(const YAML::Node& node);

class YamlReader {
 public:
  YamlReader(std::string file, std::string_view text, EnvLookup env);

  std::vector<ConfigIssue>& issues() { return issues_; }
  const std::string& file() const { return file_; }

  // Records an issue at the node (or at `fallback` when the node has no mark).
  void error(const YAML::Node& at, const std::string& key, std::string message);
  void error_at(const YAML::Mark& mark, const std::string& key, std::string message);
  SourceRef ref(const YAML::Node& at, const std::string& key) const;

  bool expect_map(const YAML::Node& node, const std::string& key);
  bool expect_seq(const YAML::Node& node, const std::string& key);

  // Reports keys not in `allowed` (with a "did you mean" when one is close) and
  // keys that appear twice. Returns false when any was found.
  bool check_keys(const YAML::Node& map, const std::string& path, const std::vector<std::string>& allowed);

  // A scalar with "${NAME}" expanded; a missing variable is an issue here.
  std::optional<std::string> text(const YAML::Node& node, const std::string& key);
  // A scalar kept lazy: a missing variable is not an issue.
  std::optional<ExpandableString> expandable(const YAML::Node& node, const std::string& key);
  std::optional<long long> integer(const YAML::Node& node, const std::string& key);
  // A sequence of non-empty scalars (each expanded like text()).
  std::optional<std::vector<std::string>> text_list(const YAML::Node& node, const std::string& key);

  // The 1-based source line, verbatim, for snippets.
  std::string line_text(int line) const;

 private:
  std::string file_;
  std::vector<std::string> lines_;
  EnvLookup env_;
  std::vector<ConfigIssue> issues_;
};

}  // namespace fixgate::config_detail
