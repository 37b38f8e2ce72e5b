// The SQS event Lambda's event source mapping delivers ({"Records": [...]}, up
// to 10 000 records, each with messageId, receiptHandle, body, attributes,
// eventSource "aws:sqs") and the partial-batch response it reads back:
// {"batchItemFailures": [{"itemIdentifier": "<messageId>"}]} (needs
// ReportBatchItemFailures on the mapping). Only the listed records are retried;
// every other record of the batch is deleted by Lambda.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace fixgate::lambda {

struct SqsRecord {
  std::string message_id;
  std::string body;
  std::string event_source_arn;
  int receive_count = 0;  // attributes.ApproximateReceiveCount; 0 when absent
};

// Parses an SQS event. Fails ("lambda.malformed_event", naming the field, e.g.
// "Records[3].messageId") when the document is not JSON, has no Records list, a
// record is not from aws:sqs, or a record has no usable messageId or body — a
// record Lambda could not be told about individually, so the whole batch must
// be retried.
Result<std::vector<SqsRecord>> parse_sqs_event(std::string_view event);

// Handles one record: success once its outcome is on record.
using RecordHandler = std::function<Result<void>(const SqsRecord& record)>;

struct BatchReport {
  nlohmann::json response;            // {"batchItemFailures": [...]}
  std::vector<std::string> failed;    // message ids reported
  std::vector<std::string> reasons;   // one per failed id: why (for the log)
};

// Runs every record through `handler` in order and reports the ones that failed.
// Once `out_of_time()` returns true, the remaining records are not started and
// are reported as failures, so Lambda retries them instead of losing the batch
// to a timeout.
BatchReport handle_sqs_batch(const std::vector<SqsRecord>& records, const RecordHandler& handler,
                             const std::function<bool()>& out_of_time);

}  // namespace fixgate::lambda
