// Ownership configuration: which sources run, where their data lives, and the
// order in which their answers are trusted.
//
// The config component hands over the `ownership:` section converted to JSON.
// Keys (all optional; unknown keys are rejected so a typo is not silently
// ignored):
//   tags:        [owner, team, "app:owner"]        ordered tag keys
//   tag_rules:   [{key: cost-center, value_regex: "^cc-42", owner: payments}]
//   projects:    {"<wiz project name or id>": team}
//   accounts:    {"<account id>": team}
//   backstage:   [catalog-info.yaml files or directories]
//   cmdb:        CMDB export (.csv or .json)
//   codeowners:  CODEOWNERS file
//   repo:        local git repository (for git blame)
//   cloudtrail:  CloudTrail events file
//   precedence:  [tag, tag_rule, backstage, cmdb, project, codeowners, git_blame, cloudtrail]
// The reference config's `ownership: {tags: [owner, team, "app:owner"]}` alone
// configures a tags-only resolver.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/result.h"
#include "ownership/tag_source.h"

namespace fixgate::ownership {

struct OwnershipOptions {
  std::vector<std::string> tag_keys;
  std::vector<TagRule> tag_rules;
  std::map<std::string, std::string> projects;
  std::map<std::string, std::string> accounts;
  std::vector<std::string> backstage_catalogs;
  std::string cmdb_path;
  std::string codeowners_path;
  std::string repo_path;
  std::string cloudtrail_events_path;
  std::vector<std::string> precedence;  // empty: default_precedence()
};

// Every source name, in the default order of trust: what the resource says
// about itself first, curated inventories next, history last.
const std::vector<std::string>& default_precedence();

// Fails with "config.invalid_ownership" naming the offending key, e.g.
// "ownership.tag_rules[1].value_regex: expected a string".
Result<OwnershipOptions> ownership_options_from_json(const nlohmann::json& section);

}  // namespace fixgate::ownership
