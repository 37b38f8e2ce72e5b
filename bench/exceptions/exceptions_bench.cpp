// What the exceptions registry adds to every decision: the waiver lookup the
// pipeline makes per finding (served from memory until some connection commits,
// checked with PRAGMA data_version), the reload after a commit, and decide()
// judging a registry of N waivers beside the config's.
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
      r.resources = {"arn:aws:ec2:us-east-1:111111111111:security-group/sg-" + std::to_string(i)};
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

void BM_WaiverLookupCached(benchmark::State& state) {
  Fixture f(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(f.registry->waivers().value());
}
BENCHMARK(BM_WaiverLookupCached)->Arg(10)->Arg(100)->Arg(1000);

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
  std::ifstream in(FIXGATE_SOURCE_DIR "/examples/findings/wiz-sg-ssh-open-production.json");
  const std::string payload((std::istreambuf_iterator<char>(in)), {});
  const Finding finding = intake::parse_payload(payload).at(0);
  for (auto _ : state) {
    Enrichment e = enrich_from_config(finding, config, std::chrono::system_clock::now());
    e.waivers = f.registry->waivers().value();
    benchmark::DoNotOptimize(decide(finding, e, config));
  }
}
BENCHMARK(BM_DecideWithRegistryWaivers)->Arg(0)->Arg(100)->Arg(1000);

}  // namespace
}  // namespace fixgate
