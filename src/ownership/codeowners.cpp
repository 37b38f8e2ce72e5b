#include "ownership/codeowners.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/text.h"

namespace fixgate::ownership {
namespace {

bool is_alnum(char ch) {
  return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}
bool is_space(char ch) { return ch == ' ' || ch == '\t'; }
bool is_pattern_char(char ch) {
  const auto u = static_cast<unsigned char>(ch);
  return u > 0x20 && u != 0x7f;  // any visible character; '#' is handled before
}
bool is_owner_char(char ch) {
  switch (ch) {
    case '.': case '@': case '/': case '_': case '%': case '+': case '-': return true;
    default: return is_alnum(ch);
  }
}

// email: [A-Za-z0-9._%+-]+ @ [A-Za-z0-9.-]+ \. [A-Za-z]{2,6}
bool is_email(std::string_view s) {
  const auto at = s.find('@');
  if (at == 0 || at == std::string_view::npos) return false;
  for (char ch : s.substr(0, at)) {
    if (!(is_alnum(ch) || ch == '.' || ch == '_' || ch == '%' || ch == '+' || ch == '-')) return false;
  }
  const std::string_view domain = s.substr(at + 1);
  const auto dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  for (char ch : domain.substr(0, dot)) {
    if (!(is_alnum(ch) || ch == '.' || ch == '-')) return false;
  }
  const std::string_view tld = domain.substr(dot + 1);
  if (tld.size() < 2 || tld.size() > 6) return false;
  for (char ch : tld) {
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z'))) return false;
  }
  return true;
}

bool all_of_class(std::string_view s, bool allow_underscore) {
  if (s.empty()) return false;
  for (char ch : s) {
    if (!(is_alnum(ch) || ch == '-' || (allow_underscore && ch == '_'))) return false;
  }
  return true;
}

std::optional<CodeownersOwner> classify_owner(std::string_view text) {
  if (is_email(text)) return CodeownersOwner{std::string(text), CodeownersOwnerType::email, std::string(text)};
  if (text.size() > 1 && text[0] == '@') {
    const std::string_view body = text.substr(1);
    const auto slash = body.find('/');
    if (slash != std::string_view::npos) {
      if (all_of_class(body.substr(0, slash), false) && all_of_class(body.substr(slash + 1), true)) {
        return CodeownersOwner{std::string(body), CodeownersOwnerType::team, std::string(text)};
      }
      return std::nullopt;
    }
    if (all_of_class(body, true)) return CodeownersOwner{std::string(body), CodeownersOwnerType::username, std::string(text)};
  }
  return std::nullopt;
}

// The first one or two whole segments of text[0, complete): segments that end
// before `complete` (at a '/' or at `complete` itself). Empty segments (from
// "//") disable anchoring.
std::string first_segments(std::string_view text, std::size_t complete) {
  text = text.substr(0, complete);
  if (text.empty()) return {};
  const auto first = text.find('/');
  if (first == 0) return {};
  if (first == std::string_view::npos) return std::string(text);
  const auto second = text.find('/', first + 1);
  const std::string_view two = text.substr(0, second);
  if (two.size() == first + 1) return std::string(text.substr(0, first));  // "a/" only: one segment
  return std::string(two);
}

Error rule_error(std::string message) { return make_error("codeowners.invalid_rule", std::move(message)); }

}  // namespace

const char* to_string(CodeownersOwnerType type) {
  switch (type) {
    case CodeownersOwnerType::username: return "username";
    case CodeownersOwnerType::team: return "team";
    case CodeownersOwnerType::email: return "email";
  }
  return "username";
}

Result<CodeownersPattern> CodeownersPattern::compile(std::string_view pattern) {
  CodeownersPattern p;
  p.text_ = std::string(pattern);
  if (pattern.empty()) return make_error("codeowners.invalid_pattern", "empty pattern");
  if (pattern.find("***") != std::string_view::npos) {
    return make_error("codeowners.invalid_pattern", "pattern cannot contain three consecutive asterisks");
  }
  if (pattern[0] == '!') {
    return make_error("codeowners.invalid_pattern", "negated patterns ('!') are not supported in CODEOWNERS");
  }
  if (pattern == "/") {
    p.never_ = true;
    return p;
  }
  if (pattern.find_first_of("*?\\") == std::string_view::npos && pattern[0] == '/') {
    p.literal_prefix_ = true;
    p.literal_ = std::string(pattern.substr(1));
    p.anchor_ = first_segments(p.literal_, p.literal_.size());
    return p;
  }

  std::vector<std::string> segs = split(pattern, '/');
  if (segs[0].empty()) {
    segs.erase(segs.begin());  // leading slash: anchored at the root
  } else if ((segs.size() == 1 || (segs.size() == 2 && segs[1].empty())) && segs[0] != "**") {
    segs.insert(segs.begin(), "**");  // one segment: matches at any depth
  }
  if (segs.size() > 1 && segs.back().empty()) segs.back() = "**";  // trailing '/' means "/**"

  auto add = [&p](Op op, std::string lit = {}) {
    if (op == Op::lit && !p.tokens_.empty() && p.tokens_.back().op == Op::lit) {
      p.tokens_.back().lit += lit;
      return;
    }
    if (op != Op::lit && op != Op::qmark) ++p.variable_tokens_;
    p.tokens_.push_back({op, std::move(lit)});
  };

  const std::size_t last = segs.size() - 1;
  bool need_slash = false;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const std::string& seg = segs[i];
    if (seg == "**") {
      if (i == 0 && i == last) {
        add(Op::any_plus);
      } else if (i == 0) {
        add(Op::lead_opt);
        need_slash = false;
      } else if (i == last) {
        add(Op::tail_slash_any);
      } else {
        add(Op::mid_opt);
        need_slash = true;
      }
      continue;
    }
    if (need_slash) add(Op::lit, "/");
    if (seg == "*") {
      add(Op::star1);
      need_slash = true;
      continue;
    }
    bool escape = false;
    for (char ch : seg) {
      if (escape) {
        escape = false;
        add(Op::lit, std::string(1, ch));
        continue;
      }
      switch (ch) {
        case '\\': escape = true; break;
        case '*': add(Op::star0); break;
        case '?': add(Op::qmark); break;
        default: add(Op::lit, std::string(1, ch)); break;
      }
    }
    if (i == last) add(Op::tail_opt);  // no trailing slash: also match descendants
    need_slash = true;
  }

