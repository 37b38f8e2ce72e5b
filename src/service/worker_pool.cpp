#include "service/worker_pool.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>

namespace fixgate::service {

using Clock = std::chrono::steady_clock;

struct WorkerPool::Metrics {
  metrics::CounterFamily* messages = nullptr;
  metrics::HistogramFamily* handle_seconds = nullptr;
  metrics::HistogramFamily* wait_seconds = nullptr;
  metrics::GaugeFamily* queue_messages = nullptr;
};

Result<std::unique_ptr<WorkerPool>> WorkerPool::create(queue::DurableQueue& queue, MessageHandler handler,
                                                       WorkerPoolOptions options, metrics::Registry& registry,
                                                       logging::Logger logger) {
  auto m = std::make_unique<Metrics>();
  const std::vector<double> seconds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  auto messages = registry.counter("fixgate_worker_messages_total",
                                   "Queue messages settled by the workers, by result.", {"result"});
  if (!messages) return messages.error();
  m->messages = *messages;
  auto handle = registry.histogram("fixgate_worker_handle_seconds",
                                   "Time to decide, act on and record one queued payload.", seconds);
  if (!handle) return handle.error();
  m->handle_seconds = *handle;
  auto wait = registry.histogram("fixgate_queue_wait_seconds",
                                 "Time from durable enqueue to a worker starting on the payload.", seconds);
  if (!wait) return wait.error();
  m->wait_seconds = *wait;
  auto depth = registry.gauge("fixgate_queue_messages",
                              "Queue messages by state (ready, delayed, in_flight, dead), sampled.", {"state"});
  if (!depth) return depth.error();
  m->queue_messages = *depth;
  if (options.workers == 0) options.workers = 1;
  if (options.lease_batch == 0) options.lease_batch = 1;
  if (options.heartbeat_interval.count() <= 0) {
    options.heartbeat_interval = std::max(std::chrono::milliseconds(10), options.visibility_timeout / 3);
  }
  return std::unique_ptr<WorkerPool>(
      new WorkerPool(queue, std::move(handler), std::move(options), std::move(m), std::move(logger)));
}

WorkerPool::WorkerPool(queue::DurableQueue& queue, MessageHandler handler, WorkerPoolOptions options,
                       std::unique_ptr<Metrics> metrics, logging::Logger logger)
    : queue_(queue),
      handler_(std::move(handler)),
      options_(std::move(options)),
      metrics_(std::move(metrics)),
      logger_(std::move(logger)) {}

WorkerPool::~WorkerPool() { stop(); }

void WorkerPool::start() {
  std::lock_guard lock(mutex_);
  if (started_) return;
  started_ = true;
  for (size_t i = 0; i < options_.workers; ++i) workers_.emplace_back([this, i] { run_worker(i); });
  heartbeat_ = std::thread([this] { heartbeat(); });
}

void WorkerPool::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  work_cv_.notify_one();
}

void WorkerPool::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!started_ || stopping_.load()) {
      stopping_.store(true);
      return;
    }
    stopping_.store(true);
  }
  work_cv_.notify_all();
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  {
    std::lock_guard lock(mutex_);
    beat_stop_ = true;
  }
  beat_cv_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
  const WorkerPoolStats s = stats();
  logger_.info("workers stopped", {{"acked", s.acked}, {"retried", s.retried}, {"dead_lettered", s.dead_lettered},
                                   {"released", s.released}});
}

WorkerPoolStats WorkerPool::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

size_t WorkerPool::in_flight() const {
  std::lock_guard lock(mutex_);
  return held_.size();
}

void WorkerPool::hold(const queue::Receipt& receipt) {
  std::lock_guard lock(mutex_);
  held_[receipt.id] = receipt;
}

void WorkerPool::drop(const queue::Receipt& receipt) {
  std::lock_guard lock(mutex_);
  held_.erase(receipt.id);
}

