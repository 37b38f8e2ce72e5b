// decide() per finding, and parse+decide per payload, with the reference
// configuration and the bundled example findings (examples/findings/).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.h"
#include "decision/decision.h"
#include "intake/intake.h"

namespace fixgate {
namespace {

const std::chrono::system_clock::time_point kNow =
    std::chrono::sys_days(std::chrono::year{2026} / 11 / 25) + std::chrono::hours(12);

const Config& reference() {
  static const Config config = [] {
    LoadOptions options;
    options.env = [](std::string_view) -> std::optional<std::string> { return std::string("bench-external-id"); };
    auto loaded = load_config(FIXGATE_SHARED_DIR "/examples/fixgate.yaml", options);
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s\n", loaded.error().message.c_str());
      std::abort();
    }
    return std::move(loaded).value();
  }();
  return config;
}

const std::vector<std::string>& payloads() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> out;
    for (const auto& entry : std::filesystem::directory_iterator(FIXGATE_SOURCE_DIR "/examples/findings")) {
      if (entry.path().extension() != ".json") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      out.push_back(text.str());
    }
    std::sort(out.begin(), out.end());
    return out;
  }();
  return all;
}

const std::vector<Finding>& findings() {
  static const std::vector<Finding> all = [] {
    std::vector<Finding> out;
    for (const auto& payload : payloads()) {
      for (auto& f : intake::parse_payload(payload)) out.push_back(std::move(f));
    }
    return out;
  }();
  return all;
}

// enrich_from_config + decide over the example mix, one finding per iteration.
void BM_DecideExampleMix(benchmark::State& state) {
  const Config& config = reference();
  const auto& all = findings();
  size_t i = 0;
  for (auto _ : state) {
    const Finding& f = all[i++ % all.size()];
    Decision d = decide(f, enrich_from_config(f, config, kNow), config);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecideExampleMix);

// The longest path: an eligible finding runs every check and builds every detail.
void BM_DecideEligible(benchmark::State& state) {
  const Config& config = reference();
  const Finding* eligible = nullptr;
  for (const auto& f : findings()) {
    if (f.id == "c3a1f0d2-5b8e-4f6a-9d10-2e7b4c8a1f01") eligible = &f;
  }
  if (eligible == nullptr) {
    state.SkipWithError("eligible example not found");
    return;
  }
  const Enrichment enrichment = enrich_from_config(*eligible, config, kNow);
  for (auto _ : state) {
    Decision d = decide(*eligible, enrichment, config);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecideEligible);

// decide() plus the JSON record the audit log stores.
void BM_DecideAndSerialise(benchmark::State& state) {
  const Config& config = reference();
  const auto& all = findings();
  size_t i = 0;
  for (auto _ : state) {
    const Finding& f = all[i++ % all.size()];
    std::string record = decide(f, enrich_from_config(f, config, kNow), config).to_json().dump();
    benchmark::DoNotOptimize(record);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecideAndSerialise);

// intake::parse_payload + enrich + decide, one example payload per iteration.
void BM_ParseAndDecide(benchmark::State& state) {
  const Config& config = reference();
  const auto& all = payloads();
  size_t i = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const std::string& payload = all[i++ % all.size()];
    bytes += static_cast<int64_t>(payload.size());
    for (const Finding& f : intake::parse_payload(payload)) {
      Decision d = decide(f, enrich_from_config(f, config, kNow), config);
      benchmark::DoNotOptimize(d);
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_ParseAndDecide);

// A catalog 50x the reference size: matching is a linear scan, so this shows its cost.
void BM_DecideLargeCatalog(benchmark::State& state) {
  Config config = reference();
  const auto base = config.catalog;
  for (int copy = 0; copy < 50; ++copy) {
    for (auto entry : base) {
      entry.id += "-copy" + std::to_string(copy);
      for (auto& control : entry.controls) control += "-x" + std::to_string(copy);
      config.catalog.insert(config.catalog.begin(), entry);
    }
  }
  const auto& all = findings();
  size_t i = 0;
  for (auto _ : state) {
    const Finding& f = all[i++ % all.size()];
    Decision d = decide(f, enrich_from_config(f, config, kNow), config);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["catalog_entries"] = static_cast<double>(config.catalog.size());
}
BENCHMARK(BM_DecideLargeCatalog);

// Loading and validating the reference configuration.
void BM_LoadReferenceConfig(benchmark::State& state) {
  LoadOptions options;
  options.env = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  for (auto _ : state) {
    auto config = load_config(FIXGATE_SHARED_DIR "/examples/fixgate.yaml", options);
    benchmark::DoNotOptimize(config);
  }
}
BENCHMARK(BM_LoadReferenceConfig);

}  // namespace
}  // namespace fixgate
