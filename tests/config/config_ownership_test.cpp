// The `ownership:` section: every resolver option can be configured, the
// reference file's tags-only section still loads unchanged, and mistakes are
// reported with file, line and key like every other section.
#include <gtest/gtest.h>

#include "config/config.h"

namespace fixgate {
namespace {

LoadOptions env_with_team() {
  LoadOptions options;
  options.env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "CMDB_FILE") return std::string("/data/cmdb.json");
    return std::nullopt;
  };
  return options;
}

std::vector<ConfigIssue> issues_of(const std::string& ownership) {
  auto load = load_config_text_detailed("version: 1\n" + ownership, "inline.yaml", env_with_team());
  EXPECT_FALSE(load.ok()) << ownership;
  return load.issues;
}

TEST(ConfigOwnership, ReferenceSectionLoadsAsTags) {
  auto config = load_config(FIXGATE_SHARED_DIR "/examples/fixgate.yaml");
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  EXPECT_EQ(config->ownership_tags, (std::vector<std::string>{"owner", "team", "app:owner"}));
  EXPECT_EQ(config->ownership, (nlohmann::json{{"tags", {"owner", "team", "app:owner"}}}));
}

TEST(ConfigOwnership, EverySourceCanBeConfigured) {
  const std::string text = R"(version: 1
ownership:
  tags: [owner, team]
  tag_rules:
    - {key: cost-center, value_regex: "^cc-42", owner: payments}
  projects: {"Customer Platform": platform-team}
  accounts: {"111111111111": prod-ops}
  backstage: catalog/
  cmdb: "${CMDB_FILE}"
  codeowners: repo/CODEOWNERS
  repo: repo
  cloudtrail: trail/events.json
  precedence: [cmdb, tag, tag_rule, backstage, project, codeowners, git_blame, cloudtrail]
)";
  auto config = load_config_text(text, "inline.yaml", env_with_team());
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  const nlohmann::json& o = config->ownership;
  EXPECT_EQ(o["tags"], (nlohmann::json{"owner", "team"}));
  EXPECT_EQ(o["tag_rules"][0]["value_regex"], "^cc-42");
  EXPECT_EQ(o["projects"]["Customer Platform"], "platform-team");
  EXPECT_EQ(o["accounts"]["111111111111"], "prod-ops");
  EXPECT_EQ(o["backstage"], nlohmann::json::array({"catalog/"}));  // a single path becomes a list
  EXPECT_EQ(o["cmdb"], "/data/cmdb.json");                         // ${VAR} expanded
  EXPECT_EQ(o["codeowners"], "repo/CODEOWNERS");
  EXPECT_EQ(o["precedence"][0], "cmdb");
  EXPECT_EQ(config->ownership_tags, (std::vector<std::string>{"owner", "team"}));
}

TEST(ConfigOwnership, MistakesNameLineAndKey) {
  struct Case {
    std::string yaml;
    std::string key;
    int line;
    std::string text;
  };
  const std::vector<Case> cases = {
      {"ownership:\n  tagz: [owner]\n", "ownership.tagz", 3, "tags"},
      {"ownership:\n  precedence: [tag, blame]\n", "ownership.precedence[1]", 3, "unknown source"},
      {"ownership:\n  precedence: [tag, tag]\n", "ownership.precedence[1]", 3, "twice"},
      {"ownership:\n  tag_rules:\n    - {key: cc}\n", "ownership.tag_rules[0].owner", 4, "missing"},
      {"ownership:\n  tag_rules:\n    - {key: cc, owner: x, team: y}\n", "ownership.tag_rules[0].team", 4, "unknown"},
      {"ownership:\n  projects: [a, b]\n", "ownership.projects", 3, "mapping"},
      {"ownership:\n  cmdb: \"${NOPE}\"\n", "ownership.cmdb", 3, "NOPE"},
      {"ownership:\n  codeowners: [a]\n", "ownership.codeowners", 3, ""},
  };
  for (const auto& c : cases) {
    const auto issues = issues_of(c.yaml);
    const ConfigIssue* found = nullptr;
    for (const auto& issue : issues) {
      if (issue.where.key == c.key) found = &issue;
    }
    ASSERT_NE(found, nullptr) << c.yaml << "\nfirst issue: " << (issues.empty() ? "" : issues[0].where.key);
    EXPECT_EQ(found->where.line, c.line) << c.yaml;
    EXPECT_EQ(found->where.file, "inline.yaml");
    EXPECT_NE(found->message.find(c.text), std::string::npos) << found->message;
  }
}

}  // namespace
}  // namespace fixgate
