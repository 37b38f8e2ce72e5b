// fixgate lambda: the AWS Lambda custom runtime. Started by the function's
// `bootstrap` (exec fixgate lambda --config /var/task/fixgate.yaml), it loops on
// the Runtime API, runs each SQS record's body through the Engine and answers
// {"batchItemFailures": [...]} for the records whose decision could not be
// recorded. A configuration that does not load is posted as an init error.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "engine/engine.h"
#include "lambda/engine_records.h"
#include "lambda/runtime_client.h"
#include "lambda/runtime_loop.h"

namespace fixgate::cli {

namespace {

struct LambdaArgs {
  std::string config_path;
  std::string state_dir = "/tmp/fixgate";
};

int run_lambda(const LambdaArgs& args) {
  auto client = lambda::RuntimeClient::from_environment();
  if (!client.ok()) {
    std::fprintf(stderr, "fixgate lambda: %s\n", client.error().message.c_str());
    return 2;
  }
  std::error_code ignored;
  std::filesystem::create_directories(args.state_dir, ignored);
  engine::EngineOptions options;
  options.config_path = args.config_path;
  options.state_dir = args.state_dir;
  options.actor = "fixgate-lambda";
  auto opened = engine::Engine::open(std::move(options));
  if (!opened.ok()) {
    std::fprintf(stderr, "fixgate lambda: %s\n", opened.error().message.c_str());
    auto posted = (*client)->init_error("fixgate.ConfigError", opened.error().message);
    if (!posted.ok()) std::fprintf(stderr, "fixgate lambda: %s\n", posted.error().to_string().c_str());
    return 2;
  }
  auto served = lambda::serve(**client, lambda::engine_record_handler(**opened));
  if (!served.ok()) {
    std::fprintf(stderr, "fixgate lambda: %s\n", served.error().to_string().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

void add_lambda_command(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<LambdaArgs>();
  auto* cmd = app.add_subcommand(
      "lambda",
      "AWS Lambda custom runtime (reads AWS_LAMBDA_RUNTIME_API): handles SQS event batches and reports "
      "batchItemFailures for records whose decision could not be recorded. NOTE: the embedded SQLite audit log "
      "lives in the state dir (/tmp/fixgate by default), which Lambda discards with the execution environment; "
      "it is not durable evidence. For production on Lambda use the distributed (PostgreSQL) backend; until then "
      "run `fixgate worker` on durable storage.");
  cmd->add_option("--config,-c", args->config_path, "fixgate configuration (YAML)")->required();
  cmd->add_option("--state-dir", args->state_dir, "audit log and rollback records (default /tmp/fixgate: ephemeral)");
  cmd->callback([args, &exit] { exit.value = run_lambda(*args); });
}

}  // namespace fixgate::cli
