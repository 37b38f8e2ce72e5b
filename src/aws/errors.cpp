#include "aws/errors.h"

#include <array>
#include <ctime>
#include <nlohmann/json.hpp>

#include "aws/xml.h"
#include "core/text.h"

namespace fixgate::aws {
namespace {

template <size_t N>
bool one_of(std::string_view code, const std::array<std::string_view, N>& list) {
  for (auto c : list) {
    if (c == code) return true;
  }
  return false;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// "com.amazonaws.sqs#QueueDoesNotExist" / "AccessDeniedException:http://…" → bare code.
std::string sanitize_json_code(std::string_view raw) {
  if (const size_t colon = raw.find(':'); colon != std::string_view::npos) raw = raw.substr(0, colon);
  if (const size_t hash = raw.rfind('#'); hash != std::string_view::npos) raw = raw.substr(hash + 1);
  return trim(raw);
}

void fill_from_xml(AwsError& error, const XmlNode& root) {
  const XmlNode* err = nullptr;
  if (root.name == "Response") {
    err = root.find("Errors/Error");
    if (error.request_id.empty()) error.request_id = root.text_at("RequestID");
  } else if (root.name == "ErrorResponse") {
    err = root.child("Error");
    if (error.request_id.empty()) error.request_id = root.text_at("RequestId");
  } else if (root.name == "Error") {
    err = &root;
    if (error.request_id.empty()) error.request_id = root.text_at("RequestId");
  }
  if (err == nullptr) return;
  error.code = trim(err->text_at("Code"));
  error.message = trim(err->text_at("Message"));
  if (error.request_id.empty()) error.request_id = err->text_at("RequestId");
}

// Smithy's awsJson rule: the X-Amzn-Errortype header, else the body's "code", else
// its "__type".
void fill_from_json(AwsError& error, const KeyValues& headers, std::string_view body) {
  const auto doc = nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_object()) {
    for (const char* key : {"code", "__type", "Code"}) {
      const auto it = doc.find(key);
      if (it != doc.end() && it->is_string()) {
        error.code = sanitize_json_code(it->get<std::string>());
        break;
      }
    }
    for (const char* key : {"message", "Message", "errorMessage"}) {
      const auto it = doc.find(key);
      if (it != doc.end() && it->is_string()) {
        error.message = it->get<std::string>();
        break;
      }
    }
  }
  for (const auto& [name, value] : headers) {
    if (iequals(name, "x-amzn-errortype") && !sanitize_json_code(value).empty()) error.code = sanitize_json_code(value);
  }
  // Query-compatible services (SQS) send the legacy query error code in a header;
  // it wins so callers see the same codes as with the XML protocol.
  for (const auto& [name, value] : headers) {
    if (iequals(name, "x-amzn-query-error")) {
      const std::string code = trim(std::string_view(value).substr(0, value.find(';')));
      if (!code.empty()) error.code = code;
    }
  }
}

std::string status_code_name(int status) {
  switch (status) {
    case 400: return "BadRequest";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 429: return "TooManyRequests";
    default: return "Http" + std::to_string(status);
  }
}

}  // namespace

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::throttling: return "throttling";
    case ErrorKind::access_denied: return "access_denied";
    case ErrorKind::not_found: return "not_found";
    case ErrorKind::expired_token: return "expired_token";
    case ErrorKind::clock_skew: return "clock_skew";
    case ErrorKind::validation: return "validation";
    case ErrorKind::transient: return "transient";
    case ErrorKind::other: break;
  }
  return "other";
}

