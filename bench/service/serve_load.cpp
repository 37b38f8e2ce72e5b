// Load generator for the embedded service (`fixgate serve` in-process): C
// keep-alive loopback connections, driven by one event-driven generator thread
// (../load_client.h), post N distinct Wiz findings with the bearer token; the
// service queues them durably (group-committed fsync), and its workers decide
// and audit them meanwhile. Prints:
//   acked/s, request latency p50/p99/max   (HTTP 202 = durably queued)
//   end-to-end findings/s                  (first POST → last decision on record)
// Usage: serve_load [findings=5000] [connections=16] [full|normal] [workers=8]
// The findings decide to `notify` (unknown environment), so the end-to-end
// figure is the pipeline's (parse, decide, audit, queue ack), not the simulator's.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "../load_client.h"
#include "../load_measure.h"
#include "service/service.h"

namespace {

using namespace fixgate;
using Clock = std::chrono::steady_clock;
using bench::process_cpu_seconds;
namespace fs = std::filesystem;

constexpr const char* kToken = "bench-wiz-token-0123456789abcdef";

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

int main(int argc, char** argv) {
  // scripts/bench.sh passes Google Benchmark flags to every program: ignore them.
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]).rfind("--", 0) != 0) args.emplace_back(argv[i]);
  }
  const int findings = args.size() > 0 ? std::atoi(args[0].c_str()) : 5000;
  const int connections = args.size() > 1 ? std::atoi(args[1].c_str()) : 16;
  const std::string durability = args.size() > 2 ? args[2] : "full";
  const int workers = args.size() > 3 ? std::atoi(args[3].c_str()) : 8;
  if (findings <= 0 || connections <= 0 || workers <= 0 || (durability != "full" && durability != "normal")) {
    std::fprintf(stderr, "usage: serve_load [findings] [connections] [full|normal] [workers]\n");
    return 2;
  }
  const fs::path dir = fs::temp_directory_path() / ("fixgate-serve-load-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string config = slurp(FIXGATE_SOURCE_DIR "/examples/fixgate.yaml");
  config += "\nserver:\n  threads: " + std::to_string(std::max(8, connections)) + "\n  wiz:\n    bearer_token: \"" +
            kToken + "\"\nqueue:\n  durability: " + durability + "\n  lease_batch: 32\n";
  std::ofstream(dir / "fixgate.yaml") << config;
  ::setenv("FIXGATE_EXTERNAL_ID", "bench-external-id", 1);

  service::ServiceOptions options;
  options.config_path = (dir / "fixgate.yaml").string();
  options.state_dir = (dir / "state").string();
  options.listen = "127.0.0.1:0";
  options.workers = static_cast<size_t>(workers);
  options.log_level = logging::Level::warn;  // a log line per request would measure stderr
  // Drained alone would also hold with findings dead-lettered: count the decisions.
  std::atomic<size_t> decided{0};
  options.on_outcome = [&decided](const queue::Message&, const std::vector<engine::FindingOutcome>& outcomes) {
    decided.fetch_add(outcomes.size());
  };
  auto opened = service::Service::open(options);
  if (!opened) {
    std::fprintf(stderr, "serve_load: %s\n", opened.error().to_string().c_str());
    return 2;
  }
  auto& svc = **opened;
  auto port = svc.start();
  if (!port) {
    std::fprintf(stderr, "serve_load: %s\n", port.error().to_string().c_str());
    return 2;
  }

  const nlohmann::json base =
      nlohmann::json::parse(slurp(FIXGATE_SOURCE_DIR "/examples/findings/wiz-s3-public-unknown-environment.json"));
  std::vector<std::string> bodies(static_cast<size_t>(findings));
  for (int i = 0; i < findings; ++i) {
    nlohmann::json payload = base;
    payload["issue"]["id"] = "load-" + std::to_string(i);
    bodies[static_cast<size_t>(i)] = payload.dump();
  }

  // The service's CPU is the process's minus the load generator's own thread
  // CPU; CPU seconds, unlike rates, do not depend on what else the machine runs.
  bench::LoadPlan plan;
  plan.port = static_cast<uint16_t>(*port);
  plan.connections = static_cast<size_t>(connections);
  plan.requests = static_cast<size_t>(findings);
  std::string authorization("Bearer ");
  authorization.append(kToken);
  plan.make_request = [&](size_t i, bench::Request& out) {
    out.target = "/v1/wiz";
    out.headers = {{"Authorization", authorization}, {"Content-Type", "application/json"}};
    out.body = std::move(bodies[i]);  // each index is asked for once
  };
  const double cpu_begin = process_cpu_seconds();
  const auto begin = Clock::now();
  auto report = bench::run_load(plan);
  const double intake_s = std::chrono::duration<double>(Clock::now() - begin).count();
  const double cpu_intake = process_cpu_seconds() - cpu_begin;
  if (!report) {
    std::fprintf(stderr, "serve_load: %s\n", report.error().to_string().c_str());
    svc.stop();
    fs::remove_all(dir);
    return 2;
  }
  const bool drained = svc.wait_drained(std::chrono::minutes(10));
  const double total_s = std::chrono::duration<double>(Clock::now() - begin).count();
  const double cpu_total = process_cpu_seconds() - cpu_begin;
  svc.stop();

  const size_t acked = report->count(202);
  const size_t failed = plan.requests - acked;
  for (const auto& [status, count] : report->statuses) {
    if (status == 202) continue;
    std::fprintf(stderr, "serve_load: %zu x HTTP %d, first: %s\n", count, status,
                 report->first_bodies.at(status).c_str());
  }
  if (report->transport_errors > 0) {
    std::fprintf(stderr, "serve_load: %zu transport errors, first: %s\n", report->transport_errors,
                 report->first_transport_error.c_str());
  }
  const double generator_cpu = report->generator_cpu_seconds;
  std::printf("serve_load: %d findings, %d connections, durability=%s, %d workers, %u hardware threads\n", findings,
              connections, durability.c_str(), workers, std::thread::hardware_concurrency());
  std::printf("  intake:     %zu acked, %zu failed in %.2f s = %.0f acked/s; latency ms p50 %.2f p99 %.2f max %.2f\n",
              acked, failed, intake_s, static_cast<double>(acked) / intake_s, report->latency_ms(0.50),
              report->latency_ms(0.99), report->max_latency_ms());
  std::printf("  end-to-end: %s, %zu decided in %.2f s = %.0f findings decided+audited/s\n",
              drained ? "drained" : "NOT drained", decided.load(), total_s, findings / total_s);
  std::printf("  cpu:        load generator %.1f us/request (%zu connects); service %.0f us/finding during intake "
              "(workers included), %.0f us/finding end to end\n",
              generator_cpu * 1e6 / findings, report->connects, (cpu_intake - generator_cpu) * 1e6 / findings,
              (cpu_total - generator_cpu) * 1e6 / findings);
  fs::remove_all(dir);
  return drained && failed == 0 && decided.load() == static_cast<size_t>(findings) ? 0 : 1;
}
