// The AWS calls an action makes, as data, and the seam that performs them.
//
// An ApiCall names the service (the SDK's service id in lower case: "s3",
// "s3control", "ec2", "iam", "kms", "rds", "cloudtrail"), the operation (the API
// name, e.g. "PutPublicAccessBlock") and its input as JSON in the shape of the
// AWS API model (member names as in the API reference / botocore, e.g.
// {"Bucket": "b", "PublicAccessBlockConfiguration": {...}}). Responses come back in
// the same modelled shape. Keeping calls as data is what lets an action *plan*
// (show the exact calls) before it acts, audit them, and be tested against the
// cloud simulator or a fake without a mock per test.
//
// Errors: a failed call returns Error{code = "aws." + <AWS error code>, message}
// (e.g. "aws.AccessDenied", "aws.Throttling", "aws.NoSuchPublicAccessBlockConfiguration");
// transport failures use "aws.transport". The message carries the AWS request id
// when the service sent one.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace fixgate::actions {

struct ApiCall {
  std::string service;
  std::string operation;
  nlohmann::json params = nlohmann::json::object();
  std::string region;  // empty: the session's default region

  nlohmann::json to_json() const;
  bool operator==(const ApiCall&) const = default;
};

struct ApiResponse {
  nlohmann::json body = nlohmann::json::object();
  std::string request_id;
};

// Performs calls in one account with one set of (assumed-role) credentials.
// Implementations are used by one action run at a time; they need not be
// thread-safe unless they say so.
class CloudApi {
 public:
  virtual ~CloudApi() = default;
  virtual Result<ApiResponse> call(const ApiCall& call) = 0;
};

// The AWS error code of an error from CloudApi ("AccessDenied"), or "" when the
// error did not come from a call.
std::string aws_error_code(const Error& error);
Error aws_error(std::string_view aws_code, std::string message);

// Throttling and transient server errors AWS documents as retryable.
bool is_retryable(const Error& error);

struct RetryPolicy {
  int max_attempts = 4;  // including the first
  std::chrono::milliseconds base_delay{50};
  std::chrono::milliseconds max_delay{2000};
};

// Retries retryable errors with capped exponential back-off (full jitter would
// need a random source; the delay doubles deterministically so tests can assert
// it). `sleep` is injectable so tests do not wait. Any other error, or the last
// attempt's error, is returned as is. Counts retries for the audit record.
class RetryingCloudApi final : public CloudApi {
 public:
  using Sleeper = std::function<void(std::chrono::milliseconds)>;
  RetryingCloudApi(CloudApi& inner, RetryPolicy policy, Sleeper sleep = {});
  Result<ApiResponse> call(const ApiCall& call) override;
  int retries() const { return retries_; }

 private:
  CloudApi& inner_;
  RetryPolicy policy_;
  Sleeper sleep_;
  int retries_ = 0;
};

}  // namespace fixgate::actions