  // A leading literal fixes whole leading segments: those it ends with '/',
  // and its last piece too when the next token starts a new segment or ends
  // the pattern.
  if (!p.tokens_.empty() && p.tokens_[0].op == Op::lit) {
    const std::string& lit = p.tokens_[0].lit;
    const Op next = p.tokens_.size() > 1 ? p.tokens_[1].op : Op::tail_opt;
    const bool piece_complete = next == Op::tail_opt || next == Op::tail_slash_any || next == Op::mid_opt;
    const auto last_slash = lit.rfind('/');
    const std::size_t complete = piece_complete ? lit.size() : (last_slash == std::string::npos ? 0 : last_slash);
    p.anchor_ = first_segments(lit, complete);
  }
  // Floating shapes worth indexing.
  if (p.tokens_.size() == 3 && p.tokens_[0].op == Op::lead_opt && p.tokens_[1].op == Op::lit &&
      p.tokens_[2].op == Op::tail_opt && p.tokens_[1].lit.find('/') == std::string::npos) {
    p.segment_equal_ = p.tokens_[1].lit;
  } else if (p.tokens_.size() == 4 && p.tokens_[0].op == Op::lead_opt && p.tokens_[1].op == Op::star0 &&
             p.tokens_[2].op == Op::lit && p.tokens_[3].op == Op::tail_opt &&
             p.tokens_[2].lit.find('/') == std::string::npos) {
    p.segment_suffix_ = p.tokens_[2].lit;
  }
  return p;
}

