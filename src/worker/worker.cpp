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

// A logger whose lines go to `sink`, with the level read back from each line.
logging::Logger logger_into(const LogSink& sink, const logging::Logger& like) {
  logging::Writer writer = [sink](std::string_view line) {
    const auto doc = nlohmann::json::parse(line, nullptr, false);
    const std::string level = doc.is_object() ? doc.value("level", std::string("info")) : std::string("info");
    sink(level.c_str(), std::string(line));
  };
  return logging::Logger(like.component(), std::move(writer), nullptr, like.run_id());
}

nlohmann::json error_fields(const Error& error) { return {{"error_code", error.code}, {"error", error.message}}; }

nlohmann::json message_fields(const sqs::Message& message) {
  return {{"message_id", message.message_id}, {"receive_count", message.receive_count}};
}

}  // namespace

logging::Logger stderr_logger() {
  return logging::Logger("worker", logging::stderr_writer(), nullptr, logging::new_run_id());
}

Worker::Worker(sqs::SqsQueue& queue, MessageHandler handler, WorkerOptions options)
    : queue_(queue),
      handler_(std::move(handler)),
      options_(std::move(options)),
      heartbeat_(queue_, options_.receive.visibility_timeout.value_or(30), heartbeat_interval(options_),
                 options_.logger) {}

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
  if (options.log) options.logger = logger_into(options.log, options.logger);
  return std::unique_ptr<Worker>(new Worker(queue, std::move(handler), std::move(options)));
}

Result<size_t> Worker::poll_once(const std::atomic<bool>& stop) {
  auto received = queue_.receive(options_.receive);
  if (!received.ok()) return received.error();
  const std::vector<sqs::Message>& messages = *received;
  stats_.received += messages.size();

  std::vector<std::uint64_t> tokens;
  tokens.reserve(messages.size());
  for (const auto& m : messages) tokens.push_back(heartbeat_.track(m.receipt_handle, m.message_id));

  std::vector<sqs::BatchEntry> handled;
  std::vector<std::string> message_ids;
  std::vector<std::uint64_t> handled_tokens;
  for (size_t i = 0; i < messages.size(); ++i) {
    const sqs::Message& m = messages[i];
    if (stopping(stop)) {
      // Not started: hand it straight back rather than hold it until the timeout.
      heartbeat_.untrack(tokens[i]);
      auto released = queue_.change_visibility(m.receipt_handle, 0);
      if (released.ok()) ++stats_.released;
      else {
        nlohmann::json fields = message_fields(m);
        fields.update(error_fields(released.error()));
        options_.logger.warn("could not release a message received after stop; it becomes visible at its timeout",
                             fields);
      }
      continue;
    }
    auto outcome = handler_(m);
    if (outcome.ok()) {
      ++stats_.handled;
      handled.push_back({"m" + std::to_string(i), m.receipt_handle});
      message_ids.push_back(m.message_id);
      handled_tokens.push_back(tokens[i]);
    } else {
      // Left in the queue: visible again after the timeout, to the DLQ past maxReceiveCount.
      ++stats_.failed;
      heartbeat_.untrack(tokens[i]);
      nlohmann::json fields = message_fields(m);
      fields.update(error_fields(outcome.error()));
      options_.logger.error("message not recorded; left in the queue for redelivery", fields);
    }
  }
  delete_handled(handled, message_ids);
  for (const auto token : handled_tokens) heartbeat_.untrack(token);
  return messages.size();
}

void Worker::delete_handled(const std::vector<sqs::BatchEntry>& entries,
                            const std::vector<std::string>& message_ids) {
  if (entries.empty()) return;
  auto failures = queue_.delete_batch(entries);
  if (!failures.ok()) {
    stats_.delete_failed += entries.size();
    nlohmann::json fields = error_fields(failures.error());
    fields["message_ids"] = message_ids;
    options_.logger.warn("could not delete recorded messages; they will be delivered again and be no-ops", fields);
    return;
  }
  stats_.deleted += entries.size() - failures->size();
  stats_.delete_failed += failures->size();
  for (const auto& f : *failures) {
    std::string message_id = f.id;
    for (size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].id == f.id) message_id = message_ids[i];
    }
    options_.logger.warn("could not delete a recorded message; it will be delivered again and be a no-op",
                         {{"message_id", message_id}, {"error_code", f.code}, {"error", f.message}});
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
    nlohmann::json fields = error_fields(polled.error());
    fields["retry_in_ms"] = backoff.count();
    options_.logger.warn("receive failed; retrying", fields);
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
