// Messages per second through the SQS worker against fauxqs on loopback:
//  - BM_WorkerNoopHandler: receive (10 per call) + batch delete, no decision —
//    the transport's own cost;
//  - BM_WorkerEngine: the same with the Engine deciding and durably auditing each
//    Wiz finding (an unknown control: decided and recorded, no cloud call).
// Messages are enqueued with timing paused; each iteration drains one batch of 10.
#include <benchmark/benchmark.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "aws/credentials.h"
#include "aws/http.h"
#include "engine/engine.h"
#include "fauxqs_peer.h"
#include "sqs/sqs_client.h"
#include "worker/engine_handler.h"
#include "worker/worker.h"

namespace {

using namespace fixgate;
namespace fs = std::filesystem;

std::shared_ptr<aws::AwsClient> sqs_client(const std::string& endpoint) {
  aws::ClientConfig config;
  config.region = "us-east-1";
  config.endpoint_urls["SQS"] = endpoint;
  config.transport = aws::make_curl_transport();
  config.credentials = std::make_shared<aws::StaticCredentialsProvider>(
      aws::Credentials{"AKIDBENCH", "bench-secret", "", std::nullopt, "bench"});
  return std::make_shared<aws::AwsClient>(config);
}

std::string finding() {
  std::ifstream in(FIXGATE_SOURCE_DIR "/examples/findings/wiz-unknown-control.json", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void drain(benchmark::State& state, const std::string& name, worker::MessageHandler handler) {
  if (auto why = testing::FauxqsPeer::unavailable()) {
    state.SkipWithError(why->c_str());
    return;
  }
  testing::FauxqsPeer peer;
  const auto q = peer.setup(name, 5, 30);
  sqs::SqsClient queue(sqs_client(peer.endpoint()), q.queue_url);
  worker::WorkerOptions options;
  options.receive = sqs::ReceiveOptions{10, 0, 30};
  options.log = [](const char*, const std::string&) {};
  auto worker = worker::Worker::create(queue, std::move(handler), options);
  if (!worker.ok()) {
    state.SkipWithError(worker.error().message.c_str());
    return;
  }
  const std::string body = finding();
  std::atomic<bool> stop{false};
  for (auto _ : state) {
    state.PauseTiming();
    for (int i = 0; i < 10; ++i) peer.send(q.queue_url, body);
    state.ResumeTiming();
    size_t left = 10;
    while (left > 0) {
      auto got = (*worker)->poll_once(stop);
      if (!got.ok()) {
        state.SkipWithError(got.error().message.c_str());
        return;
      }
      left -= std::min(left, *got);
    }
  }
  state.SetItemsProcessed(state.iterations() * 10);
}

void BM_WorkerNoopHandler(benchmark::State& state) {
  drain(state, "bench-noop", [](const sqs::Message&) -> Result<void> { return {}; });
}
BENCHMARK(BM_WorkerNoopHandler)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_WorkerEngine(benchmark::State& state) {
  const fs::path dir = fs::temp_directory_path() / ("fixgate-worker-bench-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  engine::EngineOptions options;
  options.config_path = FIXGATE_SOURCE_DIR "/examples/fixgate.yaml";
  options.state_dir = dir.string();
  auto engine = engine::Engine::open(std::move(options));
  if (!engine.ok()) {
    state.SkipWithError(engine.error().message.c_str());
    return;
  }
  drain(state, "bench-engine", worker::engine_handler(**engine));
  engine->reset();
  fs::remove_all(dir);
}
BENCHMARK(BM_WorkerEngine)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
