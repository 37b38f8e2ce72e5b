// `fixgate serve --config C [--listen HOST:PORT] [--state-dir D] [--workers N]`:
// the embedded service (service/service.h): HTTP intake → durable queue →
// workers → decide/act/audit. The first stdout line is "listening HOST:PORT"
// (with --listen 127.0.0.1:0 a caller learns the port); logs are JSON lines on
// stderr. SIGTERM/SIGINT: stop accepting, finish or release in-flight work,
// exit 0. A bad configuration exits 2; a port that cannot be bound exits 1.
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include <pthread.h>

#include "cli/commands.h"
#include "cli/state_paths.h"
#include "service/service.h"

namespace fixgate::cli {
namespace {

struct ServeArgs {
  std::string config_path;
  std::string listen;
  std::string state_dir;
  size_t workers = 0;
  std::string log_level = "info";
};

int run_serve(const ServeArgs& args) {
  // Blocked before any thread exists, so only sigwait below ever sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const auto level = logging::level_from_string(args.log_level);
  if (!level) {
    std::fprintf(stderr, "fixgate serve: --log-level must be debug, info, warn or error\n");
    return 2;
  }
  service::ServiceOptions options;
  options.config_path = args.config_path;
  options.state_dir = args.state_dir.empty() ? state_dir() : args.state_dir;
  options.listen = args.listen;
  if (args.workers > 0) options.workers = args.workers;
  options.log_level = *level;
  auto opened = service::Service::open(std::move(options));
  if (!opened) {
    std::fprintf(stderr, "fixgate serve: %s\n", opened.error().to_string().c_str());
    return 2;
  }
  service::Service& service = **opened;
  auto port = service.start();
  if (!port) {
    std::fprintf(stderr, "fixgate serve: %s\n", port.error().to_string().c_str());
    return 1;
  }
  const std::string host = args.listen.empty() ? "" : service::parse_listen(args.listen)->first;
  std::printf("listening %s:%d\n", host.empty() ? "configured" : host.c_str(), *port);
  std::fflush(stdout);
  int received = 0;
  sigwait(&stop_signals, &received);
  service.logger().info("stop signal received", {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}});
  service.stop();
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<ServeArgs>();
  auto* cmd = app.add_subcommand("serve", "Run the HTTP intake, durable queue and workers (the embedded service)");
  cmd->add_option("--config,-c", args->config_path, "fixgate configuration (YAML)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--listen", args->listen, "HOST:PORT to listen on (default: server.bind/server.port; port 0 = any)");
  cmd->add_option("--state-dir", args->state_dir, "audit.db, queue.db, rollback/ (default: $FIXGATE_STATE_DIR or .fixgate)");
  cmd->add_option("--workers", args->workers, "worker threads (default: queue.workers, 2)")->check(CLI::Range(1, 64));
  cmd->add_option("--log-level", args->log_level, "debug, info, warn or error (default info)");
  cmd->callback([args, &exit] { exit.value = run_serve(*args); });
}

}  // namespace fixgate::cli
