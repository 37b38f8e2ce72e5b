#include "ownership/resolver.h"

#include <algorithm>

#include "core/text.h"
#include "ownership/backstage_source.h"
#include "ownership/cloudtrail_source.h"
#include "ownership/cmdb_source.h"
#include "ownership/codeowners_source.h"
#include "ownership/git_blame_source.h"
#include "ownership/project_source.h"
#include "ownership/tag_source.h"

namespace fixgate::ownership {
namespace {

std::vector<std::string> full_precedence(std::vector<std::string> given) {
  for (const auto& name : default_precedence()) {
    if (std::find(given.begin(), given.end(), name) == given.end()) given.push_back(name);
  }
  return given;
}

}  // namespace

OwnershipResolver::OwnershipResolver(std::vector<std::unique_ptr<OwnerSource>> sources,
                                     std::vector<std::string> precedence)
    : sources_(std::move(sources)), precedence_(full_precedence(std::move(precedence))) {}

Result<OwnershipResolver> OwnershipResolver::create(const OwnershipOptions& options) {
  std::vector<std::unique_ptr<OwnerSource>> sources;
  std::vector<std::string> warnings;
  if (!options.tag_keys.empty()) sources.push_back(std::make_unique<TagSource>(options.tag_keys));
  if (!options.tag_rules.empty()) {
    auto rules = TagRuleSource::create(options.tag_rules);
    if (!rules) return rules.error();
    sources.push_back(std::make_unique<TagRuleSource>(std::move(rules).value()));
  }
  if (!options.projects.empty() || !options.accounts.empty()) {
    sources.push_back(std::make_unique<ProjectSource>(options.projects, options.accounts));
  }
  if (!options.backstage_catalogs.empty()) {
    auto catalog = BackstageCatalog::load(options.backstage_catalogs);
    if (!catalog) return catalog.error();
    for (const auto& e : catalog->rejected()) {
      std::string why;
      for (const auto& p : e.problems) why += (why.empty() ? "" : "; ") + p;
      warnings.push_back(e.file + ":" + std::to_string(e.line) + ": entity '" + e.name + "' rejected: " + why);
    }
    sources.push_back(std::make_unique<BackstageSource>(std::move(catalog).value()));
  }
  if (!options.cmdb_path.empty()) {
    auto cmdb = CmdbSource::load(options.cmdb_path);
    if (!cmdb) return cmdb.error();
    sources.push_back(std::make_unique<CmdbSource>(std::move(cmdb).value()));
  }
  std::shared_ptr<const Codeowners> codeowners;
  if (!options.codeowners_path.empty()) {
    auto file = Codeowners::load(options.codeowners_path);
    if (!file) return file.error();
    for (const auto& p : file->problems()) {
      warnings.push_back(file->origin() + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) + ": " +
                         p.message);
    }
    codeowners = std::make_shared<const Codeowners>(std::move(file).value());
    sources.push_back(std::make_unique<CodeownersSource>(codeowners));
  }
  if (!options.repo_path.empty()) {
    auto blame = GitBlameSource::open(options.repo_path, codeowners);
    if (!blame) return blame.error();
    sources.push_back(std::move(blame).value());
  }
  if (!options.cloudtrail_events_path.empty()) {
    auto trail = CloudTrailSource::load(options.cloudtrail_events_path);
    if (!trail) return trail.error();
    sources.push_back(std::make_unique<CloudTrailSource>(std::move(trail).value()));
  }
  OwnershipResolver resolver(std::move(sources), options.precedence);
  resolver.warnings_ = std::move(warnings);
  return resolver;
}

Ownership OwnershipResolver::resolve(const Finding& finding) const {
  Ownership result;
  std::vector<OwnerCandidate> all;
  for (const auto& name : precedence_) {
    for (const auto& source : sources_) {
      if (source->name() != name) continue;
      if (std::find(result.consulted.begin(), result.consulted.end(), name) == result.consulted.end()) {
        result.consulted.push_back(name);
      }
      for (auto& c : source->candidates(finding)) all.push_back(std::move(c));
    }
  }
  auto rank_of = [this](const std::string& source) {
    const auto it = std::find(precedence_.begin(), precedence_.end(), source);
    return static_cast<std::size_t>(it - precedence_.begin());
  };
  std::stable_sort(all.begin(), all.end(), [&](const OwnerCandidate& a, const OwnerCandidate& b) {
    const auto ra = rank_of(a.source);
    const auto rb = rank_of(b.source);
    if (ra != rb) return ra < rb;
    return a.confidence > b.confidence;
  });
  for (auto& c : all) {
    const bool duplicate = std::any_of(result.candidates.begin(), result.candidates.end(), [&](const OwnerCandidate& k) {
      return k.source == c.source && iequals(k.owner, c.owner);
    });
    if (!duplicate) result.candidates.push_back(std::move(c));
  }
  for (const auto& c : result.candidates) {
    if (c.kind != OwnerKind::service && c.confidence > 0.0 && !trim(c.owner).empty()) {
      result.chosen = c;
      break;
    }
  }
  return result;
}

std::vector<std::string> OwnershipResolver::source_names() const {
  std::vector<std::string> names;
  for (const auto& s : sources_) names.emplace_back(s->name());
  return names;
}

}  // namespace fixgate::ownership
