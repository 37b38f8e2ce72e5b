// fixgate lambda: the AWS Lambda custom runtime. Started by the function's
// `bootstrap` (exec fixgate lambda --config /var/task/fixgate.yaml), it loops on
// the Runtime API, runs each SQS record's body through the Engine and answers
// {"batchItemFailures": [...]} for the records whose decision could not be
// recorded. A configuration that does not load is posted as an init error.
// Logs are JSON lines on stderr (CloudWatch Logs), one per finding with its
// correlation id.
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/engine_command.h"
#include "lambda/engine_records.h"
#include "lambda/runtime_client.h"
#include "lambda/runtime_loop.h"
#include "pgaudit/audit_store.h"

namespace fixgate::cli {

namespace {

int run_lambda(const EngineCommandArgs& args) {
  const logging::Logger logger = command_logger("lambda", args);
  auto client = lambda::RuntimeClient::from_environment();
  if (!client.ok()) {
    logger.error("cannot start: no Runtime API", error_fields(client.error()));
    return 2;
  }
  auto opened = open_engine(args, "fixgate-lambda");
  if (!opened.ok()) {
    logger.error("cannot start: the engine did not open; posting an init error", error_fields(opened.error()));
    auto posted = (*client)->init_error("fixgate.ConfigError", opened.error().message);
    if (!posted.ok()) logger.error("could not post the init error", error_fields(posted.error()));
    return 2;
  }
  logger.info("serving invocations", {{"audit", pgaudit::display_audit_location(audit_location(args))}});
  lambda::RuntimeOptions options;
  options.logger = logger;
  auto served = lambda::serve(**client, lambda::engine_record_handler(**opened, logger), options);
  if (!served.ok()) {
    logger.error("stopped: the Runtime API failed", error_fields(served.error()));
    return 1;
  }
  return 0;
}

}  // namespace

void add_lambda_command(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<EngineCommandArgs>();
  args->state_dir = "/tmp/fixgate";
  auto* cmd = app.add_subcommand(
      "lambda",
      "AWS Lambda custom runtime (reads AWS_LAMBDA_RUNTIME_API): handles SQS event batches and reports "
      "batchItemFailures for records whose decision could not be recorded. Logs are JSON lines on stderr. NOTE: "
      "the embedded SQLite audit log lives in the state dir (/tmp/fixgate by default), which Lambda discards with "
      "the execution environment; it is not durable evidence. On Lambda give --audit-db (or FIXGATE_AUDIT_URL) a "
      "postgresql:// URI, or run `fixgate worker` on durable storage.");
  add_engine_command_options(*cmd, *args, "audit log and rollback records (default /tmp/fixgate: ephemeral)");
  cmd->callback([args, &exit] { exit.value = run_lambda(*args); });
}

}  // namespace fixgate::cli
