// libFuzzer target for the CODEOWNERS parser and pattern matcher.
//
// The input is parsed as a whole CODEOWNERS file; each of its lines is also
// compiled as a bare pattern. Every rule is then matched against fixed paths
// and against lines of the input used as paths, and the indexed last-match
// lookup must agree with a plain scan. Crashes, sanitizer reports, timeouts
// (exponential matching) and disagreements are the bugs this looks for.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"
#include "ownership/codeowners.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using fixgate::ownership::Codeowners;
  using fixgate::ownership::CodeownersPattern;
  using fixgate::ownership::CodeownersRule;
  if (size > 16 * 1024) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Codeowners file = Codeowners::parse(text, "fuzz");

  std::vector<std::string> paths = {"a", "a/b", "a/b/c.txt", "docs/x.md", "foo/bar/baz", "x/y/z/w/v/u/t/s/r/q"};
  const auto lines = fixgate::split(text, '\n');
  for (std::size_t i = 0; i < lines.size() && i < 16; ++i) {
    const std::string& line = lines[i];
    const std::string_view path = fixgate::ownership::normalize_codeowners_path(line);  // as match() does
    if (!path.empty() && path.size() < 256) paths.emplace_back(path);
    if (auto pattern = CodeownersPattern::compile(line)) {
      for (const auto& p : paths) (void)pattern->matches(p);
    }
  }
  for (const auto& path : paths) {
    const CodeownersRule* indexed = file.match(path);
    const CodeownersRule* scanned = nullptr;
    for (const auto& rule : file.rules()) {
      if (rule.pattern.matches(path)) scanned = &rule;
    }
    if (indexed != scanned) std::abort();  // the anchor index changed the answer
  }
  return 0;
}
