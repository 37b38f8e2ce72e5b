// fixgate worker: consumes an SQS queue (Wiz → SNS → SQS, or raw messages),
// decides and acts on every finding through the Engine, and deletes a message
// only after its outcome is on record. One JSON line per finding on stdout;
// progress and failures on stderr. SIGTERM/SIGINT stop it gracefully.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>

#include "aws/client.h"
#include "cli/commands.h"
#include "cli/state_paths.h"
#include "core/text.h"
#include "engine/engine.h"
#include "engine/platform.h"
#include "sqs/sqs_client.h"
#include "worker/engine_handler.h"
#include "worker/worker.h"

namespace fixgate::cli {

namespace {

std::atomic<bool> g_worker_stop{false};

void request_worker_stop(int) { g_worker_stop.store(true); }

struct WorkerArgs {
  std::string config_path;
  std::string queue_url;
  std::string state_dir;
  int concurrency = 1;
  int wait_seconds = 20;
  int visibility_timeout = 60;
  int max_messages = 10;
};

int run_worker(const WorkerArgs& args) {
  engine::EngineOptions options;
  options.config_path = args.config_path;
  options.state_dir = args.state_dir.empty() ? state_dir() : args.state_dir;
  std::error_code ignored;
  std::filesystem::create_directories(options.state_dir, ignored);
  options.actor = "fixgate-worker";
  auto opened = engine::Engine::open(std::move(options));
  if (!opened.ok()) {
    std::fprintf(stderr, "fixgate worker: %s\n", opened.error().message.c_str());
    return 2;
  }
  auto platform = engine::platform_client_config();
  if (!platform.ok()) {
    std::fprintf(stderr, "fixgate worker: %s\n", platform.error().to_string().c_str());
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
  auto created = worker::Worker::create(queue, worker::engine_handler(**opened, sink), worker_options);
  if (!created.ok()) {
    std::fprintf(stderr, "fixgate worker: %s\n", created.error().message.c_str());
    return 2;
  }

  struct sigaction action {};
  action.sa_handler = request_worker_stop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);

  std::fprintf(stderr, "fixgate worker: polling %s (concurrency %d, visibility %d s)\n",
               escape_for_display(args.queue_url).c_str(), args.concurrency, args.visibility_timeout);
  auto ran = (*created)->run(g_worker_stop);
  const auto& s = (*created)->stats();
  std::fprintf(stderr,
               "fixgate worker: stopped: %llu received, %llu recorded, %llu deleted, %llu failed (left for "
               "redelivery), %llu released\n",
               static_cast<unsigned long long>(s.received.load()), static_cast<unsigned long long>(s.handled.load()),
               static_cast<unsigned long long>(s.deleted.load()), static_cast<unsigned long long>(s.failed.load()),
               static_cast<unsigned long long>(s.released.load()));
  if (!ran.ok()) {
    std::fprintf(stderr, "fixgate worker: %s\n", ran.error().to_string().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

void add_worker_command(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<WorkerArgs>();
  auto* cmd = app.add_subcommand(
      "worker",
      "Consume an SQS queue (SNS-wrapped or raw findings): decide, act, record, then delete. Any number of workers "
      "may share a queue; failures are left to the queue's redrive policy (DLQ). AWS region, credentials and "
      "endpoints (AWS_ENDPOINT_URL_SQS) come from the standard AWS configuration.");
  cmd->add_option("--config,-c", args->config_path, "fixgate configuration (YAML)")->required();
  cmd->add_option("--queue-url", args->queue_url, "SQS queue URL")->required();
  cmd->add_option("--state-dir", args->state_dir, "audit log, rollback records, kill switch (default: $FIXGATE_STATE_DIR or .fixgate)");
  cmd->add_option("--concurrency", args->concurrency, "messages handled at once (poller threads)")->check(CLI::Range(1, 256));
  cmd->add_option("--wait-seconds", args->wait_seconds, "long-poll wait (0-20)")->check(CLI::Range(0, 20));
  cmd->add_option("--visibility-timeout", args->visibility_timeout,
                  "seconds a received message stays hidden; extended while an action runs")
      ->check(CLI::Range(1, 43200));
  cmd->add_option("--max-messages", args->max_messages, "messages per receive (1-10)")->check(CLI::Range(1, 10));
  cmd->callback([args, &exit] { exit.value = run_worker(*args); });
}

}  // namespace fixgate::cli
