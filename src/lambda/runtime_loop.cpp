#include "lambda/runtime_loop.h"

#include <cstdio>

#include "core/text.h"

namespace fixgate::lambda {

namespace {

std::int64_t system_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void stderr_line(const std::string& line) {
  const std::string text = "fixgate lambda: " + line + "\n";
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace

Result<RuntimeStats> serve(RuntimeClient& client, const RecordHandler& handler, RuntimeOptions options) {
  if (!options.now_ms) options.now_ms = system_now_ms;
  if (!options.log) options.log = stderr_line;
  RuntimeStats stats;
  while (options.max_invocations == 0 || stats.invocations < options.max_invocations) {
    auto invocation = client.next();
    if (!invocation.ok()) return invocation.error();
    ++stats.invocations;
    const Invocation& inv = *invocation;
    auto records = parse_sqs_event(inv.event);
    if (!records.ok()) {
      ++stats.malformed_events;
      options.log("invocation " + inv.request_id + ": " + records.error().to_string());
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
      options.log("invocation " + inv.request_id + ": record " + escape_for_display(report.failed[i]) +
                  " reported for retry: " + report.reasons[i]);
    }
    options.log("invocation " + inv.request_id + ": " + std::to_string(records->size()) + " record(s), " +
                std::to_string(report.failed.size()) + " reported for retry");
    auto posted = client.respond(inv.request_id, report.response.dump());
    if (!posted.ok()) return posted.error();
  }
  return stats;
}

}  // namespace fixgate::lambda
