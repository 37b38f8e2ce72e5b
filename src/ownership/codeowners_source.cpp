#include "ownership/codeowners_source.h"

#include "core/text.h"

namespace fixgate::ownership {

std::vector<OwnerCandidate> codeowners_candidates(const Codeowners& codeowners, const std::string& path,
                                                  const std::string& how) {
  std::vector<OwnerCandidate> out;
  const CodeownersRule* rule = codeowners.match(path);
  if (rule == nullptr) return out;
  for (const auto& owner : rule->owners) {
    OwnerCandidate c;
    c.owner = owner.text;
    c.kind = owner.type == CodeownersOwnerType::team ? OwnerKind::team : OwnerKind::person;
    c.source = "codeowners";
    c.confidence = owner.type == CodeownersOwnerType::team ? 0.7 : 0.65;
    c.evidence = {{"codeowners_rule", codeowners.origin() + ":" + std::to_string(rule->line)},
                  {"pattern", rule->pattern.text()},
                  {"path", path},
                  {"path_from", how}};
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<OwnerCandidate> CodeownersSource::candidates(const Finding& finding) const {
  const Tag* file = finding.find_tag("git_file");
  if (file == nullptr || trim(file->value).empty() || !codeowners_) return {};
  return codeowners_candidates(*codeowners_, trim(file->value), "tag git_file");
}

}  // namespace fixgate::ownership
