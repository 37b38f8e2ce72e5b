// Owners named directly on the resource: owner tags and tag rules.
//
// TagSource reads an ordered list of tag keys (e.g. owner, team, app:owner),
// compared case-insensitively with the finding's tag keys. Every key present
// with a non-empty value yields a candidate; earlier keys are trusted more
// (confidence 0.9, then 0.05 less per position, never below 0.5).
//
// TagRuleSource maps "tag key + value regex" to a team, e.g. cost-center
// matching ^cc-42 -> payments. Keys compare case-insensitively; the regex is
// ECMAScript, searched (use ^/$ to anchor) and case-sensitive. Every rule that
// matches yields a candidate (confidence 0.75) naming the rule's position.
#pragma once

#include <regex>
#include <string>
#include <vector>

#include "core/result.h"
#include "ownership/candidate.h"

namespace fixgate::ownership {

class TagSource final : public OwnerSource {
 public:
  explicit TagSource(std::vector<std::string> keys) : keys_(std::move(keys)) {}
  std::string_view name() const override { return "tag"; }
  std::vector<OwnerCandidate> candidates(const Finding& finding) const override;

 private:
  std::vector<std::string> keys_;
};

struct TagRule {
  std::string key;          // tag key, compared case-insensitively
  std::string value_regex;  // ECMAScript regex searched in the tag value
  std::string owner;        // the team the rule names
};

class TagRuleSource final : public OwnerSource {
 public:
  // Compiles every regex once. Fails with "ownership.tag_rule_invalid" naming
  // the rule index when a regex does not compile or a field is empty.
  static Result<TagRuleSource> create(std::vector<TagRule> rules);

  std::string_view name() const override { return "tag_rule"; }
  std::vector<OwnerCandidate> candidates(const Finding& finding) const override;

 private:
  struct Compiled {
    TagRule rule;
    std::regex regex;
  };
  explicit TagRuleSource(std::vector<Compiled> rules) : rules_(std::move(rules)) {}
  std::vector<Compiled> rules_;
};

// "person" when the value looks like an e-mail address, else "team".
OwnerKind guess_owner_kind(std::string_view owner);

}  // namespace fixgate::ownership
