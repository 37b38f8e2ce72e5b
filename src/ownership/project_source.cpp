#include "ownership/project_source.h"

#include "core/text.h"
#include "ownership/tag_source.h"

namespace fixgate::ownership {

ProjectSource::ProjectSource(const std::map<std::string, std::string>& projects,
                             const std::map<std::string, std::string>& accounts) {
  for (const auto& [key, team] : projects) projects_[to_lower(trim(key))] = team;
  for (const auto& [key, team] : accounts) accounts_[trim(key)] = team;
}

std::vector<OwnerCandidate> ProjectSource::candidates(const Finding& finding) const {
  std::vector<OwnerCandidate> out;
  for (const auto& project : finding.projects) {
    const auto it = projects_.find(to_lower(trim(project)));
    if (it == projects_.end()) continue;
    OwnerCandidate c;
    c.owner = it->second;
    c.kind = guess_owner_kind(it->second);
    c.source = "project";
    c.confidence = 0.7;
    c.evidence = {{"project", project}, {"mapped_key", it->first}};
    out.push_back(std::move(c));
  }
  if (!finding.account.empty()) {
    const auto it = accounts_.find(trim(finding.account));
    if (it != accounts_.end()) {
      OwnerCandidate c;
      c.owner = it->second;
      c.kind = guess_owner_kind(it->second);
      c.source = "project";
      c.confidence = 0.5;
      c.evidence = {{"account", finding.account}};
      out.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace fixgate::ownership
