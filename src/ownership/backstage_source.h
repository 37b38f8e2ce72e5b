// Owners from the Backstage service catalog.
//
// A finding's resource is tied to catalog entities by these keys, in order
// (confidence of the match in brackets):
//   1. metadata.annotations "aws.amazon.com/arn", "aws.amazon.com/resource-arn"
//      or "amazonaws.com/arn" equal to the resource ARN (a comma-separated list
//      of ARNs is allowed) [0.9]
//   2. annotation "aws.amazon.com/resource-id" equal to the resource id [0.85],
//      "aws.amazon.com/resource-name" equal to the resource name [0.8]
//   3. a resource tag "backstage.io/component", "backstage.io/resource",
//      "backstage.io/system" or "backstage.io/entity" holding an entity ref
//      (kind defaults to Component/Resource/System/Component) [0.8]
//   4. a resource tag "service", "component" or "app" naming a Component,
//      Resource or System (case-insensitive) [0.65]
//   5. a Resource entity whose metadata.name equals the resource name [0.6]
//   6. yor's git_org + git_repo tags equal to "github.com/project-slug" [0.5]
// Each matched entity yields one candidate: its spec.owner, or the owner
// inherited through spec.system (then the system's domain), at 0.9 x the match
// confidence when inherited. Evidence names the entity, its file:line, the key
// that matched and the owner ref.
#pragma once

#include "ownership/backstage_catalog.h"
#include "ownership/candidate.h"

namespace fixgate::ownership {

class BackstageSource final : public OwnerSource {
 public:
  explicit BackstageSource(BackstageCatalog catalog) : catalog_(std::move(catalog)) {}
  std::string_view name() const override { return "backstage"; }
  std::vector<OwnerCandidate> candidates(const Finding& finding) const override;
  const BackstageCatalog& catalog() const { return catalog_; }

 private:
  BackstageCatalog catalog_;
};

}  // namespace fixgate::ownership
