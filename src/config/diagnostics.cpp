#include "config/diagnostics.h"

#include <algorithm>

#include "core/text.h"

namespace fixgate {

std::string SourceRef::location() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string ConfigIssue::to_text() const {
  std::string out = where.location() + ": ";
  if (!where.key.empty()) out += escape_for_display(where.key) + ": ";
  out += escape_for_display(message) + "\n";
  if (!snippet.empty()) {
    const std::string shown = escape_for_display(snippet);
    out += "    " + shown + "\n";
    if (where.column > 0 && static_cast<size_t>(where.column) <= shown.size() + 1) {
      out += "    " + std::string(static_cast<size_t>(where.column - 1), ' ') + "^\n";
    }
  }
  return out;
}

nlohmann::json ConfigIssue::to_json() const {
  return nlohmann::json{{"file", where.file},       {"line", where.line},   {"column", where.column},
                        {"key", where.key},         {"message", message}, {"snippet", snippet}};
}

std::string issues_to_text(const std::vector<ConfigIssue>& issues) {
  std::string out;
  for (const auto& issue : issues) out += issue.to_text();
  return out;
}

nlohmann::json issues_to_json(const std::vector<ConfigIssue>& issues) {
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& issue : issues) errors.push_back(issue.to_json());
  return nlohmann::json{{"ok", issues.empty()}, {"errors", errors}};
}

namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const size_t cost = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                                  std::tolower(static_cast<unsigned char>(b[j - 1]))
                              ? 0
                              : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  // A typo changes a few characters; a different word changes most of them.
  const size_t limit = std::max<size_t>(2, word.size() / 3);
  std::string best;
  size_t best_distance = limit + 1;
  for (const auto& candidate : candidates) {
    const size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

}  // namespace fixgate
