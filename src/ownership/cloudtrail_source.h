// Owners from CloudTrail: who created (or last changed) the resource.
//
// An event concerns the finding's resource when one of its resource ids equals
// the finding's ARN, resource id or name, or the last part of the ARN (the
// bucket, instance id, user name...), and its recipient account equals the
// finding's account when both are known. Failed calls (errorCode set) are
// ignored: they created nothing.
//
// Candidates per matching event (creation confidences; a later change that is
// not a creation counts half):
//   IAMUser                      user name, person                   0.6
//   AssumedRole                  session name, person (0.6 when an e-mail or
//                                an SSO session, else 0.35), and the role
//                                behind it, role                     0.45
//   FederatedUser                federated name 0.5, issuing user 0.4
//   SAMLUser / WebIdentityUser   user name, person                   0.55
//   Root                         "root@<account>", person            0.3
//   a service                    the service, kind service           0 (never chosen)
// Evidence: event id, name, time, file location and the identity chain
// (identity type, ARN, session issuer, session name, invokedBy).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "ownership/candidate.h"
#include "ownership/cloudtrail.h"

namespace fixgate::ownership {

class CloudTrailSource final : public OwnerSource {
 public:
  // Indexes the successful events by every resource id they name.
  explicit CloudTrailSource(std::vector<CloudTrailEvent> events);
  // Fails with "cloudtrail.unreadable" or "cloudtrail.malformed" naming the file.
  static Result<CloudTrailSource> load(const std::string& path);

  std::string_view name() const override { return "cloudtrail"; }
  std::vector<OwnerCandidate> candidates(const Finding& finding) const override;

 private:
  std::vector<CloudTrailEvent> events_;
  std::unordered_map<std::string, std::vector<std::size_t>> by_resource_;  // ascending event indices
};

// The candidates one event's identity yields (exposed for tests and the CLI).
std::vector<OwnerCandidate> creator_candidates(const CloudTrailEvent& event);

}  // namespace fixgate::ownership
