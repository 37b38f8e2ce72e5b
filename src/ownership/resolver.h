// OwnershipResolver: every source's answer about who owns a finding's
// resource, ranked, with evidence, and the owner to route to.
//
// Most findings cannot be fixed automatically; they must reach the right person
// fast and with proof. The resolver asks every configured source, then ranks
// ALL candidates: first by the configured precedence of their source, then by
// confidence (higher first), then in the order the source gave them. The same
// owner named twice by one source is kept once (its best-ranked mention). The
// chosen owner is the first candidate that is not an AWS service; none is
// chosen when no source knows (fail closed: the caller routes to review).
//
// resolve() reads nothing from the network. File-backed sources (Backstage,
// CMDB, CODEOWNERS, CloudTrail) load once in create(); git_blame reads the local
// repository per lookup. resolve() is const and safe to call from several
// threads at once.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/finding.h"
#include "core/result.h"
#include "ownership/candidate.h"
#include "ownership/options.h"

namespace fixgate::ownership {

struct Ownership {
  std::vector<OwnerCandidate> candidates;  // ranked; rank = index + 1
  std::optional<OwnerCandidate> chosen;    // empty: nobody could be named
  std::vector<std::string> consulted;      // source names asked, in precedence order
};

class OwnershipResolver {
 public:
  // Builds and loads every source the options configure. Fails with the first
  // source's load error (codes "backstage.*", "cmdb.*", "codeowners.*",
  // "cloudtrail.*", "git.*", "ownership.*"), whose message names file and line.
  static Result<OwnershipResolver> create(const OwnershipOptions& options);

  // For tests and embedders that build sources themselves. An empty
  // precedence means default_precedence().
  OwnershipResolver(std::vector<std::unique_ptr<OwnerSource>> sources, std::vector<std::string> precedence);

  Ownership resolve(const Finding& finding) const;

  std::vector<std::string> source_names() const;
  const std::vector<std::string>& precedence() const { return precedence_; }
  // Non-fatal load problems: skipped CODEOWNERS lines, rejected catalog
  // entities ("file:line: why").
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  std::vector<std::unique_ptr<OwnerSource>> sources_;
  std::vector<std::string> precedence_;
  std::vector<std::string> warnings_;
};

}  // namespace fixgate::ownership
