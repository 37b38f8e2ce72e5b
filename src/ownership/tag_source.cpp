#include "ownership/tag_source.h"

#include <algorithm>

#include "core/text.h"

namespace fixgate::ownership {

const char* to_string(OwnerKind kind) {
  switch (kind) {
    case OwnerKind::team: return "team";
    case OwnerKind::person: return "person";
    case OwnerKind::role: return "role";
    case OwnerKind::service: return "service";
  }
  return "team";
}

std::string OwnerCandidate::evidence_value(std::string_view key) const {
  for (const auto& field : evidence) {
    if (field.key == key) return field.value;
  }
  return {};
}

OwnerKind guess_owner_kind(std::string_view owner) {
  return owner.find('@') != std::string_view::npos && owner.front() != '@' ? OwnerKind::person
                                                                             : OwnerKind::team;
}

std::vector<OwnerCandidate> TagSource::candidates(const Finding& finding) const {
  std::vector<OwnerCandidate> out;
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    for (const auto& tag : finding.tags) {
      if (!iequals(tag.key, keys_[i])) continue;
      const std::string value = trim(tag.value);
      if (value.empty()) continue;
      OwnerCandidate c;
      c.owner = value;
      c.kind = guess_owner_kind(value);
      c.source = "tag";
      c.confidence = std::max(0.5, 0.9 - 0.05 * static_cast<double>(i));
      c.evidence = {{"tag_key", tag.key}, {"tag_value", tag.value}, {"configured_key", keys_[i]},
                    {"key_position", std::to_string(i + 1)}};
      out.push_back(std::move(c));
      break;  // one candidate per configured key: the first tag with that key
    }
  }
  return out;
}

Result<TagRuleSource> TagRuleSource::create(std::vector<TagRule> rules) {
  std::vector<Compiled> compiled;
  compiled.reserve(rules.size());
  for (std::size_t i = 0; i < rules.size(); ++i) {
    auto& rule = rules[i];
    const std::string where = "ownership.tag_rules[" + std::to_string(i) + "]";
    if (rule.key.empty()) return make_error("ownership.tag_rule_invalid", where + ".key: must not be empty");
    if (rule.owner.empty()) return make_error("ownership.tag_rule_invalid", where + ".owner: must not be empty");
    try {
      std::regex re(rule.value_regex, std::regex::ECMAScript | std::regex::optimize);
      compiled.push_back({std::move(rule), std::move(re)});
    } catch (const std::regex_error& e) {
      return make_error("ownership.tag_rule_invalid",
                        where + ".value_regex: does not compile (" + std::string(e.what()) + ")");
    }
  }
  return TagRuleSource(std::move(compiled));
}

std::vector<OwnerCandidate> TagRuleSource::candidates(const Finding& finding) const {
  std::vector<OwnerCandidate> out;
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const auto& rule = rules_[i];
    for (const auto& tag : finding.tags) {
      if (!iequals(tag.key, rule.rule.key)) continue;
      bool matched = false;
      try {
        matched = std::regex_search(tag.value, rule.regex);
      } catch (const std::regex_error&) {
        matched = false;  // pathological input exhausted the regex engine: no match
      }
      if (!matched) continue;
      OwnerCandidate c;
      c.owner = rule.rule.owner;
      c.kind = guess_owner_kind(rule.rule.owner);
      c.source = "tag_rule";
      c.confidence = 0.75;
      c.evidence = {{"tag_key", tag.key}, {"tag_value", tag.value},
                    {"rule", std::to_string(i + 1)}, {"rule_key", rule.rule.key},
                    {"rule_value_regex", rule.rule.value_regex}};
      out.push_back(std::move(c));
      break;
    }
  }
  return out;
}

}  // namespace fixgate::ownership
