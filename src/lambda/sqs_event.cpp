#include "lambda/sqs_event.h"

#include <exception>

#include "core/text.h"

namespace fixgate::lambda {

namespace {

Error malformed(const std::string& where, const std::string& what) {
  return make_error("lambda.malformed_event", where + ": " + what);
}

}  // namespace

Result<std::vector<SqsRecord>> parse_sqs_event(std::string_view event) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(event);
  } catch (const nlohmann::json::exception& e) {
    return malformed("event", std::string("not JSON (") + e.what() + ")");
  }
  if (!doc.is_object()) return malformed("event", "not a JSON object");
  const auto records = doc.find("Records");
  if (records == doc.end() || !records->is_array()) return malformed("Records", "missing or not a list");
  std::vector<SqsRecord> out;
  out.reserve(records->size());
  for (size_t i = 0; i < records->size(); ++i) {
    const auto& r = (*records)[i];
    const std::string where = "Records[" + std::to_string(i) + "]";
    if (!r.is_object()) return malformed(where, "not an object");
    const auto source = r.find("eventSource");
    if (source == r.end() || !source->is_string() || *source != "aws:sqs") {
      return malformed(where + ".eventSource", "not \"aws:sqs\" (fixgate lambda handles SQS event source mappings)");
    }
    SqsRecord rec;
    const auto id = r.find("messageId");
    if (id == r.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
      return malformed(where + ".messageId", "missing or not a non-empty string");
    }
    rec.message_id = id->get<std::string>();
    const auto body = r.find("body");
    if (body == r.end() || !body->is_string()) return malformed(where + ".body", "missing or not a string");
    rec.body = body->get<std::string>();
    if (const auto arn = r.find("eventSourceARN"); arn != r.end() && arn->is_string()) {
      rec.event_source_arn = arn->get<std::string>();
    }
    if (const auto attrs = r.find("attributes"); attrs != r.end() && attrs->is_object()) {
      if (const auto count = attrs->find("ApproximateReceiveCount"); count != attrs->end() && count->is_string()) {
        try {
          rec.receive_count = std::stoi(count->get<std::string>());
        } catch (const std::exception&) {
          return malformed(where + ".attributes.ApproximateReceiveCount",
                           "not a number: " + escape_for_display(count->get<std::string>()));
        }
      }
    }
    out.push_back(std::move(rec));
  }
  return out;
}

BatchReport handle_sqs_batch(const std::vector<SqsRecord>& records, const RecordHandler& handler,
                             const std::function<bool()>& out_of_time) {
  BatchReport report;
  nlohmann::json failures = nlohmann::json::array();
  auto fail = [&](const SqsRecord& record, std::string reason) {
    failures.push_back({{"itemIdentifier", record.message_id}});
    report.failed.push_back(record.message_id);
    report.reasons.push_back(std::move(reason));
  };
  for (const auto& record : records) {
    if (out_of_time && out_of_time()) {
      fail(record, "not started: the invocation is about to time out");
      continue;
    }
    Result<void> outcome = make_error("lambda.handler_failed", "not run");
    try {
      outcome = handler(record);
    } catch (const std::exception& e) {
      outcome = make_error("lambda.handler_failed", e.what());
    }
    if (!outcome.ok()) fail(record, outcome.error().to_string());
  }
  report.response = {{"batchItemFailures", std::move(failures)}};
  return report;
}

}  // namespace fixgate::lambda
