#include "aws/client.h"

#include <random>

#include "core/text.h"

namespace fixgate::aws {
namespace {

constexpr auto kSkewThreshold = std::chrono::minutes(5);

// Codes that mean "bad signature" and, when the server clock is far from ours, are
// really a clock problem (the SDKs treat them the same way).
bool may_be_clock_skew(const AwsError& error) {
  return error.kind == ErrorKind::clock_skew || error.code == "AuthFailure" ||
         error.code == "SignatureDoesNotMatch" || error.code == "InvalidSignatureException";
}

AwsError transport_error(const Error& error) {
  AwsError out;
  out.timeout = error.code == "aws.http.timeout";
  out.code = out.timeout ? "TimeoutError" : "NetworkError";
  out.kind = ErrorKind::transient;
  out.message = error.message;
  return out;
}

}  // namespace

AwsClient::AwsClient(ClientConfig config) : config_(std::move(config)) {
  if (!config_.clock) config_.clock = system_clock();
  if (!config_.quota) config_.quota = std::make_shared<RetryQuota>(config_.retry.initial_quota);
  if (!config_.random) {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    config_.random = [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
  }
  if (config_.retry.max_attempts < 1) config_.retry.max_attempts = 1;
}

std::string AwsClient::endpoint_url_for(const ServiceInfo& service) const {
  if (const auto it = config_.endpoint_urls.find(service.service_id); it != config_.endpoint_urls.end()) {
    return it->second;
  }
  return config_.endpoint_url;
}

void AwsClient::learn_clock(const std::optional<std::chrono::system_clock::time_point>& server_time, bool force) {
  if (!server_time) return;
  const auto local = config_.clock->now();
  const auto skew = std::chrono::duration_cast<std::chrono::seconds>(*server_time - local);
  const auto current = std::chrono::seconds(offset_seconds_.load());
  const auto drift = skew - current;
  if (force || drift > kSkewThreshold || drift < -kSkewThreshold) offset_seconds_.store(skew.count());
}

Result<std::pair<ResolvedEndpoint, HttpRequest>> AwsClient::prepare(const Operation& operation,
                                                                     const Credentials& credentials,
                                                                     std::chrono::system_clock::time_point time) const {
  auto endpoint = resolve_endpoint(operation, config_.region, endpoint_url_for(operation.service),
                                   config_.s3_force_path_style);
  if (!endpoint) return endpoint.error();
  HttpRequest request = serialize(operation, *endpoint);
  if (!credentials.access_key_id.empty()) {
    SigningParams params = SigningParams::for_service(operation.service.signing_name, endpoint->signing_region);
    params.add_content_sha256 = true;  // the AWS SDK for JavaScript v3 sends it to every service
    params.access_key_id = credentials.access_key_id;
    params.secret_access_key = credentials.secret_access_key;
    params.session_token = credentials.session_token;
    params.time = time;
    if (auto signed_ok = sign_request(request, params); !signed_ok) return signed_ok.error();
  }
  request.headers.emplace_back("User-Agent", config_.user_agent);
  return std::make_pair(std::move(*endpoint), std::move(request));
}

AwsOutcome<AwsResponse> AwsClient::call(const Operation& operation) {
  const std::string op_name = operation.service.service_id + "." + operation.name;
  auto fail = [&](AwsError error) {
    error.operation = op_name;
    return error;
  };
  if (!config_.transport) return fail(credentials_not_found("client has no HTTP transport"));

  int attempts = 0;
  int retries = 0;
  int last_retry_cost = 0;
  bool refreshed = false;
  bool skew_corrected = false;
  int budget = config_.retry.max_attempts;
  while (true) {
    ++attempts;
    Credentials credentials;
    if (config_.credentials) {
      auto got = config_.credentials->get();
      if (!got) return got.error();
      credentials = std::move(got.value());
    }
    const auto signing_time = config_.clock->now() + clock_offset();
    auto prepared = prepare(operation, credentials, signing_time);
    if (!prepared) {
      AwsError error;
      error.kind = ErrorKind::validation;
      error.code = "InvalidRequest";
      error.message = prepared.error().to_string();
      return fail(std::move(error));
    }
    const auto& [endpoint, request] = *prepared;
    auto sent = config_.transport->send(endpoint.scheme, endpoint.connect_authority, request);

    AwsError error;
    if (sent.ok()) {
      HttpResponse& response = sent.value();
      std::optional<std::chrono::system_clock::time_point> server_time;
      if (const std::string* date = response.header("date")) server_time = parse_http_date(*date);
      if (response.status >= 200 && response.status < 300) {
        learn_clock(server_time, false);
        AwsResponse out;
        out.status = response.status;
        out.request_id = request_id_from_headers(response.headers);
        out.attempts = attempts;
        const std::string trimmed = trim(response.body);
        const bool json = operation.service.protocol == Protocol::json_1_0 ||
                          operation.service.protocol == Protocol::json_1_1;
        if (!trimmed.empty() && !operation.raw_payload) {
          if (json) {
            out.json = nlohmann::json::parse(trimmed, nullptr, /*allow_exceptions=*/false);
            if (out.json.is_discarded()) {
              AwsError bad;
              bad.code = "MalformedResponse";
              bad.message = "response body is not valid JSON";
              bad.http_status = response.status;
              bad.request_id = out.request_id;
              return fail(std::move(bad));
            }
          } else {
            auto xml = parse_xml(trimmed);
            if (!xml) {
              AwsError bad;
              bad.code = "MalformedResponse";
              bad.message = xml.error().message;
              bad.http_status = response.status;
              bad.request_id = out.request_id;
              return fail(std::move(bad));
            }
            out.xml = std::move(xml.value());
            if (out.request_id.empty()) out.request_id = out.xml->text_at("ResponseMetadata/RequestId");
          }
        }
        out.headers = std::move(response.headers);
        out.body = std::move(response.body);
        config_.quota->release(last_retry_cost > 0 ? last_retry_cost : config_.retry.no_retry_increment);
        return out;
      }
      error = parse_error_response(response.status, response.headers, response.body);
      if (may_be_clock_skew(error) && error.server_time) {
        const auto skew = *error.server_time - config_.clock->now();
        if (skew > kSkewThreshold || skew < -kSkewThreshold) error.kind = ErrorKind::clock_skew;
      }
    } else {
      error = transport_error(sent.error());
    }
    error = fail(std::move(error));

    if (error.kind == ErrorKind::clock_skew && error.server_time && !skew_corrected) {
      learn_clock(error.server_time, true);
      skew_corrected = true;
      ++budget;  // a corrected clock earns one fresh attempt
      if (attempts < budget) continue;
    }
    if (error.kind == ErrorKind::expired_token && config_.credentials && !refreshed) {
      config_.credentials->invalidate();
      refreshed = true;
      ++budget;
      if (attempts < budget) continue;
    }
    if (!is_retryable(error) || attempts >= budget) return error;
    const int cost = error.timeout ? config_.retry.timeout_retry_cost : config_.retry.retry_cost;
    if (!config_.quota->try_acquire(cost)) return error;
    last_retry_cost = cost;
    double r = 0;
    {
      std::lock_guard<std::mutex> lock(random_mutex_);
      r = config_.random();
    }
    config_.clock->sleep(backoff_delay(config_.retry, retries, r));
    ++retries;
  }
}

}  // namespace fixgate::aws
