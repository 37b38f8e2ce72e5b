#include <cstdio>

#include "cli/commands.h"

namespace fixgate::cli {

void add_version_command(CLI::App& app, ExitCode& exit) {
  auto* cmd = app.add_subcommand("version", "Print fixgate's version");
  cmd->callback([&exit] {
    std::printf("fixgate 0.1.0\n");
    exit.value = 0;
  });
}

}  // namespace fixgate::cli
