// What the exceptions registry adds to every decision: the waiver lookup the
// pipeline makes per finding (served from memory until some connection commits,
// checked with PRAGMA data_version) — as the whole list copied (waivers()), as
// the shared snapshot (snapshot()) and as the waivers covering one finding
// (waivers_for()) — the reload after a commit, and decide() judging a registry
// of N waivers beside the config's, given all of them or only the covering ones.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>

#include "audit/memory_audit_log.h"
#include "decision/decision.h"
#include "exceptions/registry.h"
#include "intake/intake.h"

namespace fixgate {
namespace {

struct Fixture {
  explicit Fixture(int waivers) {
    dir = std::filesystem::temp_directory_path() / ("fixgate-exceptions-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    registry = std::move(exceptions::Registry::open((dir / "exceptions.db").string(), audit).value());
    for (int i = 0; i < waivers; ++i) {
      exceptions::WaiverRequest r;
      r.id = "WVR-" + std::to_string(10000 + i);
      r.controls = {"wc-sg-ssh-open"};
      // The last one covers the bench finding's security group.
      r.resources = {i + 1 == waivers ? "arn:aws:ec2:us-east-1:111111111111:security-group/sg-0a1b2c3d4e5f60718"
                                      : "arn:aws:ec2:us-east-1:111111111111:security-group/sg-" + std::to_string(i)};
      r.expires = "2099-12-31";
      r.reason = "bench";
      r.requested_by = "alice";
      r.approver = "bob";
      (void)registry->add(r).value();
    }
  }
  ~Fixture() {
    registry.reset();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  audit::MemoryAuditLog audit;
  std::unique_ptr<exceptions::Registry> registry;
};

Finding bench_finding() {
  std::ifstream in(FIXGATE_SOURCE_DIR "/examples/findings/wiz-sg-ssh-open-production.json");
  const std::string payload((std::istreambuf_iterator<char>(in)), {});
  return intake::parse_payload(payload).at(0);
}

// The whole list, copied (the pre-snapshot lookup, still what waivers() does).
void BM_WaiverLookupCached(benchmark::State& state) {
  Fixture f(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(f.registry->waivers().value());
}
BENCHMARK(BM_WaiverLookupCached)->Arg(10)->Arg(100)->Arg(1000);

// The shared snapshot: the data_version check and a shared_ptr copy.
void BM_WaiverSnapshot(benchmark::State& state) {
  Fixture f(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(f.registry->snapshot().value());
}
BENCHMARK(BM_WaiverSnapshot)->Arg(10)->Arg(100)->Arg(1000);

// The waivers covering one finding, through the index (one covers it here).
void BM_WaiversForFinding(benchmark::State& state) {
  Fixture f(static_cast<int>(state.range(0)));
  const Finding finding = bench_finding();
  if (f.registry->waivers_for(finding).value().size() != (state.range(0) > 0 ? 1u : 0u)) {
    state.SkipWithError("the fixture's covering waiver was not found");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(f.registry->waivers_for(finding).value());
}
BENCHMARK(BM_WaiversForFinding)->Arg(10)->Arg(100)->Arg(1000);

void BM_WaiverReloadAfterCommit(benchmark::State& state) {
  Fixture f(static_cast<int>(state.range(0)));
  auto other = exceptions::Registry::open((f.dir / "exceptions.db").string(), f.audit).value();
  int n = 0;
  for (auto _ : state) {
    state.PauseTiming();
    exceptions::WaiverRequest r;
    r.id = "WVR-" + std::to_string(900000 + n++);
    r.accounts = {"222222222222"};
    r.expires = "2099-12-31";
    r.reason = "bench";
    r.requested_by = "alice";
    (void)other->add(r).value();
    state.ResumeTiming();
    benchmark::DoNotOptimize(f.registry->waivers().value());
  }
}
BENCHMARK(BM_WaiverReloadAfterCommit)->Arg(100)->Arg(1000)->Iterations(200);

void BM_DecideWithRegistryWaivers(benchmark::State& state) {
  Fixture f(static_cast<int>(state.range(0)));
  const Config config = load_config(FIXGATE_SOURCE_DIR "/examples/fixgate.yaml").value();
  const Finding finding = bench_finding();
  for (auto _ : state) {
    Enrichment e = enrich_from_config(finding, config, std::chrono::system_clock::now());
    e.waivers = f.registry->waivers().value();
    benchmark::DoNotOptimize(decide(finding, e, config));
  }
}
BENCHMARK(BM_DecideWithRegistryWaivers)->Arg(0)->Arg(100)->Arg(1000);

// The same decision given only the covering waivers: the same outcome and
// evidence (decide() ignores waivers that do not cover the finding).
void BM_DecideWithCoveringWaivers(benchmark::State& state) {
  Fixture f(static_cast<int>(state.range(0)));
  const Config config = load_config(FIXGATE_SOURCE_DIR "/examples/fixgate.yaml").value();
  const Finding finding = bench_finding();
  for (auto _ : state) {
    Enrichment e = enrich_from_config(finding, config, std::chrono::system_clock::now());
    e.waivers = f.registry->waivers_for(finding).value();
    benchmark::DoNotOptimize(decide(finding, e, config));
  }
}
BENCHMARK(BM_DecideWithCoveringWaivers)->Arg(0)->Arg(100)->Arg(1000);

}  // namespace
}  // namespace fixgate
