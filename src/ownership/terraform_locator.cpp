#include "ownership/terraform_locator.h"

#include <vector>

#include "core/text.h"

namespace fixgate::ownership {
namespace {

struct Block {
  int first = 0;
  int last = 0;
  std::string type;
  std::string name;
};

// Parses `resource "type" "name" {` (labels may be unquoted in HCL).
bool block_header(std::string_view line, Block& out) {
  std::string t = trim(line);
  if (!t.starts_with("resource")) return false;
  std::string_view rest = std::string_view(t).substr(8);
  if (rest.empty() || (rest[0] != ' ' && rest[0] != '\t' && rest[0] != '"')) return false;
  std::vector<std::string> labels;
  std::size_t i = 0;
  while (labels.size() < 2 && i < rest.size()) {
    while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t')) ++i;
    if (i >= rest.size()) break;
    if (rest[i] == '"') {
      const auto close = rest.find('"', i + 1);
      if (close == std::string_view::npos) return false;
      labels.emplace_back(rest.substr(i + 1, close - i - 1));
      i = close + 1;
    } else {
      std::size_t j = i;
      while (j < rest.size() && rest[j] != ' ' && rest[j] != '\t' && rest[j] != '{') ++j;
      if (j == i) return false;
      labels.emplace_back(rest.substr(i, j - i));
      i = j;
    }
  }
  if (labels.size() != 2) return false;
  out.type = labels[0];
  out.name = labels[1];
  return true;
}

// Net brace depth change of one line, skipping strings and comments.
int brace_delta(std::string_view line, bool& in_block_comment) {
  int delta = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_block_comment) {
      if (c == '*' && i + 1 < line.size() && line[i + 1] == '/') {
        in_block_comment = false;
        ++i;
      }
      continue;
    }
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '#' || (c == '/' && i + 1 < line.size() && line[i + 1] == '/')) break;
    else if (c == '/' && i + 1 < line.size() && line[i + 1] == '*') { in_block_comment = true; ++i; }
    else if (c == '{') ++delta;
    else if (c == '}') --delta;
  }
  return delta;
}

// `key = "value"` on one line: returns key and value.
bool attribute(std::string_view line, std::string& key, std::string& value) {
  const auto eq = line.find('=');
  if (eq == std::string_view::npos) return false;
  key = trim(line.substr(0, eq));
  const std::string rhs = trim(line.substr(eq + 1));
  if (rhs.size() < 2 || rhs.front() != '"') return false;
  const auto close = rhs.find('"', 1);
  if (close == std::string::npos) return false;
  value = rhs.substr(1, close - 1);
  return !key.empty();
}

}  // namespace

std::optional<BlockLocation> locate_terraform_block(std::string_view hcl, std::string_view yor_trace,
                                                    std::string_view resource_name) {
  const std::vector<std::string> lines = split(hcl, '\n');
  std::vector<Block> blocks;
  bool in_comment = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    Block b;
    if (in_comment || !block_header(lines[i], b)) {
      (void)brace_delta(lines[i], in_comment);
      continue;
    }
    b.first = static_cast<int>(i) + 1;
    int depth = 0;
    bool opened = false;
    std::size_t j = i;
    for (; j < lines.size(); ++j) {
      depth += brace_delta(lines[j], in_comment);
      if (depth > 0) opened = true;
      if (opened && depth <= 0) break;
    }
    if (j == lines.size()) j = lines.size() - 1;
    b.last = static_cast<int>(j) + 1;
    blocks.push_back(b);
    i = j;
  }

  std::optional<BlockLocation> by_attribute;
  std::optional<BlockLocation> by_label;
  for (const Block& b : blocks) {
    const std::string address = b.type + "." + b.name;
    for (int l = b.first; l <= b.last; ++l) {
      std::string key;
      std::string value;
      if (!attribute(lines[static_cast<std::size_t>(l - 1)], key, value)) continue;
      if (!yor_trace.empty() && key == "yor_trace" && value == yor_trace) {
        return BlockLocation{b.first, b.last, address, "yor_trace"};
      }
      if (!by_attribute && !resource_name.empty() && value == resource_name && key != "description") {
        by_attribute = BlockLocation{b.first, b.last, address, "attribute " + key};
      }
    }
    if (!by_label && !resource_name.empty() && b.name == resource_name) {
      by_label = BlockLocation{b.first, b.last, address, "block name"};
    }
  }
  if (by_attribute) return by_attribute;
  return by_label;
}

}  // namespace fixgate::ownership
