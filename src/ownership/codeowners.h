// CODEOWNERS with GitHub's semantics.
//
// - One rule per line: a gitignore-style pattern, then owners (@user, @org/team,
//   or an e-mail). '#' starts a comment anywhere outside an escaped pattern
//   character; blank lines and comment lines are skipped.
// - The LAST rule whose pattern matches a path wins. A matching rule with no
//   owners means "matched, nobody owns this" and still wins.
// - Patterns: a leading '/' anchors at the root; a pattern without a '/' other
//   than a trailing one matches at any depth; a trailing '/' matches only the
//   contents of a directory; '*' matches within one path segment, '**' across
//   segments, '?' one character, '\' escapes the next character. '[' ']' are
//   literal (CODEOWNERS has no character classes); '!' negation and '***' are
//   invalid.
// - An invalid line does not poison the file (GitHub skips it too): it is left
//   out of the rules and reported in problems() with its line and column.
//
// Patterns compile once into a small token program matched without regex.
// match() only tries rules that can match: rules anchored at the root are
// indexed by their literal first one or two path segments, and the common
// floating shapes "name" / "**/name" (some segment equals name) and "*.ext"
// (some segment ends with .ext) by that literal; only the remaining floating
// rules are tried for every path. A 50,000-rule file stays fast.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"

namespace fixgate::ownership {

enum class CodeownersOwnerType { username, team, email };
const char* to_string(CodeownersOwnerType type);

struct CodeownersOwner {
  std::string value;  // "user", "org/team" or "a@example.com" (no leading '@')
  CodeownersOwnerType type = CodeownersOwnerType::username;
  std::string text;   // as written: "@user", "@org/team", "a@example.com"
};

// A pattern compiled for matching. Paths are repository-relative with '/'
// separators and no leading '/'.
class CodeownersPattern {
 public:
  // Fails with "codeowners.invalid_pattern" and a message saying why.
  static Result<CodeownersPattern> compile(std::string_view pattern);

  bool matches(std::string_view path) const;
  const std::string& text() const { return text_; }
  // The literal first one or two whole path segments ("services/api") every
  // matching path must start with, or empty when the pattern can match at any
  // depth or starts with a wildcard.
  const std::string& anchor() const { return anchor_; }
  // For floating patterns of the shape "name" / "**/name": the segment some
  // path segment must equal; of the shape "*.ext": the suffix some path
  // segment must end with. Empty otherwise.
  const std::string& any_segment_equal() const { return segment_equal_; }
  const std::string& any_segment_suffix() const { return segment_suffix_; }

 private:
  enum class Op : std::uint8_t { lit, star0, star1, qmark, any_plus, lead_opt, tail_slash_any, mid_opt, tail_opt };
  struct Token {
    Op op;
    std::string lit;
  };
  bool match_from(std::size_t ti, std::string_view path, std::size_t pi, std::vector<std::uint8_t>* memo) const;

  std::string text_;
  std::string anchor_;
  std::string segment_equal_;
  std::string segment_suffix_;
  bool never_ = false;           // the pattern "/" matches nothing
  bool literal_prefix_ = false;  // anchored pattern without wildcards: prefix compare
  std::string literal_;          // for literal_prefix_: the pattern without its leading '/'
  std::vector<Token> tokens_;
  int variable_tokens_ = 0;
};

struct CodeownersRule {
  CodeownersPattern pattern;
  std::vector<CodeownersOwner> owners;  // empty: matched but explicitly unowned
  int line = 0;                         // 1-based line in the file
  std::string comment;                  // inline comment text, if any
};

struct CodeownersProblem {
  int line = 0;
  int column = 0;  // 1-based; 0 when the whole line is at fault
  std::string message;
};

// Parses one rule line (not blank, not a whole-line comment). Errors carry
// hmarr/codeowners' wording, e.g. "unexpected end of rule" or
// "invalid owner format 'x' at position 10" (1-based column).
Result<CodeownersRule> parse_codeowners_rule(std::string_view line);

// Strips every leading "./" and "/" so "/a/b" and "./a/b" name "a/b".
std::string_view normalize_codeowners_path(std::string_view path);

class Codeowners {
 public:
  // Never fails: invalid lines are skipped and reported in problems().
  static Codeowners parse(std::string_view text, std::string origin = "CODEOWNERS");
  // Fails only when the file cannot be read ("codeowners.unreadable").
  static Result<Codeowners> load(const std::string& path);

  // The last rule matching `path` (normalised first), or nullptr when none does.
  const CodeownersRule* match(std::string_view path) const;

  const std::vector<CodeownersRule>& rules() const { return rules_; }
  const std::vector<CodeownersProblem>& problems() const { return problems_; }
  const std::string& origin() const { return origin_; }

 private:
  void index();

  std::string origin_;
  std::vector<CodeownersRule> rules_;
  std::vector<CodeownersProblem> problems_;
  // All lists hold ascending rule indices.
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_anchor_;   // "seg" or "seg/seg"
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_segment_;  // "name" shapes
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_suffix_;   // "*.ext" shapes
  std::vector<std::uint32_t> floating_;                                    // everything else
  std::size_t longest_suffix_ = 0;
};

}  // namespace fixgate::ownership
