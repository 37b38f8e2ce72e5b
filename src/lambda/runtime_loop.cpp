#include "lambda/runtime_loop.h"

namespace fixgate::lambda {

namespace {

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

logging::Logger stderr_logger() {
  return logging::Logger("lambda", logging::stderr_writer(), nullptr, logging::new_run_id());
}

Result<RuntimeStats> serve(RuntimeClient& client, const RecordHandler& handler, RuntimeOptions options) {
  if (!options.now_ms) options.now_ms = system_now_ms;
  RuntimeStats stats;
  while (options.max_invocations == 0 || stats.invocations < options.max_invocations) {
    auto invocation = client.next();
    if (!invocation.ok()) return invocation.error();
    ++stats.invocations;
    const Invocation& inv = *invocation;
    auto records = parse_sqs_event(inv.event);
    if (!records.ok()) {
      ++stats.malformed_events;
      options.logger.log(logging::Level::error, inv.request_id, "malformed event; the whole batch is retried",
                         {{"error_code", records.error().code}, {"error", records.error().message}});
      auto posted = client.invocation_error(inv.request_id, "fixgate.MalformedEvent", records.error().message);
      if (!posted.ok()) return posted.error();
      continue;
    }
    const std::int64_t deadline = inv.deadline_ms;
    auto out_of_time = [&] {
      return deadline > 0 && options.now_ms() + options.deadline_margin.count() >= deadline;
    };
    BatchReport report = handle_sqs_batch(*records, handler, out_of_time);
    stats.records += records->size();
    stats.failed_records += report.failed.size();
    for (size_t i = 0; i < report.failed.size(); ++i) {
      options.logger.log(logging::Level::warn, inv.request_id, "record reported for retry",
                         {{"message_id", report.failed[i]}, {"reason", report.reasons[i]}});
    }
    options.logger.log(report.failed.empty() ? logging::Level::info : logging::Level::warn, inv.request_id,
                       "invocation handled",
                       {{"records", records->size()}, {"reported_for_retry", report.failed.size()}});
    auto posted = client.respond(inv.request_id, report.response.dump());
    if (!posted.ok()) return posted.error();
  }
  return stats;
}

}  // namespace fixgate::lambda
