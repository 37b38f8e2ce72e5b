// What every ownership source returns: a candidate owner with the evidence that
// named it.
//
// A candidate never stands alone: `evidence` records exactly what matched (a tag
// key and value, a CODEOWNERS file:line and its pattern, a commit and its line
// range, a CloudTrail event and identity chain) so a person reading a
// notification can check the claim instead of trusting it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"

namespace fixgate::ownership {

// What kind of principal the owner string names.
enum class OwnerKind {
  team,     // a group, team or assignment group
  person,   // a human: user name, e-mail, SSO session name
  role,     // an IAM role or other non-human principal acting for people
  service,  // an AWS service or automation: never a human owner, never chosen
};
const char* to_string(OwnerKind kind);

struct EvidenceField {
  std::string key;    // e.g. "tag_key", "codeowners_rule", "commit"
  std::string value;  // as found; attacker-controlled, escape before display
  bool operator==(const EvidenceField&) const = default;
};

struct OwnerCandidate {
  std::string owner;   // team or person, as the source names it
  OwnerKind kind = OwnerKind::team;
  std::string source;  // "tag", "tag_rule", "project", "backstage", "cmdb",
                       // "codeowners", "git_blame", "cloudtrail"
  double confidence = 0.0;  // 0..1: how sure the source is that this owner is right
  std::vector<EvidenceField> evidence;

  // Value of the first evidence field named `key`, or empty.
  std::string evidence_value(std::string_view key) const;
};

// One job per source: look at a finding, return every owner it can name.
// Implementations hold data loaded at construction and do no I/O beyond what
// their header says (git_blame reads the local repository); they never throw.
class OwnerSource {
 public:
  virtual ~OwnerSource() = default;
  virtual std::string_view name() const = 0;
  // Empty when the source knows nothing about this finding's resource.
  virtual std::vector<OwnerCandidate> candidates(const Finding& finding) const = 0;
};

}  // namespace fixgate::ownership
