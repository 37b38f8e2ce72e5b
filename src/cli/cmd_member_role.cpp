// fixgate member-role: the cross-account role a customer deploys in each member
// account, as a CloudFormation template or Terraform, holding the least-privilege
// policy for the configuration's enabled actions and a trust policy that requires
// the external ID. The role name comes from accounts.default.role_arn unless
// --role-name is given. Exit 2 on a configuration or option error.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include "actions/policy.h"
#include "cli/commands.h"
#include "config/config.h"
#include "core/text.h"

namespace fixgate::cli {

namespace {

// One line per line of the message, each escaped: config errors span lines.
void print_error(const Error& error) {
  for (const std::string& line : split(error.to_string(), '\n')) {
    if (!line.empty()) std::fprintf(stderr, "fixgate member-role: %s\n", escape_for_display(line).c_str());
  }
}

struct MemberRoleArgs {
  std::string config_path;
  std::string format;
  std::string platform_account;
  std::string role_name;
};

// "arn:aws:iam::{account}:role/path/fixgate-remediation" → "fixgate-remediation".
std::string role_name_from(const Config& config) {
  if (!config.accounts.default_settings || !config.accounts.default_settings->role_arn) return "fixgate-remediation";
  const std::string& arn = config.accounts.default_settings->role_arn->raw();
  const size_t role = arn.find(":role/");
  if (role == std::string::npos) return "fixgate-remediation";
  const size_t slash = arn.rfind('/');
  return arn.substr(slash + 1);
}

int run_member_role(const MemberRoleArgs& args) {
  Result<Config> config = load_config(args.config_path);
  if (!config.ok()) {
    print_error(config.error());
    return 2;
  }
  std::vector<std::string> catalog_actions;
  for (const CatalogEntry& entry : config->catalog) catalog_actions.push_back(entry.action);
  Result<nlohmann::json> policy = actions::least_privilege_policy(
      actions::builtin_actions(), actions::enabled_actions(config->allowed_actions, catalog_actions));
  if (!policy.ok()) {
    print_error(policy.error());
    return 2;
  }
  actions::MemberRoleOptions options;
  options.role_name = args.role_name.empty() ? role_name_from(*config) : args.role_name;
  options.platform_account = args.platform_account;
  if (config->accounts.default_settings && config->accounts.default_settings->session_duration_s) {
    // The role must allow at least the session length fixgate asks for.
    options.max_session_duration_s = std::max(3600, *config->accounts.default_settings->session_duration_s);
  }
  Result<std::string> text = args.format == "terraform" ? actions::member_role_terraform(*policy, options)
                                                        : actions::member_role_cloudformation(*policy, options);
  if (!text.ok()) {
    print_error(text.error());
    return 2;
  }
  std::fputs(text->c_str(), stdout);
  return 0;
}

}  // namespace

void add_member_role_command(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<MemberRoleArgs>();
  auto* cmd = app.add_subcommand(
      "member-role", "Print the cross-account role (trust policy with sts:ExternalId + least-privilege policy)");
  cmd->add_option("--config,-c", args->config_path, "Configuration file (YAML)")->required();
  cmd->add_option("--format", args->format, "cloudformation (JSON, also valid YAML) or terraform (HCL)")
      ->required()
      ->check(CLI::IsMember({"cloudformation", "terraform"}));
  cmd->add_option("--platform-account", args->platform_account,
                  "12-digit account fixgate runs in (default: left as a template parameter/variable)");
  cmd->add_option("--role-name", args->role_name, "Role name (default: from accounts.default.role_arn)");
  cmd->callback([args, &exit] { exit.value = run_member_role(*args); });
}

}  // namespace fixgate::cli
