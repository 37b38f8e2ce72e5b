#include "actions/policy.h"

#include <algorithm>
#include <cctype>

namespace fixgate::actions {

std::vector<std::string> enabled_actions(const std::vector<std::string>& allowed_actions,
                                         const std::vector<std::string>& catalog_actions) {
  std::vector<std::string> out;
  for (const std::string& action : catalog_actions) {
    const bool allowed = std::find(allowed_actions.begin(), allowed_actions.end(), action) != allowed_actions.end();
    if (allowed && std::find(out.begin(), out.end(), action) == out.end()) out.push_back(action);
  }
  return out;
}

namespace {

// "aws.s3.block_public_access" → "FixgateAwsS3BlockPublicAccess" (Sid: [A-Za-z0-9]).
std::string sid_for(const std::string& action) {
  std::string sid = "Fixgate";
  bool upper = true;
  for (char c : action) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    sid += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return sid;
}

Result<void> check_options(const MemberRoleOptions& options) {
  const std::string& name = options.role_name;
  if (name.empty() || name.size() > 64) return make_error("actions.invalid_option", "role name must be 1 to 64 characters");
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && std::string_view("+=,.@_-").find(c) == std::string_view::npos) {
      return make_error("actions.invalid_option", "role name may hold only letters, digits and +=,.@_-");
    }
  }
  if (!options.platform_account.empty() &&
      (options.platform_account.size() != 12 ||
       !std::all_of(options.platform_account.begin(), options.platform_account.end(), [](char c) { return c >= '0' && c <= '9'; }))) {
    return make_error("actions.invalid_option", "platform account must be 12 digits");
  }
  if (options.max_session_duration_s < 3600 || options.max_session_duration_s > 43200) {
    return make_error("actions.invalid_option", "max session duration must be 3600..43200 seconds");
  }
  return {};
}

}  // namespace

Result<nlohmann::json> least_privilege_policy(const ActionRegistry& registry, const std::vector<std::string>& actions) {
  nlohmann::json statements = nlohmann::json::array();
  for (const std::string& name : actions) {
    const ActionSpec* spec = registry.find(name);
    if (spec == nullptr) return make_error("actions.unknown_action", "no remediation action named '" + name + "'");
    statements.push_back({{"Sid", sid_for(name)}, {"Effect", "Allow"}, {"Action", spec->permissions.all()}, {"Resource", "*"}});
  }
  return nlohmann::json{{"Version", "2012-10-17"}, {"Statement", statements}};
}

nlohmann::json member_trust_policy(const nlohmann::json& principal, const nlohmann::json& external_id,
                                   const MemberRoleOptions& options) {
  nlohmann::json statement = {
      {"Sid", "FixgatePlatformAssumeRole"},
      {"Effect", "Allow"},
      {"Principal", {{"AWS", principal}}},
      {"Action", {"sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"}},
      {"Condition",
       {{"StringEquals", {{"sts:ExternalId", external_id}}},
        {"StringLike", {{"sts:RoleSessionName", options.session_prefix + "*"}}}}}};
  return {{"Version", "2012-10-17"}, {"Statement", nlohmann::json::array({statement})}};
}