bool CodeownersPattern::match_from(std::size_t ti, std::string_view path, std::size_t pi,
                                   std::vector<std::uint8_t>* memo) const {
  const std::size_t n = path.size();
  if (ti == tokens_.size()) return pi == n;
  std::size_t slot = 0;
  if (memo != nullptr) {
    slot = ti * (n + 1) + pi;
    if ((*memo)[slot] != 0) return false;
  }
  const Token& t = tokens_[ti];
  bool ok = false;
  switch (t.op) {
    case Op::lit:
      ok = path.substr(pi).starts_with(t.lit) && match_from(ti + 1, path, pi + t.lit.size(), memo);
      break;
    case Op::star0:
    case Op::star1: {
      std::size_t k = pi;
      if (t.op == Op::star1) {
        if (k >= n || path[k] == '/') break;
        ++k;
      }
      for (;; ++k) {
        if (match_from(ti + 1, path, k, memo)) { ok = true; break; }
        if (k >= n || path[k] == '/') break;
      }
      break;
    }
    case Op::qmark:
      ok = pi < n && path[pi] != '/' && match_from(ti + 1, path, pi + 1, memo);
      break;
    case Op::any_plus:
      for (std::size_t k = n; k > pi && !ok; --k) ok = match_from(ti + 1, path, k, memo);
      break;
    case Op::lead_opt:
      ok = match_from(ti + 1, path, pi, memo);
      for (std::size_t j = pi + 1; j < n && !ok; ++j) {
        if (path[j] == '/') ok = match_from(ti + 1, path, j + 1, memo);
      }
      break;
    case Op::tail_slash_any:
      if (pi < n && path[pi] == '/') {
        for (std::size_t k = n + 1; k > pi + 1 && !ok; --k) ok = match_from(ti + 1, path, k - 1, memo);
      }
      break;
    case Op::mid_opt:
      ok = match_from(ti + 1, path, pi, memo);
      if (!ok && pi < n && path[pi] == '/') {
        for (std::size_t k = pi + 2; k <= n && !ok; ++k) ok = match_from(ti + 1, path, k, memo);
      }
      break;
    case Op::tail_opt:
      ok = match_from(ti + 1, path, pi, memo);
      if (!ok && pi < n && path[pi] == '/') {
        for (std::size_t k = n + 1; k > pi + 1 && !ok; --k) ok = match_from(ti + 1, path, k - 1, memo);
      }
      break;
  }
  if (memo != nullptr && !ok) (*memo)[slot] = 1;
  return ok;
}

bool CodeownersPattern::matches(std::string_view path) const {
  if (never_) return false;
  if (literal_prefix_) {
    if (literal_.empty()) return false;
    if (literal_.back() == '/') return path.starts_with(literal_);
    if (path.size() == literal_.size()) return path == literal_;
    return path.size() > literal_.size() && path[literal_.size()] == '/' && path.starts_with(literal_);
  }
  if (variable_tokens_ < 3) return match_from(0, path, 0, nullptr);
  // Several variable-width tokens: remember failed (token, position) pairs so
  // adversarial patterns stay polynomial.
  thread_local std::vector<std::uint8_t> memo;
  memo.assign((tokens_.size() + 1) * (path.size() + 1), 0);
  return match_from(0, path, 0, &memo);
}

std::string_view normalize_codeowners_path(std::string_view path) {
  for (;;) {
    if (path.starts_with("./")) {
      path.remove_prefix(2);
    } else if (path.starts_with('/')) {
      path.remove_prefix(1);
    } else {
      return path;
    }
  }
}

Result<CodeownersRule> parse_codeowners_rule(std::string_view line) {
  std::size_t begin = 0;
  while (begin < line.size() && is_space(line[begin])) ++begin;
  std::size_t end = line.size();
  while (end > begin && (is_space(line[end - 1]) || line[end - 1] == '\r' || line[end - 1] == '\n')) --end;
  const std::string_view body = line.substr(begin, end - begin);

  CodeownersRule rule{CodeownersPattern{}, {}, 0, {}};
  bool in_pattern = true;
  bool have_pattern = false;
  bool escaped = false;
  std::string buf;
  std::size_t buf_start = 0;

  auto finish_pattern = [&]() -> Result<void> {
    auto compiled = CodeownersPattern::compile(buf);
    if (!compiled) return rule_error(compiled.error().message);
    rule.pattern = std::move(compiled).value();
    have_pattern = true;
    return {};
  };
  auto finish_owner = [&]() -> Result<void> {
    auto owner = classify_owner(buf);
    if (!owner) {
      return rule_error("invalid owner format '" + buf + "' at position " + std::to_string(begin + buf_start + 1));
    }
    rule.owners.push_back(std::move(*owner));
    buf.clear();
    return {};
  };

  for (std::size_t i = 0; i < body.size(); ++i) {
    const char ch = body[i];
    if (ch == '#' && !(in_pattern && escaped)) {
      rule.comment = trim(body.substr(i + 1));
      break;
    }
    if (in_pattern) {
      if (ch == '\\' && !escaped) {
        escaped = true;
        buf.push_back(ch);
        continue;
      }
      if (is_space(ch) && !escaped) {
        if (auto r = finish_pattern(); !r) return r.error();
        buf.clear();
        in_pattern = false;
      } else if (is_pattern_char(ch) || (is_space(ch) && escaped)) {
        buf.push_back(ch);
      } else {
        return rule_error("unexpected character '" + escape_for_display(std::string(1, ch)) + "' at position " +
                          std::to_string(begin + i + 1));
      }
      escaped = false;
      continue;
    }
    if (is_space(ch)) {
      if (!buf.empty()) {
        if (auto r = finish_owner(); !r) return r.error();
      }
    } else if (is_owner_char(ch)) {
      if (buf.empty()) buf_start = i;
      buf.push_back(ch);
    } else {
      return rule_error("unexpected character '" + escape_for_display(std::string(1, ch)) + "' at position " +
                        std::to_string(begin + i + 1));
    }
  }
  if (in_pattern) {
    if (buf.empty()) return rule_error("unexpected end of rule");
    if (auto r = finish_pattern(); !r) return r.error();
  } else if (!buf.empty()) {
    if (auto r = finish_owner(); !r) return r.error();
  }
  if (!have_pattern) return rule_error("unexpected end of rule");
  return rule;
}

