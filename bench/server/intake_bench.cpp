// Intake throughput: acknowledged Wiz webhook POSTs per second through the real
// HTTP server (auth, JSON parse, idempotency key, metrics, access log) into an
// in-memory sink or the durable queue, from keep-alive loopback connections
// driven by one event-driven generator thread (../load_client.h). Reports
// acked/s, p50/p99/max request latency and CPU per request: all, the server's,
// and the generator's own. Also: SNS signature verification of a real corpus
// message with a cached certificate.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <vector>

#include <unistd.h>

#include <filesystem>

#include "../load_client.h"
#include "../load_measure.h"
#include "queue/durable_queue.h"
#include "server/intake_server.h"
#include "server/queue_intake_sink.h"
#include "sns/verifier.h"

namespace {

using namespace fixgate;
using bench::percentile;
using bench::process_cpu_seconds;

class MemorySink final : public server::IntakeSink {
 public:
  Result<server::EnqueueAck> enqueue(std::string key, std::string payload, server::IntakeMeta) override {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = ids_.emplace(std::move(key), std::to_string(ids_.size() + 1));
    if (inserted) bytes_ += payload.size();
    return server::EnqueueAck{it->second, !inserted};
  }
  bool healthy() const override { return true; }

 private:
  std::mutex mutex_;
  std::map<std::string, std::string> ids_;
  size_t bytes_ = 0;
};

class NoFetch final : public sns::CertFetcher {
 public:
  Result<std::string> fetch(const std::string&) override { return make_error("sns.fetch_failed", "offline"); }
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Harness {
  server::IntakeSink& sink;
  NoFetch fetcher;
  sns::SnsVerifier verifier{fetcher};
  metrics::Registry registry;
  std::unique_ptr<server::IntakeServer> server;
  int port = 0;
  std::atomic<size_t> log_lines{0};

  explicit Harness(server::IntakeSink& s) : sink(s) {
    server::ServerOptions options;
    options.port = 0;
    options.threads = 8;
    options.wiz.bearer_token = "bench-token";
    auto created = server::IntakeServer::create(options, sink, verifier, registry,
                                                [this](std::string_view) { log_lines.fetch_add(1); });
    if (!created) std::abort();
    server = std::move(*created);
    auto bound = server->start();
    if (!bound) std::abort();
    port = *bound;
  }
};

Harness& memory_harness() {
  static MemorySink sink;
  static Harness h(sink);
  return h;
}

// The durable SQLite queue in a temporary file (fsync on every commit, group
// commit across concurrent enqueues).
Harness& durable_harness() {
  struct Durable {
    std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                ("fixgate-server-bench-" + std::to_string(::getpid()));
    std::unique_ptr<queue::DurableQueue> q;
    std::unique_ptr<server::QueueIntakeSink> sink;
    Durable() {
      std::filesystem::create_directories(dir);
      auto opened = queue::open_sqlite_queue((dir / "queue.db").string());
      if (!opened) std::abort();
      q = std::move(*opened);
      sink = std::make_unique<server::QueueIntakeSink>(*q);
    }
    ~Durable() {
      sink.reset();
      q.reset();
      std::filesystem::remove_all(dir);
    }
  };
  static Durable durable;
  static Harness h(*durable.sink);
  return h;
}

std::string payload(size_t round, size_t i) {
  return "{\"trigger\":{\"source\":\"ISSUE\",\"type\":\"Open\",\"ruleId\":\"r\"},\"issue\":{\"id\":\"" +
         std::to_string(round) + "-" + std::to_string(i) +
         "\",\"status\":\"OPEN\",\"severity\":\"HIGH\"},\"resource\":{\"id\":\"arn:aws:s3:::bucket\","
         "\"type\":\"bucket\",\"cloudPlatform\":\"AWS\",\"subscriptionId\":\"111111111111\"},"
         "\"control\":{\"id\":\"wc-s3-public-bucket\",\"name\":\"Public bucket\"}}";
}

// Args: connections (all on one generator thread), requests per connection per
// iteration.
void run_webhooks(benchmark::State& state, Harness& h) {
  const auto connections = static_cast<size_t>(state.range(0));
  const auto per_connection = static_cast<size_t>(state.range(1));
  std::vector<double> latencies_ms;
  size_t acked = 0, failed = 0, round = 0;
  double seconds = 0;
  // Process CPU (server and generator together): unlike requests per second,
  // it does not depend on what else the machine is running.
  const double cpu_before = process_cpu_seconds();
  double generator_cpu = 0;  // the load generator's own share, to tell the server's apart
  for (auto _ : state) {
    ++round;
    bench::LoadPlan plan;
    plan.port = static_cast<uint16_t>(h.port);
    plan.connections = connections;
    plan.requests = connections * per_connection;
    const size_t id_round = round + 1000 * connections;  // distinct ids across iterations and cases
    plan.make_request = [id_round](size_t i, bench::Request& out) {
      out.target = "/v1/wiz";
      out.headers = {{"Authorization", "Bearer bench-token"}, {"Content-Type", "application/json"}};
      out.body = payload(id_round, i);
    };
    auto report = bench::run_load(plan);
    if (!report) {
      state.SkipWithError(report.error().to_string().c_str());
      return;
    }
    state.SetIterationTime(report->wall_seconds);
    seconds += report->wall_seconds;
    generator_cpu += report->generator_cpu_seconds;
    acked += report->count(202);
    failed += plan.requests - report->count(202);
    latencies_ms.insert(latencies_ms.end(), report->latencies_ms.begin(), report->latencies_ms.end());
  }
  const double cpu_seconds = process_cpu_seconds() - cpu_before;
  std::sort(latencies_ms.begin(), latencies_ms.end());
  const double requests = static_cast<double>(std::max<size_t>(1, acked + failed));
  state.counters["cpu_us_per_req"] = cpu_seconds * 1e6 / requests;
  state.counters["server_cpu_us_per_req"] = (cpu_seconds - generator_cpu) * 1e6 / requests;
  state.counters["gen_cpu_us_per_req"] = generator_cpu * 1e6 / requests;
  state.counters["acked_per_s"] = static_cast<double>(acked) / seconds;
  state.counters["p50_us"] = percentile(latencies_ms, 0.50) * 1e3;
  state.counters["p99_us"] = percentile(latencies_ms, 0.99) * 1e3;
  state.counters["max_us"] = latencies_ms.empty() ? 0.0 : latencies_ms.back() * 1e3;
  state.counters["failed"] = static_cast<double>(failed);
}
void BM_WizWebhookAcked(benchmark::State& state) { run_webhooks(state, memory_harness()); }
BENCHMARK(BM_WizWebhookAcked)
    ->Args({1, 2000})
    ->Args({2, 2000})
    ->Args({4, 1000})
    ->Iterations(3)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

void BM_WizWebhookAckedDurable(benchmark::State& state) { run_webhooks(state, durable_harness()); }
BENCHMARK(BM_WizWebhookAckedDurable)
    ->Args({1, 300})
    ->Args({4, 150})
    ->Args({16, 200})
    ->Args({64, 100})
    ->Iterations(2)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

class CorpusCert final : public sns::CertFetcher {
 public:
  Result<std::string> fetch(const std::string&) override {
    return read_file(std::string(FIXGATE_SHARED_DIR) +
                     "/corpus/sns/real-signed/certs/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem");
  }
};

// Parse + verify one real signed Notification (cert cached after the first).
void BM_SnsVerifyCorpusNotification(benchmark::State& state) {
  CorpusCert fetcher;
  sns::VerifierOptions options;
  options.skip_cert_date_check = true;  // the corpus certificate expired in 2022
  sns::SnsVerifier verifier(fetcher, options);
  const std::string name = state.range(0) == 1 ? "notification-sigv1-with-subject" : "notification-sigv2-with-subject";
  const std::string body = read_file(std::string(FIXGATE_SHARED_DIR) + "/corpus/sns/real-signed/http/" + name + ".json");
  for (auto _ : state) {
    auto verified = verifier.verify(body);
    if (!verified) state.SkipWithError(verified.error().to_string().c_str());
    benchmark::DoNotOptimize(verified);
  }
}
BENCHMARK(BM_SnsVerifyCorpusNotification)->Arg(1)->Arg(2);

}  // namespace
