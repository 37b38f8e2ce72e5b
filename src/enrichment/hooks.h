// The enrichment hooks the decision pipeline calls: owners from the ownership
// resolver the configuration describes, and waivers from the exceptions
// registry. decide() stays pure: these run before it, and everything they
// return is recorded in the decision (every owner candidate with its source,
// confidence, rank and evidence; every matching waiver with its status and
// expiry).
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "core/result.h"
#include "decision/decision.h"
#include "exceptions/registry.h"
#include "ownership/resolver.h"
#include "pipeline/decision_pipeline.h"

namespace fixgate::enrichment {

// The resolver's options from config.ownership. File paths that are relative
// are taken from the configuration file's folder (config.source), so a config
// works from any working directory. Errors: "config.invalid_ownership" naming
// the key, prefixed with the configuration file.
Result<ownership::OwnershipOptions> ownership_options(const Config& config);

// Builds and loads the resolver (see OwnershipResolver::create for errors).
Result<ownership::OwnershipResolver> ownership_resolver(const Config& config);

// The resolver's ranked candidates in decide()'s shape: rank = position + 1,
// services marked unroutable (recorded, never chosen), evidence fields joined
// as "key=value; key=value".
std::vector<OwnerCandidate> owner_candidates(const ownership::Ownership& resolved);

// Hook for PipelineOptions::owners. `resolver` must outlive the pipeline.
pipeline::OwnerLookup owner_lookup(const ownership::OwnershipResolver& resolver);

// Hook for PipelineOptions::waivers. `registry` must outlive the pipeline.
// When the registry cannot be read, the last snapshot it served is used (the
// read error is reported through `on_error`, when given).
pipeline::WaiverLookup waiver_lookup(exceptions::Registry& registry,
                                     std::function<void(const Error&)> on_error = {});

}  // namespace fixgate::enrichment
