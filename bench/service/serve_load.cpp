// Load generator for the embedded service (`fixgate serve` in-process): C
// keep-alive loopback connections post N distinct Wiz findings with the bearer
// token; the service queues them durably (group-committed fsync), and two
// workers decide and audit them meanwhile. Prints:
//   acked/s, request latency p50/p99/max   (HTTP 202 = durably queued)
//   end-to-end findings/s                  (first POST → last decision on record)
// Usage: serve_load [findings=5000] [connections=16] [full|normal] [workers=8]
// The findings decide to `notify` (unknown environment), so the end-to-end
// figure is the pipeline's (parse, decide, audit, queue ack), not the simulator's.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "../load_measure.h"
#include "service/service.h"

namespace {

using namespace fixgate;
using Clock = std::chrono::steady_clock;
using bench::percentile;
using bench::process_cpu_seconds;
using bench::thread_cpu_seconds;
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

  std::atomic<int> next{0};
  std::atomic<int> acked{0};
  std::atomic<int> failed{0};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(connections));
  // CPU seconds, which unlike rates do not depend on what else the machine runs;
  // the load generator's own share is measured per thread and set apart.
  std::mutex client_cpu_mutex;
  double client_cpu = 0;
  const double cpu_begin = process_cpu_seconds();
  const auto begin = Clock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < connections; ++c) {
    clients.emplace_back([&, c] {
      const double thread_cpu_begin = thread_cpu_seconds();
      httplib::Client client("127.0.0.1", *port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);  // else Nagle holds the body behind the headers for a delayed ACK (40 ms)
      client.set_read_timeout(30, 0);
      const httplib::Headers headers = {{"Authorization", std::string("Bearer ") + kToken}};
      for (int i = next++; i < findings; i = next++) {
        const auto start = Clock::now();
        auto res = client.Post("/v1/wiz", headers, bodies[static_cast<size_t>(i)], "application/json");
        latencies[static_cast<size_t>(c)].push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        if (res && res->status == 202) {
          ++acked;
        } else {
          ++failed;
          std::fprintf(stderr, "serve_load: request %d: %s\n", i,
                       res ? ("HTTP " + std::to_string(res->status) + " " + res->body).c_str()
                           : httplib::to_string(res.error()).c_str());
        }
      }
      client.stop();
      std::lock_guard lock(client_cpu_mutex);
      client_cpu += thread_cpu_seconds() - thread_cpu_begin;
    });
  }
  for (auto& t : clients) t.join();
  const double intake_s = std::chrono::duration<double>(Clock::now() - begin).count();
  const double cpu_intake = process_cpu_seconds() - cpu_begin;
  const bool drained = svc.wait_drained(std::chrono::minutes(10));
  const double total_s = std::chrono::duration<double>(Clock::now() - begin).count();
  const double cpu_total = process_cpu_seconds() - cpu_begin;
  svc.stop();

  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  std::printf("serve_load: %d findings, %d connections, durability=%s, %d workers, %u hardware threads\n", findings,
              connections, durability.c_str(), workers, std::thread::hardware_concurrency());
  std::printf("  intake:     %d acked, %d failed in %.2f s = %.0f acked/s; latency ms p50 %.2f p99 %.2f max %.2f\n",
              acked.load(), failed.load(), intake_s, acked.load() / intake_s, percentile(all, 0.50),
              percentile(all, 0.99), all.empty() ? 0.0 : all.back());
  std::printf("  end-to-end: %s in %.2f s = %.0f findings decided+audited/s\n", drained ? "drained" : "NOT drained",
              total_s, findings / total_s);
  std::printf("  cpu:        load generator %.0f us/request; service %.0f us/finding during intake (workers "
              "included), %.0f us/finding end to end\n",
              client_cpu * 1e6 / findings, (cpu_intake - client_cpu) * 1e6 / findings,
              (cpu_total - client_cpu) * 1e6 / findings);
  fs::remove_all(dir);
  return drained && failed.load() == 0 ? 0 : 1;
}
