// fixgate config validate: load a configuration exactly as fixgate would and
// report every problem at once (text or JSON), without acting on anything.
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "config/config.h"
#include "core/text.h"

namespace fixgate::cli {

namespace {

struct ValidateArgs {
  std::string config_path;
  bool json = false;
};

// Exit 0 and "ok" when the file is valid; exit 2 with every issue when not.
int run_validate(const ValidateArgs& args) {
  const ConfigLoad load = load_config_detailed(args.config_path);
  if (args.json) {
    nlohmann::json out = issues_to_json(load.issues);
    out["file"] = args.config_path;
    if (load.ok()) {
      out["catalog_entries"] = load.config->catalog.size();
      out["waivers"] = load.config->exceptions.waivers.size();
      nlohmann::json extra = nlohmann::json::array();
      for (const auto& [name, section] : load.config->extra_sections) extra.push_back(name);
      out["extra_sections"] = extra;
    }
    std::printf("%s\n", out.dump(2).c_str());
    return load.ok() ? 0 : 2;
  }
  if (load.ok()) {
    std::printf("ok: %s (%zu catalog entries, %zu waivers, mode %s)\n",
                escape_for_display(args.config_path).c_str(), load.config->catalog.size(),
                load.config->exceptions.waivers.size(), to_string(load.config->mode));
    return 0;
  }
  const size_t n = load.issues.size();
  std::fprintf(stderr, "%s", issues_to_text(load.issues).c_str());
  std::fprintf(stderr, "%zu %s in %s\n", n, n == 1 ? "error" : "errors",
               escape_for_display(args.config_path).c_str());
  return 2;
}

}  // namespace

void add_config_command(CLI::App& app, ExitCode& exit) {
  auto* config = app.add_subcommand("config", "Check fixgate configuration files");
  config->require_subcommand(1);
  auto args = std::make_shared<ValidateArgs>();
  auto* validate = config->add_subcommand(
      "validate", "Load a configuration and report every error (file:line:col, key, snippet); exit 2 if any");
  validate->add_option("--config,-c", args->config_path, "Configuration file (YAML)")->required();
  validate->add_flag("--json", args->json, "Print the result as JSON");
  validate->callback([args, &exit] { exit.value = run_validate(*args); });
}

}  // namespace fixgate::cli
