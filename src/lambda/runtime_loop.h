// The `fixgate lambda` event loop: next invocation → SQS batch → response.
//
// Per invocation:
//  - a well-formed SQS event: every record's body goes through the handler
//    (the Engine); the response is {"batchItemFailures": [...]} listing the
//    records whose decision could not be recorded, so only they are retried
//    (and reach the queue's DLQ after maxReceiveCount);
//  - a malformed event (not JSON, not SQS, a record without messageId/body):
//    an invocation error (errorType "fixgate.MalformedEvent"), so Lambda
//    retries the whole batch rather than silently deleting it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "core/result.h"
#include "logging/logger.h"
#include "lambda/runtime_client.h"
#include "lambda/sqs_event.h"

namespace fixgate::lambda {

// JSON lines on stderr, component "lambda", a fresh run id, level info.
logging::Logger stderr_logger();

struct RuntimeOptions {
  // Records not started when less than this remains before the deadline are
  // reported as failures instead of being cut off by the timeout.
  std::chrono::milliseconds deadline_margin{3000};
  size_t max_invocations = 0;  // 0: until the Runtime API goes away (tests bound it)
  // Unix time in ms; default the system clock.
  std::function<std::int64_t()> now_ms;
  // One JSON line per invocation and per failed record, each carrying the
  // invocation's request id as correlation id; default stderr (CloudWatch Logs).
  logging::Logger logger = stderr_logger();
};

struct RuntimeStats {
  size_t invocations = 0;
  size_t records = 0;
  size_t failed_records = 0;
  size_t malformed_events = 0;
};

// Serves invocations until max_invocations (returns the stats) or until the
// Runtime API fails (returns that error: Lambda then restarts the environment).
Result<RuntimeStats> serve(RuntimeClient& client, const RecordHandler& handler, RuntimeOptions options = {});

}  // namespace fixgate::lambda
