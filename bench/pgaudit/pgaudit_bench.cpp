// PgAuditLog append cost against a local PostgreSQL 15 (a throwaway cluster on
// a unix socket, fsync on: every acknowledged append is a durable commit).
// Compare with bench/audit (the embedded SQLite log).
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "audit/audit_writer.h"
#include "pg_cluster.h"
#include "pgaudit/pg_audit_log.h"

namespace {

using fixgate::audit::AuditEntry;
using fixgate::pgaudit::PgAuditLog;

struct Shared {
  std::unique_ptr<fixgate::testing::PgCluster> cluster;
  std::string error;
  int schemas = 0;
};

// One cluster for the whole program; each benchmark gets a fresh log (schema).
Shared& shared() {
  static Shared s = [] {
    Shared out;
    if (auto why = fixgate::testing::PgCluster::unavailable()) {
      out.error = *why;
      return out;
    }
    out.cluster = std::make_unique<fixgate::testing::PgCluster>(/*fsync=*/true);
    if (!out.cluster->ok()) out.error = out.cluster->error();
    return out;
  }();
  return s;
}

std::unique_ptr<PgAuditLog> fresh_log(benchmark::State& state, size_t connections) {
  Shared& s = shared();
  if (!s.error.empty()) {
    state.SkipWithError(s.error.c_str());
    return nullptr;
  }
  const std::string schema = s.cluster->create_schema();
  auto log = PgAuditLog::open(s.cluster->uri(schema), {.max_connections = connections});
  if (!log.ok()) {
    state.SkipWithError(log.error().to_string().c_str());
    return nullptr;
  }
  return std::move(log).value();
}

AuditEntry decision(int i) {
  return AuditEntry{"decision",
                    "corr-" + std::to_string(i),
                    "wiz-issue-" + std::to_string(i),
                    "fixgate-bench",
                    {{"outcome", "remediate"},
                     {"reason", "eligible"},
                     {"evidence", {{"environment", "production"}, {"severity", "CRITICAL"}, {"i", i}}}}};
}

// One append at a time: the latency a worker waits for its decision record.
void BM_AppendOne(benchmark::State& state) {
  auto log = fresh_log(state, 1);
  if (!log) return;
  int i = 0;
  for (auto _ : state) {
    auto r = log->append(decision(i++));
    if (!r.ok()) {
      state.SkipWithError(r.error().to_string().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AppendOne)->Unit(benchmark::kMillisecond)->UseRealTime();

// N threads of one process appending through one log (its connection pool):
// appends serialise on the chain lock, so this is the shared chain's rate.
std::unique_ptr<PgAuditLog> g_threaded_log;
void BM_AppendThreads(benchmark::State& state) {
  if (state.thread_index() == 0) g_threaded_log = fresh_log(state, static_cast<size_t>(state.threads()));
  // google-benchmark starts the timed loop on all threads together, after
  // thread 0's setup above.
  int i = state.thread_index() * 1000000;
  for (auto _ : state) {
    if (!g_threaded_log) {
      state.SkipWithError("no log");
      break;
    }
    auto r = g_threaded_log->append(decision(i++));
    if (!r.ok()) {
      state.SkipWithError(r.error().to_string().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) g_threaded_log.reset();
}
BENCHMARK(BM_AppendThreads)->Threads(1)->Threads(4)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same producers through an AuditWriter (group commit, src/audit): each
// append still returns only once its record is durable, but concurrent
// appends share one transaction and one WAL flush.
std::unique_ptr<PgAuditLog> g_writer_log;
std::unique_ptr<fixgate::audit::AuditWriter> g_writer;
void BM_AppendThreadsGroupCommit(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_writer_log = fresh_log(state, 1);
    if (g_writer_log) g_writer = std::make_unique<fixgate::audit::AuditWriter>(*g_writer_log);
  }
  int i = state.thread_index() * 1000000;
  for (auto _ : state) {
    if (!g_writer) {
      state.SkipWithError("no log");
      break;
    }
    auto r = g_writer->append(decision(i++));
    if (!r.ok()) {
      state.SkipWithError(r.error().to_string().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    g_writer.reset();
    g_writer_log.reset();
  }
}
BENCHMARK(BM_AppendThreadsGroupCommit)->Threads(4)->Threads(16)->Unit(benchmark::kMillisecond)->UseRealTime();

// append_batch of N records: one transaction, one commit.
void BM_AppendBatch(benchmark::State& state) {
  auto log = fresh_log(state, 1);
  if (!log) return;
  std::vector<AuditEntry> batch;
  for (int i = 0; i < state.range(0); ++i) batch.push_back(decision(i));
  for (auto _ : state) {
    auto r = log->append_batch(batch);
    if (!r.ok()) {
      state.SkipWithError(r.error().to_string().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_AppendBatch)->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();

// verify() over a 20,000-record chain: fetch, hash and link every record.
void BM_Verify(benchmark::State& state) {
  auto log = fresh_log(state, 1);
  if (!log) return;
  std::vector<AuditEntry> batch;
  for (int i = 0; i < 1000; ++i) batch.push_back(decision(i));
  for (int b = 0; b < 20; ++b) {
    if (!log->append_batch(batch).ok()) {
      state.SkipWithError("cannot fill the log");
      return;
    }
  }
  for (auto _ : state) {
    auto report = log->verify();
    if (!report.ok() || !report->ok()) {
      state.SkipWithError("verify failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * 20000);
}
BENCHMARK(BM_Verify)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