Result<std::string> member_role_cloudformation(const nlohmann::json& policy, const MemberRoleOptions& options) {
  if (Result<void> ok = check_options(options); !ok.ok()) return ok.error();
  nlohmann::json account_param = {{"Type", "String"},
                                  {"AllowedPattern", "^[0-9]{12}$"},
                                  {"Description", "The AWS account fixgate runs in (it assumes this role from there)"}};
  if (!options.platform_account.empty()) account_param["Default"] = options.platform_account;
  const nlohmann::json principal = {{"Fn::Sub", "arn:${AWS::Partition}:iam::${PlatformAccountId}:root"}};
  const nlohmann::json external_id = {{"Ref", "ExternalId"}};
  nlohmann::json tmpl = {
      {"AWSTemplateFormatVersion", "2010-09-09"},
      {"Description", "Cross-account role fixgate assumes to remediate findings, with least-privilege permissions"},
      {"Parameters",
       {{"PlatformAccountId", account_param},
        {"ExternalId",
         {{"Type", "String"}, {"NoEcho", true}, {"MinLength", 2}, {"MaxLength", 1224},
          {"Description", "The external ID fixgate presents (accounts.*.external_id in its configuration)"}}}}},
      {"Resources",
       {{"FixgateRemediationRole",
         {{"Type", "AWS::IAM::Role"},
          {"Properties",
           {{"RoleName", options.role_name},
            {"MaxSessionDuration", options.max_session_duration_s},
            {"AssumeRolePolicyDocument", member_trust_policy(principal, external_id, options)}}}}},
        {"FixgateRemediationPolicy",
         {{"Type", "AWS::IAM::RolePolicy"},
          {"Properties",
           {{"PolicyName", options.role_name}, {"RoleName", {{"Ref", "FixgateRemediationRole"}}}, {"PolicyDocument", policy}}}}}}},
      {"Outputs", {{"RoleArn", {{"Value", {{"Fn::GetAtt", {"FixgateRemediationRole", "Arn"}}}}}}}}};
  return tmpl.dump(2) + "\n";
}

namespace {

// HCL string templates interpolate "${" and "%{"; literal policy text must not.
std::string hcl_escape_templates(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((text[i] == '$' || text[i] == '%') && i + 1 < text.size() && text[i + 1] == '{') out += text[i];
    out += text[i];
  }
  return out;
}

std::string indent(const std::string& text, const std::string& pad) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] == '\n' && i + 1 < text.size()) out += pad;
  }
  return out;
}

}  // namespace

Result<std::string> member_role_terraform(const nlohmann::json& policy, const MemberRoleOptions& options) {
  if (Result<void> ok = check_options(options); !ok.ok()) return ok.error();
  // Placeholders survive escaping, then become HCL references.
  const std::string principal_marker = "@@FIXGATE_PRINCIPAL@@";
  const std::string external_marker = "@@FIXGATE_EXTERNAL_ID@@";
  std::string trust = hcl_escape_templates(member_trust_policy(principal_marker, external_marker, options).dump(2));
  const auto replace = [](std::string& text, const std::string& from, const std::string& to) {
    for (size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) text.replace(pos, from.size(), to);
  };
  replace(trust, "\"" + principal_marker + "\"", "\"arn:${data.aws_partition.current.partition}:iam::${var.platform_account_id}:root\"");
  replace(trust, "\"" + external_marker + "\"", "var.external_id");
  const std::string permissions = hcl_escape_templates(policy.dump(2));

  std::string out;
  out += "# Cross-account role fixgate assumes to remediate findings (generated by `fixgate member-role`).\n\n";
  out += "variable \"platform_account_id\" {\n  type        = string\n";
  out += "  description = \"The AWS account fixgate runs in (it assumes this role from there)\"\n";
  if (!options.platform_account.empty()) out += "  default     = \"" + options.platform_account + "\"\n";
  out += "}\n\n";
  out += "variable \"external_id\" {\n  type        = string\n  sensitive   = true\n";
  out += "  description = \"The external ID fixgate presents (accounts.*.external_id in its configuration)\"\n}\n\n";
  out += "data \"aws_partition\" \"current\" {}\n\n";
  out += "resource \"aws_iam_role\" \"fixgate_remediation\" {\n";
  out += "  name                 = \"" + options.role_name + "\"\n";
  out += "  max_session_duration = " + std::to_string(options.max_session_duration_s) + "\n";
  out += "  assume_role_policy   = jsonencode(" + indent(trust, "  ") + ")\n}\n\n";
  out += "resource \"aws_iam_role_policy\" \"fixgate_remediation\" {\n";
  out += "  name   = \"" + options.role_name + "\"\n";
  out += "  role   = aws_iam_role.fixgate_remediation.id\n";
  out += "  policy = jsonencode(" + indent(permissions, "  ") + ")\n}\n\n";
  out += "output \"role_arn\" {\n  value = aws_iam_role.fixgate_remediation.arn\n}\n";
  return out;
}

}  // namespace fixgate::actions
