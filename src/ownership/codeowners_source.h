// Owners from a CODEOWNERS file for the file that defines the resource.
//
// The file is taken from yor's `git_file` tag on the resource (the path of the
// Terraform file relative to the repository root). The last matching rule's
// owners each become a candidate (teams 0.7, users and e-mails 0.65); a rule
// with no owners yields nothing (explicitly unowned). Evidence: the CODEOWNERS
// file:line, its pattern and the path matched. GitBlameSource uses
// codeowners_candidates() for the file it located itself.
#pragma once

#include <memory>
#include <string>

#include "ownership/candidate.h"
#include "ownership/codeowners.h"

namespace fixgate::ownership {

class CodeownersSource final : public OwnerSource {
 public:
  explicit CodeownersSource(std::shared_ptr<const Codeowners> codeowners) : codeowners_(std::move(codeowners)) {}
  std::string_view name() const override { return "codeowners"; }
  std::vector<OwnerCandidate> candidates(const Finding& finding) const override;

 private:
  std::shared_ptr<const Codeowners> codeowners_;
};

// Candidates for one repository path; `how` says how the path was found.
std::vector<OwnerCandidate> codeowners_candidates(const Codeowners& codeowners, const std::string& path,
                                                  const std::string& how);

}  // namespace fixgate::ownership
