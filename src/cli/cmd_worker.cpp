// fixgate worker: consumes an SQS queue (Wiz → SNS → SQS, or raw messages),
// decides and acts on every finding through the Engine, and deletes a message
// only after its outcome is on record. One JSON line per finding on stdout;
// logs are JSON lines on stderr (one per finding, with its correlation id).
// SIGTERM/SIGINT stop it gracefully.
#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>

#include "aws/client.h"
#include "cli/commands.h"
#include "cli/engine_command.h"
#include "cli/state_paths.h"
#include "engine/platform.h"
#include "pgaudit/audit_store.h"
#include "sqs/sqs_client.h"
#include "worker/engine_handler.h"
#include "worker/worker.h"

namespace fixgate::cli {

namespace {

std::atomic<bool> g_worker_stop{false};

void request_worker_stop(int) { g_worker_stop.store(true); }

struct WorkerArgs {
  EngineCommandArgs engine;
  std::string queue_url;
  int concurrency = 1;
  int wait_seconds = 20;
  int visibility_timeout = 60;
  int max_messages = 10;
};

int run_worker(const WorkerArgs& args) {
  const logging::Logger logger = command_logger("worker", args.engine);
  auto opened = open_engine(args.engine, "fixgate-worker");
  if (!opened.ok()) {
    logger.error("cannot start: the engine did not open", error_fields(opened.error()));
    return 2;
  }
  auto platform = engine::platform_client_config();
  if (!platform.ok()) {
    logger.error("cannot start: no usable AWS configuration", error_fields(platform.error()));
    return 2;
  }
  sqs::SqsClient queue(std::make_shared<aws::AwsClient>(*platform), args.queue_url);

  std::mutex out_mutex;
  auto sink = [&out_mutex](const sqs::Message& message, const std::vector<engine::FindingOutcome>& outcomes) {
    std::lock_guard lock(out_mutex);
    for (const auto& outcome : outcomes) {
      nlohmann::json line = {{"message_id", message.message_id}, {"receive_count", message.receive_count}};
      line.update(outcome.to_json());
      std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    }
    std::cout.flush();
  };
  worker::WorkerOptions worker_options;
  worker_options.concurrency = args.concurrency;
  worker_options.receive = sqs::ReceiveOptions{args.max_messages, args.wait_seconds, args.visibility_timeout};
  worker_options.logger = logger;
  auto created = worker::Worker::create(queue, worker::engine_handler(**opened, sink, logger), worker_options);
  if (!created.ok()) {
    logger.error("cannot start: bad worker options", error_fields(created.error()));
    return 2;
  }

  struct sigaction action {};
  action.sa_handler = request_worker_stop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);

  logger.info("polling", {{"queue_url", args.queue_url},
                          {"concurrency", args.concurrency},
                          {"visibility_timeout_s", args.visibility_timeout},
                          {"audit", pgaudit::display_audit_location(audit_location(args.engine))}});
  auto ran = (*created)->run(g_worker_stop);
  const auto& s = (*created)->stats();
  logger.info("stopped", {{"received", s.received.load()},
                          {"recorded", s.handled.load()},
                          {"deleted", s.deleted.load()},
                          {"failed", s.failed.load()},
                          {"delete_failed", s.delete_failed.load()},
                          {"released", s.released.load()},
                          {"receive_errors", s.receive_errors.load()}});
  if (!ran.ok()) {
    logger.error("stopped on a receive error retrying cannot fix", error_fields(ran.error()));
    return 1;
  }
  return 0;
}

}  // namespace

void add_worker_command(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<WorkerArgs>();
  args->engine.state_dir = state_dir();
  auto* cmd = app.add_subcommand(
      "worker",
      "Consume an SQS queue (SNS-wrapped or raw findings): decide, act, record, then delete. Any number of workers "
      "may share a queue; failures are left to the queue's redrive policy (DLQ). AWS region, credentials and "
      "endpoints (AWS_ENDPOINT_URL_SQS) come from the standard AWS configuration. Logs are JSON lines on stderr.");
  add_engine_command_options(*cmd, args->engine,
                             "audit log, rollback records, kill switch (default: $FIXGATE_STATE_DIR or .fixgate)");
  cmd->add_option("--queue-url", args->queue_url, "SQS queue URL")->required();
  cmd->add_option("--concurrency", args->concurrency, "messages handled at once (poller threads)")->check(CLI::Range(1, 256));
  cmd->add_option("--wait-seconds", args->wait_seconds, "long-poll wait (0-20)")->check(CLI::Range(0, 20));
  cmd->add_option("--visibility-timeout", args->visibility_timeout,
                  "seconds a received message stays hidden; extended while an action runs")
      ->check(CLI::Range(1, 43200));
  cmd->add_option("--max-messages", args->max_messages, "messages per receive (1-10)")->check(CLI::Range(1, 10));
  cmd->callback([args, &exit] { exit.value = run_worker(*args); });
}

}  // namespace fixgate::cli