void WorkerPool::run_worker(size_t index) {
  if (options_.nice > 0) {
    // Lowering one's own priority needs no privilege; a failure only leaves
    // the default, which is what the pool had before.
    errno = 0;
    const int current = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
    if (errno == 0) (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), std::min(current + options_.nice, 19));
  }
  const std::string worker_id = options_.worker_id_prefix + "-" + std::to_string(index);
  while (!stopping_.load()) {
    auto leased = queue_.lease(worker_id, options_.lease_batch, options_.visibility_timeout);
    if (!leased) {
      {
        std::lock_guard lock(mutex_);
        ++stats_.queue_errors;
      }
      logger_.error("lease failed", {{"worker", worker_id}, {"error", leased.error().to_string()}});
    }
    if (!leased || leased->empty()) {
      std::unique_lock lock(mutex_);
      work_cv_.wait_for(lock, options_.idle_wait, [this] { return woken_ || stopping_.load(); });
      woken_ = false;
      continue;
    }
    std::deque<queue::Message> batch(std::make_move_iterator(leased->begin()), std::make_move_iterator(leased->end()));
    for (const auto& message : batch) hold(message.receipt);
    while (!batch.empty()) {
      queue::Message message = std::move(batch.front());
      batch.pop_front();
      if (stopping_.load()) {
        // Not started: give it back now rather than after the visibility timeout.
        auto released = queue_.release(message.receipt);
        drop(message.receipt);
        std::lock_guard lock(mutex_);
        if (released) {
          ++stats_.released;
          metrics_->messages->with({"released"}).inc();
        } else {
          ++stats_.queue_errors;
        }
        continue;
      }
      const double waited =
          std::chrono::duration<double>(std::chrono::system_clock::now() - message.enqueued_at).count();
      metrics_->wait_seconds->with({}).observe(std::max(0.0, waited));
      const auto begin = Clock::now();
      Result<void> handled = handler_(message);
      metrics_->handle_seconds->with({}).observe(std::chrono::duration<double>(Clock::now() - begin).count());
      settle(message, std::move(handled));
      drop(message.receipt);
    }
  }
}

void WorkerPool::settle(const queue::Message& message, Result<void> handled) {
  const std::string correlation = message.source.attributes.count("request_id") != 0
                                      ? message.source.attributes.at("request_id")
                                      : std::string();
  if (handled) {
    auto acked = queue_.ack(message.receipt);
    std::lock_guard lock(mutex_);
    if (acked) {
      ++stats_.acked;
      metrics_->messages->with({"acked"}).inc();
    } else {
      // The outcome is on record; a redelivery is recognised as already decided.
      ++stats_.queue_errors;
      logger_.log(logging::Level::warn, correlation, "ack failed",
                  {{"message_id", message.receipt.id}, {"error", acked.error().to_string()}});
    }
    return;
  }
  auto nacked = queue_.nack(message.receipt, handled.error().to_string());
  std::lock_guard lock(mutex_);
  if (!nacked) {
    ++stats_.queue_errors;
    logger_.log(logging::Level::error, correlation, "nack failed",
                {{"message_id", message.receipt.id}, {"error", nacked.error().to_string()}});
    return;
  }
  if (nacked->dead_lettered) {
    ++stats_.dead_lettered;
    metrics_->messages->with({"dead_lettered"}).inc();
    logger_.log(logging::Level::error, correlation, "dead-lettered",
                {{"message_id", message.receipt.id}, {"attempts", nacked->attempts},
                 {"error", handled.error().to_string()}});
  } else {
    ++stats_.retried;
    metrics_->messages->with({"retried"}).inc();
    logger_.log(logging::Level::warn, correlation, "will retry",
                {{"message_id", message.receipt.id}, {"attempts", nacked->attempts},
                 {"error", handled.error().to_string()}});
  }
}

void WorkerPool::heartbeat() {
  const auto sample_every = std::min<std::chrono::milliseconds>(options_.heartbeat_interval, std::chrono::seconds(1));
  auto next_extend = Clock::now() + options_.heartbeat_interval;
  std::unique_lock lock(mutex_);
  while (!beat_stop_) {
    beat_cv_.wait_for(lock, sample_every, [this] { return beat_stop_; });
    if (beat_stop_) break;
    std::vector<queue::Receipt> held;
    const bool extend_now = Clock::now() >= next_extend;
    if (extend_now) {
      for (const auto& [id, receipt] : held_) held.push_back(receipt);
      next_extend = Clock::now() + options_.heartbeat_interval;
    }
    lock.unlock();
    for (const auto& receipt : held) {
      // A stale lease here means the message was settled meanwhile: nothing to do.
      auto extended = queue_.extend(receipt, options_.visibility_timeout);
      if (!extended && extended.error().code != "queue.stale_lease" && extended.error().code != "queue.not_found") {
        logger_.warn("lease extension failed", {{"message_id", receipt.id}, {"error", extended.error().to_string()}});
      }
    }
    if (auto counts = queue_.counts()) {
      metrics_->queue_messages->with({"ready"}).set(static_cast<double>(counts->ready));
      metrics_->queue_messages->with({"delayed"}).set(static_cast<double>(counts->delayed));
      metrics_->queue_messages->with({"in_flight"}).set(static_cast<double>(counts->in_flight));
      metrics_->queue_messages->with({"dead"}).set(static_cast<double>(counts->dead));
    }
    lock.lock();
  }
}

}  // namespace fixgate::service
