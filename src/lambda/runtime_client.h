// A client for the AWS Lambda Runtime API (version 2018-06-01), the small HTTP
// protocol a custom runtime speaks with the Lambda service inside its execution
// environment (AWS_LAMBDA_RUNTIME_API = "host:port"):
//   GET  /2018-06-01/runtime/invocation/next              → the next event
//   POST /2018-06-01/runtime/invocation/{request id}/response
//   POST /2018-06-01/runtime/invocation/{request id}/error
//   POST /2018-06-01/runtime/init/error
// Errors are posted as {"errorMessage", "errorType", "stackTrace": []} with the
// Lambda-Runtime-Function-Error-Type header and content type
// application/vnd.aws.lambda.error+json.
//
// Not thread-safe: one runtime loop owns one client.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"

namespace fixgate::lambda {

struct Invocation {
  std::string request_id;    // Lambda-Runtime-Aws-Request-Id
  std::int64_t deadline_ms = 0;  // Lambda-Runtime-Deadline-Ms: Unix time in ms when the invocation times out
  std::string function_arn;  // Lambda-Runtime-Invoked-Function-Arn
  std::string trace_id;      // Lambda-Runtime-Trace-Id (X-Ray), may be empty
  std::string event;         // the event document
};

class RuntimeClient {
 public:
  // `api` is "host:port" as in AWS_LAMBDA_RUNTIME_API. Fails with
  // "lambda.runtime_api" when it is empty or has no numeric port.
  static Result<std::unique_ptr<RuntimeClient>> connect(const std::string& api);
  // Reads AWS_LAMBDA_RUNTIME_API; the error says it is unset (not inside Lambda).
  static Result<std::unique_ptr<RuntimeClient>> from_environment();
  ~RuntimeClient();

  // Blocks until Lambda hands over the next invocation (no read timeout, as the
  // API documentation requires: the environment may be frozen in between). Sets
  // _X_AMZN_TRACE_ID from the trace header. Errors: "lambda.runtime_api" when the
  // API cannot be reached, answers non-200, or omits the request id.
  Result<Invocation> next();

  // Reports the invocation's result. Errors when the API does not answer 202.
  Result<void> respond(const std::string& request_id, const std::string& body);
  // Reports a failed invocation: Lambda retries the whole event.
  Result<void> invocation_error(const std::string& request_id, const std::string& error_type,
                                const std::string& message);
  // Reports that the runtime could not start (e.g. a bad configuration).
  Result<void> init_error(const std::string& error_type, const std::string& message);

 private:
  struct Impl;
  explicit RuntimeClient(std::unique_ptr<Impl> impl);
  Result<void> post(const std::string& path, const std::string& body, const std::string& content_type,
                    const std::string& error_type);
  std::unique_ptr<Impl> impl_;
};

// The error document Lambda expects: {"errorMessage", "errorType", "stackTrace": []}.
std::string error_document(const std::string& error_type, const std::string& message);

}  // namespace fixgate::lambda
