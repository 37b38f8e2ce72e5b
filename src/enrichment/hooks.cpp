#include "enrichment/hooks.h"

#include <filesystem>
#include <memory>
#include <mutex>

namespace fixgate::enrichment {

Result<ownership::OwnershipOptions> ownership_options(const Config& config) {
  auto options = ownership::ownership_options_from_json(config.ownership);
  if (!options) return make_error(options.error().code, config.source + ": " + options.error().message);
  const std::filesystem::path base = std::filesystem::path(config.source).parent_path();
  auto resolve = [&base](std::string& path) {
    if (!path.empty() && std::filesystem::path(path).is_relative()) path = (base / path).lexically_normal().string();
  };
  for (auto& catalog : options->backstage_catalogs) resolve(catalog);
  resolve(options->cmdb_path);
  resolve(options->codeowners_path);
  resolve(options->repo_path);
  resolve(options->cloudtrail_events_path);
  return options;
}

Result<ownership::OwnershipResolver> ownership_resolver(const Config& config) {
  auto options = ownership_options(config);
  if (!options) return options.error();
  return ownership::OwnershipResolver::create(*options);
}

std::vector<OwnerCandidate> owner_candidates(const ownership::Ownership& resolved) {
  std::vector<OwnerCandidate> out;
  out.reserve(resolved.candidates.size());
  for (size_t i = 0; i < resolved.candidates.size(); ++i) {
    const auto& c = resolved.candidates[i];
    std::string evidence;
    for (const auto& field : c.evidence) evidence += (evidence.empty() ? "" : "; ") + field.key + "=" + field.value;
    OwnerCandidate candidate;
    candidate.owner = c.owner;
    candidate.source = c.source;
    candidate.confidence = c.confidence;
    candidate.evidence = std::move(evidence);
    candidate.rank = static_cast<int>(i + 1);
    candidate.routable = c.kind != ownership::OwnerKind::service;
    out.push_back(std::move(candidate));
  }
  return out;
}

pipeline::OwnerLookup owner_lookup(const ownership::OwnershipResolver& resolver) {
  return [&resolver](const Finding& finding) { return owner_candidates(resolver.resolve(finding)); };
}

pipeline::WaiverLookup waiver_lookup(exceptions::Registry& registry, std::function<void(const Error&)> on_error) {
  // Only the waivers that cover the finding, from the registry's immutable
  // index: a lookup costs the same at ten waivers or ten thousand.
  struct LastGood {
    std::mutex mutex;
    std::shared_ptr<const exceptions::WaiverIndex> index;
  };
  auto last = std::make_shared<LastGood>();
  return [&registry, on_error = std::move(on_error), last](const Finding& finding) -> std::vector<Waiver> {
    auto snapshot = registry.snapshot();
    std::shared_ptr<const exceptions::WaiverIndex> index;
    {
      std::lock_guard lock(last->mutex);
      if (snapshot) {
        last->index = *snapshot;
      } else if (on_error) {
        on_error(snapshot.error());
      }
      index = last->index;
    }
    // Dropping waivers on a read error would remediate what a person waived.
    return index ? index->covering(finding) : std::vector<Waiver>{};
  };
}

}  // namespace fixgate::enrichment
