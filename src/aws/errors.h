// Typed AWS errors: what every failed AWS call turns into.
//
// parse_error_response() reads the four error shapes AWS uses — EC2
// <Response><Errors><Error>, Query <ErrorResponse><Error>, S3 <Error>, and JSON
// (__type / code, with x-amzn-query-error overriding for query-compatible services)
// — and classify() maps the error code and HTTP status onto the small set of kinds
// callers branch on. Unknown codes keep their code and become `other`
// (or `transient` for 5xx), so nothing is lost.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "aws/sigv4.h"
#include "core/result.h"

namespace fixgate::aws {

enum class ErrorKind {
  throttling,     // Throttling, SlowDown, RequestLimitExceeded, TooManyRequestsException, 429 …
  access_denied,  // AccessDenied, UnauthorizedOperation, InvalidClientTokenId, SignatureDoesNotMatch …
  not_found,      // NoSuchEntity, NoSuchBucket, *.NotFound, ResourceNotFoundException, 404 …
  expired_token,  // ExpiredToken, ExpiredTokenException, RequestExpired
  clock_skew,     // RequestTimeTooSkewed, RequestInTheFuture, InvalidSignatureException with skew …
  validation,     // ValidationError, InvalidParameterValue, MalformedPolicyDocument, MissingParameter …
  transient,      // 5xx, InternalError, ServiceUnavailable, timeouts and connection failures
  other,
};
const char* to_string(ErrorKind kind);

struct AwsError {
  ErrorKind kind = ErrorKind::other;
  std::string code;        // AWS error code as sent, e.g. "AccessDenied"; "NetworkError" for transport failures
  std::string message;     // AWS message as sent (may be empty)
  std::string request_id;  // x-amzn-RequestId / x-amz-request-id / body RequestId; may be empty
  int http_status = 0;     // 0 when no response was received
  std::string operation;   // "STS.AssumeRole", filled in by the client
  std::optional<std::chrono::system_clock::time_point> server_time;  // response Date header, if any
  bool timeout = false;    // transport timeout (costs more retry quota)

  // "aws.<kind>" with a one-line message naming operation, code, status and request id.
  // The message passes AWS's text through escape_for_display.
  Error to_error() const;
};

ErrorKind classify(std::string_view code, int http_status);

// Builds the typed error for a non-2xx response. Never fails: an unreadable body still
// gives an error with the HTTP status, code "Http<status>" and kind by status.
AwsError parse_error_response(int http_status, const KeyValues& headers, std::string_view body);

// Request id from headers (x-amzn-RequestId, x-amz-request-id, x-amzn-request-id).
std::string request_id_from_headers(const KeyValues& headers);

// RFC 1123 HTTP Date ("Wed, 25 Nov 2026 12:00:00 GMT") to a time point.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

// A value or a typed AWS error. Convert to fixgate::Result at a component boundary
// with to_result() when the structured fields are not needed.
template <typename T>
class [[nodiscard]] AwsOutcome {
 public:
  AwsOutcome(T value) : state_(std::move(value)) {}         // NOLINT: implicit by design
  AwsOutcome(AwsError error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { check(); return std::get<0>(state_); }
  const T& value() const& { check(); return std::get<0>(state_); }
  T&& value() && { check(); return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const AwsError& error() const {
    if (ok()) abort_with("AwsOutcome::error() called on a value");
    return std::get<1>(state_);
  }
  Result<T> to_result() && {
    if (ok()) return std::get<0>(std::move(state_));
    return std::get<1>(state_).to_error();
  }

 private:
  void check() const {
    if (!ok()) abort_with(("AwsOutcome::value() called on error: " + std::get<1>(state_).to_error().to_string()).c_str());
  }
  [[noreturn]] static void abort_with(const char* what) {
    std::fprintf(stderr, "fixgate: fatal: %s\n", what);
    std::abort();
  }
  std::variant<T, AwsError> state_;
};

}  // namespace fixgate::aws
