// Owners by organisational placement: Wiz project (name or id) or cloud account.
//
// Project keys compare case-insensitively with each entry of Finding::projects;
// every mapped project yields a candidate (confidence 0.7). The finding's
// account id, when mapped, yields one more (confidence 0.5): an account is a
// coarser unit than a project, so it is trusted less.
#pragma once

#include <map>
#include <string>

#include "ownership/candidate.h"

namespace fixgate::ownership {

class ProjectSource final : public OwnerSource {
 public:
  // projects: Wiz project name or id -> team; accounts: account id -> team.
  ProjectSource(const std::map<std::string, std::string>& projects,
                const std::map<std::string, std::string>& accounts);

  std::string_view name() const override { return "project"; }
  std::vector<OwnerCandidate> candidates(const Finding& finding) const override;

 private:
  std::map<std::string, std::string> projects_;  // lower-cased key -> team
  std::map<std::string, std::string> accounts_;
};

}  // namespace fixgate::ownership
