// Each fixgate subcommand lives in its own cmd_<name>.cpp and registers itself
// here. A command's callback stores its exit code in the shared ExitCode: 0 on
// success, 1 when the operation ran but failed, 2 on usage or configuration errors.
#pragma once

#include <CLI/CLI.hpp>

namespace fixgate::cli {

struct ExitCode {
  int value = 0;
};

void add_version_command(CLI::App& app, ExitCode& exit);
void add_config_command(CLI::App& app, ExitCode& exit);
void add_decide_command(CLI::App& app, ExitCode& exit);
void add_process_command(CLI::App& app, ExitCode& exit);
void add_audit_command(CLI::App& app, ExitCode& exit);
void add_owners_command(CLI::App& app, ExitCode& exit);
void add_cloudsim_command(CLI::App& app, ExitCode& exit);
void add_iam_policy_command(CLI::App& app, ExitCode& exit);
void add_member_role_command(CLI::App& app, ExitCode& exit);
void add_exceptions_command(CLI::App& app, ExitCode& exit);
void add_approvals_command(CLI::App& app, ExitCode& exit);
void add_notify_command(CLI::App& app, ExitCode& exit);
void add_rollback_command(CLI::App& app, ExitCode& exit);
void add_review_command(CLI::App& app, ExitCode& exit);
void add_serve_command(CLI::App& app, ExitCode& exit);
void add_demo_command(CLI::App& app, ExitCode& exit);
void add_worker_command(CLI::App& app, ExitCode& exit);
void add_lambda_command(CLI::App& app, ExitCode& exit);

}  // namespace fixgate::cli
