// CODEOWNERS semantics, driven by the shared corpus tables (GitHub docs example,
// hmarr/codeowners pattern and parse cases) plus the file-level behaviours the
// tables do not cover (problems with line numbers, the rule index).
#include "ownership/codeowners.h"

#include <gtest/gtest.h>

#include "core/text.h"
#include "corpus.h"

namespace fixgate::ownership {
namespace {

using testing::corpus_path;
using testing::read_json;
using testing::read_text;

TEST(CodeownersPatternTest, EveryFlatCorpusCase) {
  const auto cases = read_json(corpus_path("codeowners/pattern_cases_flat.json"));
  ASSERT_EQ(cases.size(), 153u);
  for (const auto& c : cases) {
    const std::string pattern = c.at("pattern");
    const std::string path = c.at("path");
    SCOPED_TRACE(c.at("group").get<std::string>() + ": " + pattern + " vs " + path);
    auto compiled = CodeownersPattern::compile(pattern);
    ASSERT_TRUE(compiled.ok()) << compiled.error().to_string();
    EXPECT_EQ(compiled->matches(path), c.at("matches").get<bool>());
  }
}

TEST(CodeownersPatternTest, EveryHmarrPatternGroup) {
  const auto groups = read_json(corpus_path("codeowners/hmarr_patterns.json"));
  std::size_t checked = 0;
  for (const auto& g : groups) {
    const std::string pattern = g.at("pattern");
    auto compiled = CodeownersPattern::compile(pattern);
    ASSERT_TRUE(compiled.ok()) << pattern;
    for (const auto& [path, expected] : g.at("paths").items()) {
      SCOPED_TRACE(g.at("name").get<std::string>() + ": " + pattern + " vs " + path);
      EXPECT_EQ(compiled->matches(path), expected.get<bool>());
      ++checked;
    }
  }
  EXPECT_EQ(checked, 153u);
}

TEST(CodeownersParseTest, EveryHmarrParseCase) {
  const auto cases = read_json(corpus_path("codeowners/hmarr_parse_cases.json"));
  ASSERT_GE(cases.size(), 25u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    auto rule = parse_codeowners_rule(c.at("line").get<std::string>());
    if (!c.at("error").is_null()) {
      ASSERT_FALSE(rule.ok());
      EXPECT_EQ(rule.error().message, c.at("error").get<std::string>());
      continue;
    }
    ASSERT_TRUE(rule.ok()) << rule.error().to_string();
    EXPECT_EQ(rule->pattern.text(), c.at("pattern").get<std::string>());
    const auto& owners = c.at("owners");
    ASSERT_EQ(rule->owners.size(), owners.size());
    for (std::size_t i = 0; i < owners.size(); ++i) {
      EXPECT_EQ(rule->owners[i].value, owners[i].at("value").get<std::string>());
      EXPECT_EQ(to_string(rule->owners[i].type), owners[i].at("type").get<std::string>());
    }
  }
}

TEST(CodeownersFileTest, GithubDocsExampleLastMatchWins) {
  const auto file = Codeowners::load(corpus_path("codeowners/github_docs_example.CODEOWNERS"));
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE(file->problems().empty());
  const auto expected = read_json(corpus_path("codeowners/github_docs_example_expected.json"));
  ASSERT_EQ(expected.size(), 11u);
  for (const auto& c : expected) {
    const std::string path = c.at("path");
    SCOPED_TRACE(path + " (" + c.at("why").get<std::string>() + ")");
    const CodeownersRule* rule = file->match(path);
    ASSERT_NE(rule, nullptr);
    std::vector<std::string> owners;
    for (const auto& o : rule->owners) owners.push_back(o.text);
    EXPECT_EQ(owners, c.at("owners").get<std::vector<std::string>>());
  }
}

TEST(CodeownersFileTest, GithubDocsExampleRuleLinesAndComments) {
  const auto file = Codeowners::load(corpus_path("codeowners/github_docs_example.CODEOWNERS"));
  ASSERT_TRUE(file.ok());
  const CodeownersRule* rule = file->match("src/app.js");
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(rule->line, 3);
  EXPECT_EQ(rule->pattern.text(), "*.js");
  EXPECT_EQ(rule->comment, "This is an inline comment.");
  const CodeownersRule* unowned = file->match("apps/github/x");
  ASSERT_NE(unowned, nullptr);
  EXPECT_EQ(unowned->line, 13);
  EXPECT_TRUE(unowned->owners.empty());
}

TEST(CodeownersFileTest, InvalidLinesAreSkippedAndReportedWithLineNumbers) {
  const auto file = Codeowners::parse(
      "# header\r\n"
      "* @default\r\n"
      "docs/ not-an-owner\r\n"
      "\r\n"
      "  # indented comment\n"
      "src/** @org/team @bad owner\n"
      "!negated @user\n"
      "a***b @user\n"
      "/build/ @builder\n",
      "inline");
  ASSERT_EQ(file.rules().size(), 2u);
  ASSERT_EQ(file.problems().size(), 4u);
  EXPECT_EQ(file.problems()[0].line, 3);
  EXPECT_EQ(file.problems()[0].column, 7);
  EXPECT_EQ(file.problems()[0].message, "invalid owner format 'not-an-owner' at position 7");
  EXPECT_EQ(file.problems()[1].line, 6);
  EXPECT_EQ(file.problems()[1].message, "invalid owner format 'owner' at position 23");
  EXPECT_EQ(file.problems()[2].line, 7);
  EXPECT_EQ(file.problems()[3].line, 8);
  EXPECT_EQ(file.problems()[3].message, "pattern cannot contain three consecutive asterisks");
  // The invalid docs/ rule is skipped, so docs falls back to '*'.
  const CodeownersRule* docs = file.match("docs/readme.md");
  ASSERT_NE(docs, nullptr);
  EXPECT_EQ(docs->owners.at(0).text, "@default");
  const CodeownersRule* build = file.match("build/out.bin");
  ASSERT_NE(build, nullptr);
  EXPECT_EQ(build->line, 9);
}

TEST(CodeownersFileTest, EscapedSpaceAndHashInPattern) {
  const auto file = Codeowners::parse("foo\\ bar @spacey\n\\#notes @hashy # trailing\n");
  ASSERT_TRUE(file.problems().empty());
  const CodeownersRule* spaced = file.match("dir/foo bar");
  ASSERT_NE(spaced, nullptr);
  EXPECT_EQ(spaced->owners.at(0).value, "spacey");
  const CodeownersRule* hashed = file.match("#notes");
  ASSERT_NE(hashed, nullptr);
  EXPECT_EQ(hashed->owners.at(0).value, "hashy");
  EXPECT_EQ(hashed->comment, "trailing");
}

TEST(CodeownersFileTest, MissingFileIsAnError) {
  const auto file = Codeowners::load("/nonexistent/CODEOWNERS");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().code, "codeowners.unreadable");
}

// The anchor index must never change the answer: compare with a plain
// last-match scan over every corpus pattern and path.
TEST(CodeownersFileTest, IndexedMatchEqualsLinearScan) {
  const auto cases = read_json(corpus_path("codeowners/pattern_cases_flat.json"));
  std::string text;
  std::vector<std::string> patterns;
  std::vector<std::string> paths;
  for (const auto& c : cases) {
    const std::string pattern = c.at("pattern");
    if (patterns.empty() || patterns.back() != pattern) {
      patterns.push_back(pattern);
      text += pattern + " @owner" + std::to_string(patterns.size()) + "\n";
    }
    paths.push_back(c.at("path"));
  }
  const auto file = Codeowners::parse(text);
  ASSERT_EQ(file.rules().size(), patterns.size());
  for (const auto& path : paths) {
    const CodeownersRule* expected = nullptr;
    for (const auto& rule : file.rules()) {
      if (rule.pattern.matches(path)) expected = &rule;
    }
    EXPECT_EQ(file.match(path), expected) << path;
  }
}

// Every index shape (one- and two-segment anchors, "name", "*.ext") mixed with
// unindexed rules must give the linear scan's answer.
TEST(CodeownersFileTest, IndexShapesEqualLinearScan) {
  const std::vector<std::string> patterns = {
      "*", "*.js", "logs", "**/logs", "/a/", "/a/b/", "a/b", "a/b/*.tf", "/a/b*", "a/**/c", "*.tf", "b.js",
      "/a//b", "a/", "*/b/", "/x/y/z", "/./", "?.js", "js", "/a/b/c.js", "**", "**/a/b", ".js", "a/b/c/"};
  const std::vector<std::string> paths = {
      "a", "a/b", "a/b/c.js", "a/b/logs", "logs", "x/logs/y", "x/y/z", "x/y/z/w", "b.js", "q/b.js", "a/bb/c",
      "a/b/c/d.tf", "a/b/main.tf", "z.js", "a.js/b.js", "c/b/d", "abc", "/a/b", "./a/b/c.js", "/./a/b", "./", "/./", "js", "x/.js"};
  std::string text;
  for (std::size_t round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < patterns.size(); ++i) {
      // Rotate so each pattern appears in different positions.
      text += patterns[(i + round * 7) % patterns.size()] + " @o" + std::to_string(round * 100 + i) + "\n";
    }
  }
  const auto file = Codeowners::parse(text);
  ASSERT_EQ(file.rules().size(), patterns.size() * 3);
  for (std::size_t skip = 0; skip < file.rules().size(); skip += 5) {
    // Also check prefixes of the file, so different rules end up last.
    std::string prefix;
    std::size_t count = 0;
    for (const auto& line : split(text, '\n')) {
      if (count++ >= skip + 1) break;
      prefix += line + "\n";
    }
    const auto partial = Codeowners::parse(prefix);
    for (std::string path : paths) {
      const CodeownersRule* expected = nullptr;
      const std::string_view normal = normalize_codeowners_path(path);
      for (const auto& rule : partial.rules()) {
        if (rule.pattern.matches(normal)) expected = &rule;
      }
      EXPECT_EQ(partial.match(path), expected) << path << " with " << partial.rules().size() << " rules";
    }
  }
}

}  // namespace
}  // namespace fixgate::ownership
