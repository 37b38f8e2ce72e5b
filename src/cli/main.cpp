#include <cstdio>
#include <exception>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"fixgate: fixes cloud security findings only when it is clearly safe, and routes the rest to people"};
  app.require_subcommand(1);
  fixgate::cli::ExitCode exit;
  fixgate::cli::add_version_command(app, exit);
  fixgate::cli::add_config_command(app, exit);
  fixgate::cli::add_decide_command(app, exit);
  fixgate::cli::add_process_command(app, exit);
  fixgate::cli::add_audit_command(app, exit);
  fixgate::cli::add_owners_command(app, exit);
  fixgate::cli::add_cloudsim_command(app, exit);
  fixgate::cli::add_iam_policy_command(app, exit);
  fixgate::cli::add_member_role_command(app, exit);
  fixgate::cli::add_exceptions_command(app, exit);
  fixgate::cli::add_approvals_command(app, exit);
  fixgate::cli::add_notify_command(app, exit);
  fixgate::cli::add_rollback_command(app, exit);
  fixgate::cli::add_review_command(app, exit);
  fixgate::cli::add_serve_command(app, exit);
  fixgate::cli::add_demo_command(app, exit);
  fixgate::cli::add_worker_command(app, exit);
  fixgate::cli::add_lambda_command(app, exit);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;  // usage errors are exit 2 everywhere
  }
  return exit.value;
}
