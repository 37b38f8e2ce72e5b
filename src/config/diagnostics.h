// Where a configuration value came from, and what is wrong with it.
//
// Configuration errors are gathered, not thrown one at a time: a loader keeps
// going after the first problem and reports every one it found, each with the
// file, 1-based line and column, the key path ("catalog[2].min_severity"), a
// message and the offending source line, so an operator fixes the whole file in
// one pass (the model is Falco's rule loader).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fixgate {

// A position in a configuration file. line/column are 1-based; 0 means unknown
// (the file could not be read at all).
struct SourceRef {
  std::string file;
  int line = 0;
  int column = 0;
  std::string key;  // key path, e.g. "accounts.default.external_id"

  // "file:line:col" (or just "file" when the position is unknown).
  std::string location() const;
};

struct ConfigIssue {
  SourceRef where;
  std::string message;
  std::string snippet;  // the offending source line, verbatim (empty when unknown)

  // Two or three lines:
  //   fixgate.yaml:12:5: catalog[2].min_severity: unknown severity "HGIH"
  //       min_severity: HGIH
  //                     ^
  // Snippet text is passed through escape_for_display, so a hostile file cannot
  // smuggle terminal control sequences into an operator's shell.
  std::string to_text() const;
  // {"file","line","column","key","message","snippet"}
  nlohmann::json to_json() const;
};

// Every issue as text, one block after another.
std::string issues_to_text(const std::vector<ConfigIssue>& issues);
// {"ok": false, "errors": [...]}; "ok" is true when the list is empty.
nlohmann::json issues_to_json(const std::vector<ConfigIssue>& issues);

// The closest candidate to `word` by edit distance, or "" when none is close
// enough to be a plausible typo. Used for "did you mean" hints.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace fixgate
