// `fixgate cloudsim --port N --seed FILE`: runs the AWS cloud simulator in the
// foreground for the demo and end-to-end tests. The first stdout line is
// "listening 127.0.0.1:PORT" (so a caller using --port 0 learns the port); the
// process serves until SIGINT or SIGTERM and then exits 0. A bad seed or a
// taken port exits 2 / 1 with the reason on stderr.
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>

#include <pthread.h>

#include "cli/commands.h"
#include "cloudsim/simulator.h"

namespace fixgate::cli {
namespace {

struct CloudsimArgs {
  int port = 0;
  std::string seed;
};

int run_cloudsim(const CloudsimArgs& args) {
  // Block the stop signals before the server threads exist so only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto sim = cloudsim::Simulator::create_from_file(args.seed);
  if (!sim.ok()) {
    std::fprintf(stderr, "fixgate cloudsim: %s\n", sim.error().to_string().c_str());
    return 2;
  }
  auto port = sim.value()->start(args.port);
  if (!port.ok()) {
    std::fprintf(stderr, "fixgate cloudsim: %s\n", port.error().to_string().c_str());
    return 1;
  }
  std::printf("listening 127.0.0.1:%d\n", port.value());
  std::fflush(stdout);
  int received = 0;
  sigwait(&stop_signals, &received);
  sim.value()->stop();
  std::fprintf(stderr, "fixgate cloudsim: stopped on signal %d\n", received);
  return 0;
}

}  // namespace

void add_cloudsim_command(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<CloudsimArgs>();
  auto* cmd = app.add_subcommand("cloudsim", "Run the AWS cloud simulator on 127.0.0.1 (demo and tests)");
  cmd->add_option("--port", args->port, "TCP port on 127.0.0.1; 0 picks a free one")->check(CLI::Range(0, 65535));
  cmd->add_option("--seed", args->seed, "seed JSON (accounts, roles, buckets, groups...), e.g. src/cloudsim/seeds/demo.json")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->callback([args, &exit] { exit.value = run_cloudsim(*args); });
}

}  // namespace fixgate::cli
