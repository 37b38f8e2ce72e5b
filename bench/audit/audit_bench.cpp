// Durably audited records per second: one commit per record, one commit per
// batch, and the group-commit AuditWriter fed by several producer threads.
// Every file lives in a fresh directory under /tmp, removed afterwards.
#include <stdlib.h>

#include <time.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "audit/audit_writer.h"
#include "audit/sqlite_audit_log.h"

namespace fixgate::audit {
namespace {

// Temp files go under /tmp (the disk the state would live on). FIXGATE_BENCH_DIR
// may name another directory, e.g. a tmpfs to measure the software ceiling.
std::string bench_dir() {
  const char* dir = std::getenv("FIXGATE_BENCH_DIR");
  return dir != nullptr && *dir != '\0' ? dir : "/tmp";
}

class TempLog {
 public:
  explicit TempLog(Durability durability) {
    std::string pattern = bench_dir() + "/fixgate-audit-bench-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    dir_ = pattern;
    auto log = SqliteAuditLog::open((dir_ / "audit.db").string(), {.durability = durability});
    if (!log.ok()) std::abort();
    log_ = std::move(log).value();
  }
  ~TempLog() {
    log_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  SqliteAuditLog& log() { return *log_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<SqliteAuditLog> log_;
};

// A decision record about the size fixgate writes: evidence of a few hundred bytes.
AuditEntry sample_entry(int64_t i) {
  return AuditEntry{"decision", "corr-" + std::to_string(i), "wiz-issue-" + std::to_string(i % 977), "fixgate-worker-1",
                    nlohmann::json{{"outcome", "remediate"},
                                   {"catalog_entry", "s3-public-access"},
                                   {"action", "aws.s3.block_public_access"},
                                   {"resource", "arn:aws:s3:::customer-bucket-" + std::to_string(i)},
                                   {"environment", {{"value", "production"}, {"source", "tag:env"}}},
                                   {"owner", {{"value", "team-payments"}, {"source", "tag:owner"}}},
                                   {"reasons", {"control wc-s3-public-bucket matches", "severity HIGH >= HIGH"}}}};
}

// CPU seconds used by the whole process (every thread, the writer's included).
// On a shared machine wall time mostly measures waiting for a core; CPU per
// record says what a dedicated core would sustain.
double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

Durability durability_arg(const benchmark::State& state) {
  return state.range(0) == 0 ? Durability::full : Durability::normal;
}

void BM_AppendOneByOne(benchmark::State& state) {
  TempLog temp(durability_arg(state));
  int64_t i = 0;
  for (auto _ : state) {
    auto r = temp.log().append(sample_entry(i++));
    if (!r.ok()) state.SkipWithError(r.error().message.c_str());
  }
  state.SetItemsProcessed(i);
  state.SetLabel(state.range(0) == 0 ? "synchronous=FULL" : "synchronous=NORMAL");
}
BENCHMARK(BM_AppendOneByOne)->Arg(0)->Arg(1)->UseRealTime()->MinTime(2.0);

void BM_AppendBatch(benchmark::State& state) {
  TempLog temp(Durability::full);
  const auto batch_size = static_cast<size_t>(state.range(0));
  int64_t i = 0;
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    std::vector<AuditEntry> batch;
    batch.reserve(batch_size);
    for (size_t k = 0; k < batch_size; ++k) batch.push_back(sample_entry(i++));
    auto r = temp.log().append_batch(batch);
    if (!r.ok()) state.SkipWithError(r.error().message.c_str());
  }
  state.SetItemsProcessed(i);
  state.counters["cpu_us_per_record"] = (process_cpu_seconds() - cpu_start) * 1e6 / static_cast<double>(i);
  state.SetLabel("synchronous=FULL");
}
BENCHMARK(BM_AppendBatch)->Arg(100)->Arg(1000)->UseRealTime()->MinTime(2.0);

// Producers submit through the AuditWriter and wait for every acknowledgement:
// each counted record was committed (fsynced) before its caller heard back.
void BM_AuditWriterGroupCommit(benchmark::State& state) {
  TempLog temp(Durability::full);
  const int producers = static_cast<int>(state.range(0));
  constexpr int kPerProducer = 5000;
  AuditWriter writer(temp.log(), {.max_batch = 2048, .max_delay = std::chrono::milliseconds(2)});
  int64_t total = 0;
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int p = 0; p < producers; ++p) {
      threads.emplace_back([&, p] {
        std::vector<std::future<Result<AuditRecord>>> futures;
        futures.reserve(kPerProducer);
        for (int k = 0; k < kPerProducer; ++k) futures.push_back(writer.submit(sample_entry(p * kPerProducer + k)));
        for (auto& f : futures) {
          if (!f.get().ok()) ++failures;
        }
      });
    }
    for (auto& t : threads) t.join();
    if (failures > 0) state.SkipWithError("append failed");
    total += static_cast<int64_t>(producers) * kPerProducer;
  }
  state.SetItemsProcessed(total);
  state.counters["cpu_us_per_record"] = (process_cpu_seconds() - cpu_start) * 1e6 / static_cast<double>(total);
  state.SetLabel("synchronous=FULL, acknowledged after commit");
}
BENCHMARK(BM_AuditWriterGroupCommit)->Arg(1)->Arg(4)->Arg(16)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_Verify(benchmark::State& state) {
  TempLog temp(Durability::normal);
  constexpr int kRecords = 50000;
  for (int done = 0; done < kRecords; done += 1000) {
    std::vector<AuditEntry> batch;
    for (int k = 0; k < 1000; ++k) batch.push_back(sample_entry(done + k));
    if (!temp.log().append_batch(batch).ok()) std::abort();
  }
  for (auto _ : state) {
    auto report = temp.log().verify();
    if (!report.ok() || !report->ok()) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
}
BENCHMARK(BM_Verify)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_RecordHash(benchmark::State& state) {
  AuditRecord r{1, "2026-11-25T12:00:00.000Z", "decision", "corr", "finding", "actor",
                canonical_body(sample_entry(1).body).value(), std::string(kGenesisHash), ""};
  for (auto _ : state) benchmark::DoNotOptimize(record_hash(r));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecordHash);

}  // namespace
}  // namespace fixgate::audit
