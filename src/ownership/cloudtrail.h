// CloudTrail records reduced to what ownership needs: who did it (the identity
// chain) and which resource it created or changed.
//
// Identity derivation follows the convention the corpus documents (as
// GorillaStack/auto-tag does): creator_arn = userIdentity.arn, or
// sessionContext.sessionIssuer.arn for a FederatedUser. Keys are read with
// CloudTrail's exact camelCase names. On top of that:
//   IAMUser          -> user_name (userIdentity.userName)
//   AssumedRole      -> role (sessionIssuer.userName, else from the ARN) and the
//                       session name (ARN's last part, else principalId after
//                       ':'), often the human's e-mail or SSO user
//   FederatedUser    -> the federated name and the issuing IAM user
//   SAMLUser / WebIdentityUser -> userName and identityProvider
//   Root             -> the account root
//   AWSService, service-linked roles (role path aws-service-role/) or calls
//   invokedBy "*.amazonaws.com" / "AWS Internal" -> a service, never a human
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace fixgate::ownership {

struct CloudTrailIdentity {
  std::string type;         // userIdentity.type: IAMUser, AssumedRole, Root, ...
  std::string arn;          // userIdentity.arn
  std::string creator_arn;  // arn, or the session issuer's for FederatedUser
  std::string account_id;
  std::string principal_id;
  std::string user_name;    // userIdentity.userName
  std::string session_issuer_arn;
  std::string session_issuer_type;
  std::string role_name;     // AssumedRole: the role behind the session
  std::string session_name;  // AssumedRole / FederatedUser: who holds the session
  std::string invoked_by;
  std::string identity_provider;  // SAML / web identity federation
  bool sso = false;      // the role is an IAM Identity Center (SSO) role
  bool service = false;  // an AWS service acted, not a person
};

struct CloudTrailEvent {
  std::string event_id;
  std::string event_name;
  std::string event_source;
  std::string event_time;
  std::string account;  // recipientAccountId
  std::string region;
  std::string error_code;  // non-empty: the call failed and changed nothing
  CloudTrailIdentity identity;
  bool creates = false;                   // a known creation call (CreateBucket, RunInstances, ...)
  std::vector<std::string> resource_ids;  // ids, names and ARNs of the resources it created or changed
  std::string location;                   // "file Records[i]" for evidence
};

// Accepts a CloudTrail log file ({"Records": [...]}), a JSON array of records,
// {"events": [...]} whose items may wrap the record in "event", or JSON lines.
// Fails ("cloudtrail.malformed") naming the file and, for JSON lines, the line.
Result<std::vector<CloudTrailEvent>> parse_cloudtrail(std::string_view text, const std::string& origin);

}  // namespace fixgate::ownership
