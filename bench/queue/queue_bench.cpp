// Durable enqueues per second (each one committed with synchronous=FULL before
// it returns), and the lease/ack cycle a worker runs. Files live in a fresh
// directory under /tmp, removed afterwards.
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <benchmark/benchmark.h>

#include "queue/durable_queue.h"

namespace fixgate::queue {
namespace {

// Temp files go under /tmp (the disk the state would live on). FIXGATE_BENCH_DIR
// may name another directory, e.g. a tmpfs to measure the software ceiling.
std::string bench_dir() {
  const char* dir = std::getenv("FIXGATE_BENCH_DIR");
  return dir != nullptr && *dir != '\0' ? dir : "/tmp";
}

class TempQueue {
 public:
  TempQueue() {
    std::string pattern = bench_dir() + "/fixgate-queue-bench-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    dir_ = pattern;
    auto q = open_sqlite_queue((dir_ / "queue.db").string());
    if (!q.ok()) std::abort();
    queue_ = std::move(q).value();
  }
  ~TempQueue() {
    queue_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  DurableQueue& queue() { return *queue_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<DurableQueue> queue_;
};

const std::string& sample_payload() {
  static const std::string payload(1500, 'x');  // a Wiz issue webhook is about this size
  return payload;
}

TempQueue* shared_queue = nullptr;

void BM_EnqueueDurable(benchmark::State& state) {
  if (state.thread_index() == 0) shared_queue = new TempQueue();
  // Threads wait at the start line until thread 0 has set the queue up.
  int64_t i = 0;
  for (auto _ : state) {
    auto r = shared_queue->queue().enqueue(
        "t" + std::to_string(state.thread_index()) + "-" + std::to_string(i++), sample_payload(),
        SourceMetadata{"webhook", {{"remote", "127.0.0.1"}}});
    if (!r.ok()) state.SkipWithError(r.error().message.c_str());
  }
  state.SetItemsProcessed(i);
  if (state.thread_index() == 0) {
    delete shared_queue;
    shared_queue = nullptr;
  }
}
BENCHMARK(BM_EnqueueDurable)->Threads(1)->Threads(4)->Threads(16)->UseRealTime()->MinTime(2.0);

void BM_LeaseAck(benchmark::State& state) {
  TempQueue temp;
  const auto batch = static_cast<size_t>(state.range(0));
  int64_t done = 0;
  int64_t key = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (size_t k = 0; k < batch; ++k) {
      if (!temp.queue().enqueue("k" + std::to_string(key++), sample_payload(), {}).ok()) std::abort();
    }
    state.ResumeTiming();
    auto leased = temp.queue().lease("bench", batch, std::chrono::seconds(30));
    if (!leased.ok()) state.SkipWithError(leased.error().message.c_str());
    for (const Message& m : *leased) {
      if (!temp.queue().ack(m.receipt).ok()) state.SkipWithError("ack failed");
    }
    done += static_cast<int64_t>(leased->size());
  }
  state.SetItemsProcessed(done);
}
BENCHMARK(BM_LeaseAck)->Arg(1)->Arg(10)->UseRealTime()->Iterations(200);

}  // namespace
}  // namespace fixgate::queue
