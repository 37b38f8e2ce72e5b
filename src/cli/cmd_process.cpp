// fixgate process: decide and act in one shot. Remediations go through the
// ActionRunner (guardrails, assumed role, precheck/apply/verify, audit before and
// after); dry runs print their plan; every other outcome is already on record.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "actions/aws_cloud_api.h"
#include "actions/registry.h"
#include "actions/rollback_store.h"
#include "audit/sqlite_audit_log.h"
#include "aws/config.h"
#include "aws/credential_chain.h"
#include "aws/protocols.h"
#include "cli/commands.h"
#include "cli/read_file.h"
#include "cli/state_paths.h"
#include "config/config.h"
#include "guardrails/guardrail_config.h"
#include "guardrails/guardrails.h"
#include "pipeline/decision_pipeline.h"

namespace fixgate::cli {

namespace {

struct ProcessArgs {
  std::string config_path;
  std::string audit_db;
  std::string rollback_dir;
  std::vector<std::string> files;
};

// The platform identity and endpoints from the standard AWS configuration
// (credential chain, AWS_REGION, AWS_ENDPOINT_URL[_<SERVICE>]), so the same
// command runs against the cloud simulator or a real account.
Result<aws::ClientConfig> platform_client_config() {
  auto env = aws::system_environment();
  auto shared = aws::load_shared_config(*env);
  if (!shared.ok()) return shared.error();
  aws::ClientConfig config;
  config.region = aws::resolve_region(*env, *shared);
  if (config.region.empty()) {
    return make_error("aws.no_region", "no AWS region: set AWS_REGION or a region in the shared config file");
  }
  config.transport = aws::make_curl_transport();
  aws::ChainOptions chain;
  chain.env = env;
  config.credentials = aws::make_default_chain(chain);
  config.endpoint_url = env->get("AWS_ENDPOINT_URL").value_or("");
  for (const auto* service : {&aws::services::sts(), &aws::services::iam(), &aws::services::ec2(),
                              &aws::services::s3(), &aws::services::s3_control(), &aws::services::kms()}) {
    const std::string url = aws::resolve_endpoint_url(*env, *shared, *service);
    if (!url.empty()) config.endpoint_urls[service->service_id] = url;
  }
  // A custom endpoint (a simulator, a VPC endpoint) cannot resolve bucket subdomains.
  config.s3_force_path_style = !config.endpoint_url.empty() || config.endpoint_urls.count("S3") > 0;
  return config;
}

int run_process(const ProcessArgs& args) {
  auto config = load_config(args.config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.error().message.c_str());
    return 2;
  }
  guardrails::GuardrailConfig guard_config;
  if (const auto it = config->extra_sections.find("guardrails"); it != config->extra_sections.end()) {
    auto parsed = guardrails::guardrail_config_from_json(it->second);
    if (!parsed.ok()) {
      std::fprintf(stderr, "%s: guardrails: %s\n", args.config_path.c_str(), parsed.error().message.c_str());
      return 2;
    }
    guard_config = *parsed;
  }
  if (guard_config.kill_switch_file.empty()) guard_config.kill_switch_file = state_dir() + "/kill-switch";
  guardrails::Guardrails guards(guard_config, guardrails::steady_clock());

  auto opened = audit::SqliteAuditLog::open(args.audit_db.empty() ? default_state_file("audit.db") : args.audit_db);
  if (!opened.ok()) {
    std::fprintf(stderr, "fixgate process: %s\n", opened.error().to_string().c_str());
    return 2;
  }
  auto audit_log = std::move(*opened);
  auto platform = platform_client_config();
  if (!platform.ok()) {
    std::fprintf(stderr, "fixgate process: %s\n", platform.error().to_string().c_str());
    return 2;
  }
  const Config& cfg = *config;
  actions::AssumeRoleSessions sessions(*platform, [&cfg](const std::string& account) -> Result<actions::RoleSpec> {
    auto access = cfg.access_for(account);
    if (!access.ok()) return access.error();
    return actions::RoleSpec{access->role_arn, access->external_id.value_or(""), access->session_duration_s};
  });
  const std::string rollback_dir = args.rollback_dir.empty() ? default_state_file("rollback") : args.rollback_dir;
  actions::FileRollbackStore rollbacks(rollback_dir);
  actions::RunnerOptions runner_options;
  runner_options.retry.max_attempts = 1;  // the AWS client already retries with its quota
  actions::ActionRunner runner(actions::builtin_actions(), guards, sessions, *audit_log, rollbacks, runner_options);

  pipeline::PipelineOptions options;
  options.config = &cfg;
  options.audit = audit_log.get();
  options.kill_switch = [&guards] { return guards.kill_switch().engaged().has_value(); };
  pipeline::DecisionPipeline pipeline(std::move(options));

  int exit_code = 0;
  for (const auto& file : args.files) {
    auto payload = read_file(file);
    if (!payload.ok()) {
      std::fprintf(stderr, "fixgate process: %s\n", payload.error().message.c_str());
      return 2;
    }
    auto decided = pipeline.decide_payload(*payload);
    if (!decided.ok()) {
      std::fprintf(stderr, "fixgate process: %s: %s\n", file.c_str(), decided.error().to_string().c_str());
      return 1;
    }
    for (const auto& item : *decided) {
      nlohmann::json line = {{"file", file}, {"decision", item.decision.to_json()}};
      const Outcome outcome = item.decision.outcome;
      if (outcome == Outcome::remediate || outcome == Outcome::dry_run) {
        actions::RunRequest request;
        request.finding = item.finding;
        request.action = item.decision.action;
        request.params = item.decision.params;
        request.correlation_id = item.decision.correlation_id;
        request.dry_run = outcome == Outcome::dry_run;
        const auto report = runner.run(request);
        line["action_result"] = report.to_json();
        if (report.status == actions::RunStatus::failed || report.status == actions::RunStatus::verify_failed) {
          line["review"] = true;  // routed for review: `fixgate audit show --kind action_result`
        }
      }
      std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    }
  }
  std::cout.flush();
  return exit_code;
}

}  // namespace

void add_process_command(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<ProcessArgs>();
  auto* cmd = app.add_subcommand("process", "Decide and act on findings in one shot (one JSON line per finding)");
  cmd->add_option("--config,-c", args->config_path, "fixgate configuration (YAML)")->required();
  cmd->add_option("--audit-db", args->audit_db, "audit log (default: <state dir>/audit.db)");
  cmd->add_option("--rollback-dir", args->rollback_dir, "where prior states are kept (default: <state dir>/rollback)");
  cmd->add_option("files", args->files, "finding payloads (Wiz, SNS, ASFF, EventBridge)")->required()->check(CLI::ExistingFile);
  cmd->callback([args, &exit] { exit.value = run_process(*args); });
}

}  // namespace fixgate::cli