Codeowners Codeowners::parse(std::string_view text, std::string origin) {
  Codeowners file;
  file.origin_ = std::move(origin);
  int line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string trimmed = trim(line);
    if (trimmed.empty() || trimmed[0] == '#') {
      if (nl == text.size()) break;
      continue;
    }
    auto rule = parse_codeowners_rule(line);
    if (rule) {
      rule->line = line_no;
      file.rules_.push_back(std::move(rule).value());
    } else {
      int column = 0;
      const std::string& msg = rule.error().message;
      const auto at = msg.rfind(" at position ");
      if (at != std::string::npos) column = std::atoi(msg.c_str() + at + 13);
      file.problems_.push_back({line_no, column, msg});
    }
    if (nl == text.size()) break;
  }
  file.index();
  return file;
}

Result<Codeowners> Codeowners::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("codeowners.unreadable", path + ": cannot open CODEOWNERS file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return make_error("codeowners.unreadable", path + ": read failed");
  return parse(text.str(), path);
}

void Codeowners::index() {
  by_anchor_.clear();
  by_segment_.clear();
  by_suffix_.clear();
  floating_.clear();
  longest_suffix_ = 0;
  for (std::uint32_t i = 0; i < rules_.size(); ++i) {
    const CodeownersPattern& p = rules_[i].pattern;
    if (!p.anchor().empty()) {
      by_anchor_[p.anchor()].push_back(i);
    } else if (!p.any_segment_equal().empty()) {
      by_segment_[p.any_segment_equal()].push_back(i);
    } else if (!p.any_segment_suffix().empty()) {
      by_suffix_[p.any_segment_suffix()].push_back(i);
      longest_suffix_ = std::max(longest_suffix_, p.any_segment_suffix().size());
    } else {
      floating_.push_back(i);
    }
  }
}

const CodeownersRule* Codeowners::match(std::string_view path) const {
  path = normalize_codeowners_path(path);

  // Gather every list of rules that could match, then walk them from the back
  // together: the first hit is the last matching rule in the file.
  std::vector<const std::vector<std::uint32_t>*> lists;
  auto add = [&lists](const std::unordered_map<std::string, std::vector<std::uint32_t>>& map, std::string_view key) {
    if (map.empty()) return;
    const auto it = map.find(std::string(key));
    if (it != map.end()) lists.push_back(&it->second);
  };
  if (!floating_.empty()) lists.push_back(&floating_);
  const auto first = path.find('/');
  add(by_anchor_, path.substr(0, first));
  if (first != std::string_view::npos) add(by_anchor_, path.substr(0, path.find('/', first + 1)));
  if (!by_segment_.empty() || !by_suffix_.empty()) {
    std::size_t start = 0;
    while (start <= path.size()) {
      auto end = path.find('/', start);
      if (end == std::string_view::npos) end = path.size();
      const std::string_view segment = path.substr(start, end - start);
      add(by_segment_, segment);
      for (std::size_t len = 1; len <= segment.size() && len <= longest_suffix_; ++len) {
        add(by_suffix_, segment.substr(segment.size() - len));
      }
      start = end + 1;
    }
  }
  std::vector<std::size_t> pos(lists.size());
  for (std::size_t l = 0; l < lists.size(); ++l) pos[l] = lists[l]->size();
  std::int64_t previous = -1;
  for (;;) {
    std::int64_t best = -1;
    std::size_t best_list = 0;
    for (std::size_t l = 0; l < lists.size(); ++l) {
      if (pos[l] == 0) continue;
      const auto candidate = static_cast<std::int64_t>((*lists[l])[pos[l] - 1]);
      if (candidate > best) {
        best = candidate;
        best_list = l;
      }
    }
    if (best < 0) return nullptr;
    --pos[best_list];
    if (best == previous) continue;  // the same rule reached through two lists
    previous = best;
    const CodeownersRule& rule = rules_[static_cast<std::size_t>(best)];
    if (rule.pattern.matches(path)) return &rule;
  }
}

}  // namespace fixgate::ownership
