// fixgate iam-policy: the least-privilege IAM policy for the remediation actions
// a configuration enables (catalog entries whose action is in allowed_actions).
// Printed as JSON on stdout; exit 2 when the configuration does not load or names
// an action fixgate does not implement.
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
    if (!line.empty()) std::fprintf(stderr, "fixgate iam-policy: %s\n", escape_for_display(line).c_str());
  }
}

struct IamPolicyArgs {
  std::string config_path;
};

int run_iam_policy(const IamPolicyArgs& args) {
  Result<Config> config = load_config(args.config_path);
  if (!config.ok()) {
    print_error(config.error());
    return 2;
  }
  std::vector<std::string> catalog_actions;
  for (const CatalogEntry& entry : config->catalog) catalog_actions.push_back(entry.action);
  const std::vector<std::string> enabled = actions::enabled_actions(config->allowed_actions, catalog_actions);
  Result<nlohmann::json> policy = actions::least_privilege_policy(actions::builtin_actions(), enabled);
  if (!policy.ok()) {
    std::fprintf(stderr, "fixgate iam-policy: %s (in %s)\n", escape_for_display(policy.error().to_string()).c_str(),
                 escape_for_display(args.config_path).c_str());
    return 2;
  }
  std::printf("%s\n", policy->dump(2).c_str());
  return 0;
}

}  // namespace

void add_iam_policy_command(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<IamPolicyArgs>();
  auto* cmd = app.add_subcommand("iam-policy",
                                 "Print the least-privilege IAM policy (JSON) for the actions a configuration enables");
  cmd->add_option("--config,-c", args->config_path, "Configuration file (YAML)")->required();
  cmd->callback([args, &exit] { exit.value = run_iam_policy(*args); });
}

}  // namespace fixgate::cli