ErrorKind classify(std::string_view code, int status) {
  static constexpr std::array<std::string_view, 17> kThrottling = {
      "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
      "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
      "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown",
      "PriorRequestNotComplete", "EC2ThrottledException", "ThrottledError", "TooManyRequests",
      "AWS.SimpleQueueService.RequestThrottled"};
  static constexpr std::array<std::string_view, 3> kExpired = {"ExpiredToken", "ExpiredTokenException",
                                                               "TokenRefreshRequired"};
  static constexpr std::array<std::string_view, 3> kSkew = {"RequestTimeTooSkewed", "RequestInTheFuture",
                                                            "RequestExpired"};
  static constexpr std::array<std::string_view, 16> kDenied = {
      "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess", "AuthFailure",
      "InvalidClientTokenId", "SignatureDoesNotMatch", "IncompleteSignature", "MissingAuthenticationToken",
      "InvalidAccessKeyId", "UnrecognizedClientException", "OptInRequired", "AuthorizationError", "Forbidden",
      "AllAccessDisabled", "InvalidSignatureException"};
  static constexpr std::array<std::string_view, 8> kNotFound = {
      "NotFound", "NotFoundException", "ResourceNotFoundException", "QueueDoesNotExist",
      "AWS.SimpleQueueService.NonExistentQueue", "ServerSideEncryptionConfigurationNotFoundError", "NoSuchEntity",
      "NotFoundError"};
  static constexpr std::array<std::string_view, 19> kValidation = {
      "ValidationError", "ValidationException", "InvalidParameterValue", "InvalidParameterCombination",
      "InvalidParameter", "InvalidParameterException", "MissingParameter", "MalformedPolicyDocument",
      "InvalidInput", "InvalidRequest", "MalformedXML", "InvalidArgument", "InvalidAction", "InvalidQueryParameter",
      "InvalidParameterValueException", "MissingAction", "InvalidIdentityToken", "IDPRejectedClaim",
      "PackedPolicyTooLarge"};
  static constexpr std::array<std::string_view, 11> kTransient = {
      "InternalError", "InternalFailure", "InternalServerError", "InternalServerException", "ServiceUnavailable",
      "ServiceUnavailableException", "RequestTimeout", "RequestTimeoutException", "IDPCommunicationError",
      "NetworkError", "TimeoutError"};

  if (one_of(code, kThrottling)) return ErrorKind::throttling;
  if (one_of(code, kExpired)) return ErrorKind::expired_token;
  if (one_of(code, kSkew)) return ErrorKind::clock_skew;
  if (one_of(code, kDenied)) return ErrorKind::access_denied;
  if (one_of(code, kNotFound) || starts_with(code, "NoSuch") || ends_with(code, ".NotFound") ||
      ends_with(code, "NotFoundException")) {
    return ErrorKind::not_found;
  }
  if (one_of(code, kValidation) || ends_with(code, ".Malformed") || ends_with(code, ".Invalid")) {
    return ErrorKind::validation;
  }
  if (one_of(code, kTransient)) return ErrorKind::transient;
  if (status == 429) return ErrorKind::throttling;
  if (status >= 500) return ErrorKind::transient;
  if (status == 403) return ErrorKind::access_denied;
  if (status == 404) return ErrorKind::not_found;
  return ErrorKind::other;
}

std::string request_id_from_headers(const KeyValues& headers) {
  for (const char* name : {"x-amzn-RequestId", "x-amz-request-id", "x-amzn-request-id"}) {
    for (const auto& [key, value] : headers) {
      if (iequals(key, name)) return value;
    }
  }
  return {};
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) {
  std::tm tm{};
  const std::string copy = trim(text);
  const char* end = strptime(copy.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
  // Years past 2200 would overflow system_clock's nanosecond range.
  if (end == nullptr || tm.tm_year < 70 || tm.tm_year > 300) return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

AwsError parse_error_response(int http_status, const KeyValues& headers, std::string_view body) {
  AwsError error;
  error.http_status = http_status;
  error.request_id = request_id_from_headers(headers);
  for (const auto& [name, value] : headers) {
    if (iequals(name, "date")) error.server_time = parse_http_date(value);
  }
  size_t first = 0;
  while (first < body.size() && std::isspace(static_cast<unsigned char>(body[first]))) ++first;
  if (first < body.size() && body[first] == '<') {
    if (auto root = parse_xml(body); root.ok()) fill_from_xml(error, *root);
  } else {
    fill_from_json(error, headers, body);
  }
  if (error.code.empty()) error.code = status_code_name(http_status);
  error.kind = classify(error.code, http_status);
  return error;
}

Error AwsError::to_error() const {
  std::string text = operation.empty() ? std::string("AWS call") : operation;
  text += " failed: ";
  text += escape_for_display(code);
  if (!message.empty()) text += ": " + escape_for_display(message);
  text += " (";
  text += http_status > 0 ? "HTTP " + std::to_string(http_status) : std::string("no response");
  if (!request_id.empty()) text += ", request id " + escape_for_display(request_id);
  text += ")";
  return make_error(std::string("aws.") + to_string(kind), std::move(text));
}

}  // namespace fixgate::aws
