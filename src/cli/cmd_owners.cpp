// fixgate owners: explain who owns a finding's resource, and why.
//
//   fixgate owners [--tags-only | --source-config FILE.json] [--json] FINDING_FILE
//
// FINDING_FILE is any payload intake understands (Wiz, ASFF, EventBridge, SNS),
// or a minimal JSON object {resource_arn, resource_id, resource_name, account,
// tags: {key: value}, projects: [...]} for trying ownership out by hand.
// --source-config names a JSON file holding the ownership section (bare, or as
// {"ownership": {...}}); relative paths in it are taken from the file's folder.
// Without it (or with --tags-only) the reference tag keys owner, team,
// app:owner are used. Exit 0 when it ran (even if nobody owns the resource),
// 1 when the finding file cannot be read, 2 on a bad configuration.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli/commands.h"
#include "core/text.h"
#include "intake/intake.h"
#include "ownership/resolver.h"

namespace fixgate::cli {
namespace {

struct OwnersArgs {
  bool tags_only = false;
  bool json = false;
  std::string source_config;
  std::string finding_file;
};

Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("input.unreadable", "cannot read " + path);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

Result<ownership::OwnershipOptions> load_options(const OwnersArgs& args) {
  ownership::OwnershipOptions reference;
  reference.tag_keys = {"owner", "team", "app:owner"};
  if (args.tags_only || args.source_config.empty()) return reference;
  auto text = read_text(args.source_config);
  if (!text) return text.error();
  nlohmann::json doc = nlohmann::json::parse(*text, nullptr, false);
  if (doc.is_discarded()) return make_error("config.invalid_ownership", args.source_config + ": not valid JSON");
  if (doc.is_object() && doc.contains("ownership")) doc = doc["ownership"];
  auto options = ownership::ownership_options_from_json(doc);
  if (!options) return make_error(options.error().code, args.source_config + ": " + options.error().message);
  const std::filesystem::path base = std::filesystem::path(args.source_config).parent_path();
  auto resolve = [&base](std::string& path) {
    if (!path.empty() && std::filesystem::path(path).is_relative()) path = (base / path).lexically_normal().string();
  };
  for (auto& p : options->backstage_catalogs) resolve(p);
  resolve(options->cmdb_path);
  resolve(options->codeowners_path);
  resolve(options->repo_path);
  resolve(options->cloudtrail_events_path);
  return options;
}

// The hand-written shape: recognised by its keys, so intake payloads never match.
std::optional<Finding> minimal_finding(const std::string& text) {
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (!doc.is_object()) return std::nullopt;
  bool known = false;
  for (const char* key : {"resource_arn", "resource_id", "resource_name"}) known = known || doc.contains(key);
  if (!known) return std::nullopt;
  Finding f;
  f.raw = text;
  auto str = [&doc](const char* key) {
    const auto it = doc.find(key);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string{};
  };
  f.id = str("id");
  f.resource_arn = str("resource_arn");
  f.resource_id = str("resource_id");
  f.resource_name = str("resource_name");
  f.account = str("account");
  if (const auto tags = doc.find("tags"); tags != doc.end() && tags->is_object()) {
    for (const auto& [key, value] : tags->items()) {
      if (value.is_string()) f.tags.push_back({key, value.get<std::string>()});
    }
  }
  if (const auto projects = doc.find("projects"); projects != doc.end() && projects->is_array()) {
    for (const auto& p : *projects) {
      if (p.is_string()) f.projects.push_back(p.get<std::string>());
    }
  }
  return f;
}

nlohmann::json to_json(const Finding& f, const ownership::Ownership& o) {
  auto candidate = [](const ownership::OwnerCandidate& c) {
    nlohmann::json evidence = nlohmann::json::array();
    for (const auto& e : c.evidence) evidence.push_back({{"key", e.key}, {"value", e.value}});
    return nlohmann::json{{"owner", c.owner},           {"kind", ownership::to_string(c.kind)},
                          {"source", c.source},         {"confidence", c.confidence},
                          {"evidence", evidence}};
  };
  nlohmann::json out = {{"finding", f.id}, {"resource", f.resource_key()}, {"consulted", o.consulted}};
  nlohmann::json list = nlohmann::json::array();
  for (std::size_t i = 0; i < o.candidates.size(); ++i) {
    auto c = candidate(o.candidates[i]);
    c["rank"] = i + 1;
    list.push_back(std::move(c));
  }
  out["candidates"] = std::move(list);
  out["chosen"] = o.chosen ? candidate(*o.chosen) : nlohmann::json(nullptr);
  return out;
}

void print_text(const Finding& f, const ownership::Ownership& o) {
  std::printf("finding:  %s\n", escape_for_display(f.id.empty() ? "(no id)" : f.id).c_str());
  std::printf("resource: %s\n", escape_for_display(f.resource_key().empty() ? "(none)" : f.resource_key()).c_str());
  if (f.malformed) {
    std::printf("warning:  finding is malformed at %s: %s\n", escape_for_display(f.malformed->field).c_str(),
                escape_for_display(f.malformed->reason).c_str());
  }
  std::string consulted;
  for (const auto& s : o.consulted) consulted += (consulted.empty() ? "" : ", ") + s;
  std::printf("sources:  %s\n", consulted.empty() ? "(none configured)" : consulted.c_str());
  if (o.candidates.empty()) std::printf("candidates: none\n");
  for (std::size_t i = 0; i < o.candidates.size(); ++i) {
    const auto& c = o.candidates[i];
    std::printf("#%zu %s [%s] source=%s confidence=%.2f\n", i + 1, escape_for_display(c.owner).c_str(),
                ownership::to_string(c.kind), c.source.c_str(), c.confidence);
    for (const auto& e : c.evidence) {
      std::printf("     %s: %s\n", escape_for_display(e.key).c_str(), escape_for_display(e.value).c_str());
    }
  }
  if (o.chosen) {
    std::printf("chosen owner: %s (%s, confidence %.2f)\n", escape_for_display(o.chosen->owner).c_str(),
                o.chosen->source.c_str(), o.chosen->confidence);
  } else {
    std::printf("chosen owner: none - route to the security review queue\n");
  }
}

int run(const OwnersArgs& args) {
  auto options = load_options(args);
  if (!options) {
    std::fprintf(stderr, "fixgate owners: %s\n", escape_for_display(options.error().to_string()).c_str());
    return 2;
  }
  auto resolver = ownership::OwnershipResolver::create(*options);
  if (!resolver) {
    std::fprintf(stderr, "fixgate owners: %s\n", escape_for_display(resolver.error().to_string()).c_str());
    return 2;
  }
  for (const auto& w : resolver->warnings()) std::fprintf(stderr, "warning: %s\n", escape_for_display(w).c_str());
  auto text = read_text(args.finding_file);
  if (!text) {
    std::fprintf(stderr, "fixgate owners: %s\n", escape_for_display(text.error().to_string()).c_str());
    return 1;
  }
  std::vector<Finding> findings;
  if (auto minimal = minimal_finding(*text)) {
    findings.push_back(std::move(*minimal));
  } else {
    findings = intake::parse_payload(*text);
  }
  nlohmann::json all = nlohmann::json::array();
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const auto result = resolver->resolve(findings[i]);
    if (args.json) {
      all.push_back(to_json(findings[i], result));
    } else {
      if (i > 0) std::printf("\n");
      print_text(findings[i], result);
    }
  }
  if (args.json) std::printf("%s\n", all.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  return 0;
}

}  // namespace

void add_owners_command(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<OwnersArgs>();
  auto* cmd = app.add_subcommand("owners", "Explain who owns a finding's resource: every candidate, ranked, with evidence");
  auto* tags_only = cmd->add_flag("--tags-only", args->tags_only, "Use only the reference owner tags (owner, team, app:owner)");
  cmd->add_option("--source-config", args->source_config, "JSON file with the ownership section")
      ->check(CLI::ExistingFile)
      ->excludes(tags_only);
  cmd->add_flag("--json", args->json, "Print JSON instead of text");
  cmd->add_option("FINDING_FILE", args->finding_file, "Finding payload or minimal {resource_arn, tags, ...} JSON")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->callback([args, &exit] { exit.value = run(*args); });
}

}  // namespace fixgate::cli
