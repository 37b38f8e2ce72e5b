#include "config/yaml_reader.h"

#include <charconv>
#include <set>

#include "core/text.h"

namespace fixgate::config_detail {

std::string child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string indexed(const std::string& path, size_t index) { return path + "[" + std::to_string(index) + "]"; }

namespace {

bool parse_int(const std::string& text, long long& out) {
  if (text.empty()) return false;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (*begin == '+') ++begin;
  const auto [ptr, ec] = std::from_chars(begin, end, out);
  return ec == std::errc() && ptr == end;
}

bool parse_float(const std::string& text, double& out) {
  if (text.empty()) return false;
  try {
    size_t used = 0;
    out = std::stod(text, &used);
    return used == text.size() && text.find_first_of("0123456789") != std::string::npos;
  } catch (const std::exception&) {
    return false;
  }
}

nlohmann::json scalar_to_json(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;  // quoted: always a string
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  long long integer = 0;
  if (parse_int(text, integer)) return integer;
  double number = 0;
  if (parse_float(text, number)) return number;
  return text;
}

}  // namespace

nlohmann::json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar: return scalar_to_json(node);
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : node) out.push_back(to_json(item));
      return out;
    }
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& item : node) out[item.first.Scalar()] = to_json(item.second);
      return out;
    }
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: break;
  }
  return nullptr;
}

YamlReader::YamlReader(std::string file, std::string_view text, EnvLookup env)
    : file_(std::move(file)), env_(std::move(env)) {
  for (auto& line : split(text, '\n')) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines_.push_back(std::move(line));
  }
}

std::string YamlReader::line_text(int line) const {
  if (line <= 0 || static_cast<size_t>(line) > lines_.size()) return "";
  return lines_[static_cast<size_t>(line - 1)];
}

SourceRef YamlReader::ref(const YAML::Node& at, const std::string& key) const {
  SourceRef where{file_, 0, 0, key};
  if (at.IsDefined()) {
    const YAML::Mark mark = at.Mark();
    if (!mark.is_null()) {
      where.line = mark.line + 1;
      where.column = mark.column + 1;
    }
  }
  return where;
}

void YamlReader::error(const YAML::Node& at, const std::string& key, std::string message) {
  ConfigIssue issue{ref(at, key), std::move(message), ""};
  issue.snippet = line_text(issue.where.line);
  issues_.push_back(std::move(issue));
}

void YamlReader::error_at(const YAML::Mark& mark, const std::string& key, std::string message) {
  ConfigIssue issue{SourceRef{file_, 0, 0, key}, std::move(message), ""};
  if (!mark.is_null()) {
    issue.where.line = mark.line + 1;
    issue.where.column = mark.column + 1;
  }
  issue.snippet = line_text(issue.where.line);
  issues_.push_back(std::move(issue));
}

bool YamlReader::expect_map(const YAML::Node& node, const std::string& key) {
  if (node.IsMap()) return true;
  error(node, key, "must be a mapping (key: value pairs)");
  return false;
}

bool YamlReader::expect_seq(const YAML::Node& node, const std::string& key) {
  if (node.IsSequence()) return true;
  error(node, key, "must be a list");
  return false;
}

bool YamlReader::check_keys(const YAML::Node& map, const std::string& path, const std::vector<std::string>& allowed) {
  bool clean = true;
  std::set<std::string> seen;
  for (const auto& item : map) {
    const std::string key = item.first.Scalar();
    if (!seen.insert(key).second) {
      error(item.first, child(path, key), "duplicate key");
      clean = false;
      continue;
    }
    bool known = false;
    for (const auto& name : allowed) known = known || name == key;
    if (known) continue;
    std::string message = "unknown key \"" + key + "\"";
    const std::string hint = closest_match(key, allowed);
    if (!hint.empty()) message += " (did you mean \"" + hint + "\"?)";
    error(item.first, child(path, key), std::move(message));
    clean = false;
  }
  return clean;
}

std::optional<std::string> YamlReader::text(const YAML::Node& node, const std::string& key) {
  auto value = expandable(node, key);
  if (!value) return std::nullopt;
  auto resolved = value->resolve();
  if (!resolved.ok()) {
    error(node, key, "environment variable " + value->missing_variable() + " is not set");
    return std::nullopt;
  }
  return std::move(resolved).value();
}

std::optional<ExpandableString> YamlReader::expandable(const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) {
    error(node, key, node.IsNull() ? "must not be empty" : "must be a single value");
    return std::nullopt;
  }
  return ExpandableString::expand(node.Scalar(), env_, ref(node, key));
}

std::optional<long long> YamlReader::integer(const YAML::Node& node, const std::string& key) {
  long long value = 0;
  if (!node.IsScalar() || !parse_int(node.Scalar(), value)) {
    error(node, key, "must be an integer");
    return std::nullopt;
  }
  return value;
}

std::optional<std::vector<std::string>> YamlReader::text_list(const YAML::Node& node, const std::string& key) {
  if (!expect_seq(node, key)) return std::nullopt;
  std::vector<std::string> out;
  bool clean = true;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string item_key = indexed(key, i);
    auto value = text(node[i], item_key);
    if (!value) {
      clean = false;
    } else if (trim(*value).empty()) {
      error(node[i], item_key, "must not be empty");
      clean = false;
    } else {
      out.push_back(std::move(*value));
    }
  }
  if (!clean) return std::nullopt;
  return out;
}

}  // namespace fixgate::config_detail
