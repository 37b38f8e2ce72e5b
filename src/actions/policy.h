// Least-privilege IAM for fixgate, generated from the action declarations.
//
// least_privilege_policy() grants exactly the IAM actions the named remediation
// actions declare (registry.h), one statement per remediation action, and nothing
// else. The member-role templates wrap that policy in the cross-account role a
// customer deploys: its trust policy lets only the platform account assume it,
// only with the configured external ID (sts:ExternalId, against the confused
// deputy) and only with a "fixgate-" session name, so CloudTrail ties every
// call to a correlation ID.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actions/registry.h"
#include "core/result.h"

namespace fixgate::actions {

// Actions enabled by a configuration: those named by a catalog entry AND listed in
// allowed_actions, in catalog order, without duplicates.
std::vector<std::string> enabled_actions(const std::vector<std::string>& allowed_actions,
                                         const std::vector<std::string>& catalog_actions);

// {"Version": "2012-10-17", "Statement": [{"Sid", "Effect": "Allow", "Action": [...],
// "Resource": "*"}, ...]}. Error "actions.unknown_action" names an action the
// registry does not know. An empty list yields an empty Statement array.
Result<nlohmann::json> least_privilege_policy(const ActionRegistry& registry, const std::vector<std::string>& actions);

struct MemberRoleOptions {
  std::string role_name = "fixgate-remediation";
  std::string platform_account;  // 12 digits, or empty: left as a template parameter/variable
  std::string session_prefix = "fixgate-";
  int max_session_duration_s = 3600;
};

// The trust policy (AssumeRolePolicyDocument) with `principal` as the AWS principal
// and `external_id` as the required sts:ExternalId value (both may be template
// expressions).
nlohmann::json member_trust_policy(const nlohmann::json& principal, const nlohmann::json& external_id,
                                   const MemberRoleOptions& options);

// A CloudFormation template (JSON, which is also valid YAML) with parameters
// PlatformAccountId and ExternalId (NoEcho), an AWS::IAM::Role and an
// AWS::IAM::RolePolicy holding `policy`, and the role ARN as an output.
// Errors ("actions.invalid_option") name a bad role name or account id.
Result<std::string> member_role_cloudformation(const nlohmann::json& policy, const MemberRoleOptions& options);

// Terraform HCL: variables platform_account_id and external_id (sensitive), an
// aws_iam_role and an aws_iam_role_policy, and the role ARN as an output.
Result<std::string> member_role_terraform(const nlohmann::json& policy, const MemberRoleOptions& options);

}  // namespace fixgate::actions
