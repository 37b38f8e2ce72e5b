#include "actions/cloud_api.h"

#include <algorithm>
#include <array>
#include <thread>

namespace fixgate::actions {

nlohmann::json ApiCall::to_json() const {
  nlohmann::json out = {{"service", service}, {"operation", operation}, {"params", params}};
  if (!region.empty()) out["region"] = region;
  return out;
}

std::string aws_error_code(const Error& error) {
  constexpr std::string_view prefix = "aws.";
  if (error.code.rfind(prefix, 0) != 0) return "";
  return error.code.substr(prefix.size());
}

Error aws_error(std::string_view aws_code, std::string message) {
  return make_error("aws." + std::string(aws_code), std::move(message));
}

bool is_retryable(const Error& error) {
  static constexpr std::array<std::string_view, 13> kRetryable = {
      "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
      "TooManyRequestsException", "RequestLimitExceeded", "SlowDown", "RequestThrottled",
      "ProvisionedThroughputExceededException", "InternalError", "InternalFailure",
      "ServiceUnavailable", "transport"};
  const std::string code = aws_error_code(error);
  return std::find(kRetryable.begin(), kRetryable.end(), code) != kRetryable.end();
}

RetryingCloudApi::RetryingCloudApi(CloudApi& inner, RetryPolicy policy, Sleeper sleep)
    : inner_(inner), policy_(policy), sleep_(std::move(sleep)) {
  if (!sleep_) sleep_ = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  policy_.max_attempts = std::max(1, policy_.max_attempts);
}

Result<ApiResponse> RetryingCloudApi::call(const ApiCall& call) {
  std::chrono::milliseconds delay = policy_.base_delay;
  for (int attempt = 1;; ++attempt) {
    Result<ApiResponse> result = inner_.call(call);
    if (result.ok() || attempt >= policy_.max_attempts || !is_retryable(result.error())) return result;
    ++retries_;
    sleep_(delay);
    delay = std::min(policy_.max_delay, delay * 2);
  }
}

}  // namespace fixgate::actions
