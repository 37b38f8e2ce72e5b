#include "worker/worker.h"

#include <algorithm>
#include <thread>
#include <utility>

#include "core/text.h"

namespace fixgate::worker {

namespace {

// Errors a later attempt can get past; anything else (no such queue, access
// denied, a rejected parameter) stops the worker.
bool retryable(const Error& error) {
  return error.code == "aws.transient" || error.code == "aws.throttling" || error.code == "aws.clock_skew" ||
         error.code == "aws.expired_token" || starts_with(error.code, "sqs.response.");
}

// Sleeps up to `duration` in short slices so a stop request is seen promptly.
void sleep_unless_stopped(std::chrono::milliseconds duration, const std::function<bool()>& stopped) {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (!stopped() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(50),
        std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()) +
            std::chrono::milliseconds(1)));
  }
}

std::chrono::milliseconds heartbeat_interval(const WorkerOptions& options) {
  if (options.heartbeat_interval.count() > 0) return options.heartbeat_interval;
  const int visibility = options.receive.visibility_timeout.value_or(30);
  return std::chrono::milliseconds(std::max(1, visibility) * 1000 / 3);
}

}  // namespace

Worker::Worker(sqs::SqsQueue& queue, MessageHandler handler, WorkerOptions options)
    : queue_(queue),
      handler_(std::move(handler)),
      options_(std::move(options)),
      heartbeat_(queue_, options_.receive.visibility_timeout.value_or(30), heartbeat_interval(options_),
                 options_.log) {}

Result<std::unique_ptr<Worker>> Worker::create(sqs::SqsQueue& queue, MessageHandler handler, WorkerOptions options) {
  if (auto valid = sqs::validate(options.receive); !valid.ok()) return valid.error();
  if (!options.receive.visibility_timeout || *options.receive.visibility_timeout < 1) {
    return make_error("sqs.invalid_option", "visibility timeout must be set (at least 1 second) for the heartbeat");
  }
  if (options.concurrency < 1 || options.concurrency > 256) {
    return make_error("sqs.invalid_option",
                      "concurrency must be between 1 and 256, got " + std::to_string(options.concurrency));
  }
  if (!handler) return make_error("sqs.invalid_option", "no message handler");
  if (!options.log) options.log = stderr_log();
  return std::unique_ptr<Worker>(new Worker(queue, std::move(handler), std::move(options)));
}

Result<size_t> Worker::poll_once(const std::atomic<bool>& stop) {
  auto received = queue_.receive(options_.receive);
  if (!received.ok()) return received.error();
  const std::vector<sqs::Message>& messages = *received;
  stats_.received += messages.size();

  std::vector<std::uint64_t> tokens;
  tokens.reserve(messages.size());
  for (const auto& m : messages) tokens.push_back(heartbeat_.track(m.receipt_handle, m.describe()));

  std::vector<sqs::BatchEntry> handled;
  std::vector<std::string> labels;
  std::vector<std::uint64_t> handled_tokens;
  for (size_t i = 0; i < messages.size(); ++i) {
    const sqs::Message& m = messages[i];
    if (stopping(stop)) {
      // Not started: hand it straight back rather than hold it until the timeout.
      heartbeat_.untrack(tokens[i]);
      auto released = queue_.change_visibility(m.receipt_handle, 0);
      if (released.ok()) ++stats_.released;
      else options_.log("warn", "could not release " + m.describe() + ": " + released.error().to_string());
      continue;
    }
    auto outcome = handler_(m);
    if (outcome.ok()) {
      ++stats_.handled;
      handled.push_back({"m" + std::to_string(i), m.receipt_handle});
      labels.push_back(m.describe());
      handled_tokens.push_back(tokens[i]);
    } else {
      // Left in the queue: visible again after the timeout, to the DLQ past maxReceiveCount.
      ++stats_.failed;
      heartbeat_.untrack(tokens[i]);
      options_.log("error", "message " + m.describe() + " not recorded, left for redelivery: " +
                                outcome.error().to_string());
    }
  }
  delete_handled(handled, labels);
  for (const auto token : handled_tokens) heartbeat_.untrack(token);
  return messages.size();
}

void Worker::delete_handled(const std::vector<sqs::BatchEntry>& entries, const std::vector<std::string>& labels) {
  if (entries.empty()) return;
  auto failures = queue_.delete_batch(entries);
  if (!failures.ok()) {
    stats_.delete_failed += entries.size();
    options_.log("warn", "could not delete " + std::to_string(entries.size()) +
                             " recorded message(s); they will be delivered again and be no-ops: " +
                             failures.error().to_string());
    return;
  }
  stats_.deleted += entries.size() - failures->size();
  stats_.delete_failed += failures->size();
  for (const auto& f : *failures) {
    std::string label = f.id;
    for (size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].id == f.id) label = labels[i];
    }
    options_.log("warn", "could not delete recorded message " + label + " (" + escape_for_display(f.code) + ": " +
                             f.message + "); it will be delivered again and be a no-op");
  }
}

void Worker::poller(const std::atomic<bool>& stop) {
  std::chrono::milliseconds backoff = options_.error_backoff_min;
  while (!stopping(stop)) {
    auto polled = poll_once(stop);
    if (polled.ok()) {
      backoff = options_.error_backoff_min;
      continue;
    }
    ++stats_.receive_errors;
    if (!retryable(polled.error())) {
      std::lock_guard lock(fatal_mutex_);
      if (!fatal_error_) fatal_error_ = polled.error();
      fatal_ = true;
      return;
    }
    options_.log("warn", "receive failed, retrying in " + std::to_string(backoff.count()) +
                             " ms: " + polled.error().to_string());
    sleep_unless_stopped(backoff, [&] { return stopping(stop); });
    backoff = std::min(backoff * 2, options_.error_backoff_max);
  }
}

Result<void> Worker::run(const std::atomic<bool>& stop) {
  if (options_.concurrency == 1) {
    poller(stop);
  } else {
    std::vector<std::thread> threads;
    threads.reserve(options_.concurrency);
    for (int i = 0; i < options_.concurrency; ++i) threads.emplace_back([this, &stop] { poller(stop); });
    for (auto& t : threads) t.join();
  }
  std::lock_guard lock(fatal_mutex_);
  if (fatal_error_) return *fatal_error_;
  return {};
}

}  // namespace fixgate::worker
