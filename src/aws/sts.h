// AWS STS calls fixgate makes: AssumeRole (the credential broker builds on it),
// AssumeRoleWithWebIdentity (credential chain) and GetCallerIdentity.
//
// A failed call returns the service's typed error unchanged (access_denied for a
// role that does not trust us or a wrong external id, validation for a bad
// duration …) with its request id; nothing here retries beyond the client's rules.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aws/client.h"
#include "aws/credentials.h"

namespace fixgate::aws {

struct AssumeRoleRequest {
  std::string role_arn;
  std::string role_session_name;           // 2..64 chars of [\w+=,.@-]
  std::string external_id;                 // empty: not sent
  std::optional<int> duration_seconds;     // 900..43200; nullopt: the role's default (1 h)
  std::string source_identity;             // empty: not sent
  std::vector<std::pair<std::string, std::string>> tags;  // session tags, in order
  std::vector<std::string> transitive_tag_keys;
  std::string policy;                      // inline session policy JSON; empty: not sent
  std::vector<std::string> policy_arns;    // managed session policies
};

struct AssumedRole {
  Credentials credentials;  // with expiration; source "assume-role"
  std::string assumed_role_arn;
  std::string assumed_role_id;
  std::optional<int> packed_policy_size;
  std::string source_identity;
  std::string request_id;
};

struct CallerIdentity {
  std::string account;
  std::string arn;
  std::string user_id;
};

// Checks the request locally first (aws.validation-kind error naming the field for
// an empty role ARN, a bad session name or duration) — nothing is sent then.
Operation assume_role_operation(const AssumeRoleRequest& request);
AwsOutcome<AssumedRole> assume_role(AwsClient& client, const AssumeRoleRequest& request);

// Unsigned call: the client may have no credentials provider.
AwsOutcome<AssumedRole> assume_role_with_web_identity(AwsClient& client, const std::string& role_arn,
                                                      const std::string& role_session_name,
                                                      const std::string& web_identity_token,
                                                      std::optional<int> duration_seconds = std::nullopt);

AwsOutcome<CallerIdentity> get_caller_identity(AwsClient& client);

// Reads <Credentials> of an AssumeRole / AssumeRoleWithWebIdentity / GetSessionToken
// result element. Fails (code MalformedResponse) when a field is missing or the
// expiration does not parse.
AwsOutcome<Credentials> parse_sts_credentials(const XmlNode& result);

}  // namespace fixgate::aws
