// AwsClient: sends any Operation (protocols.h) — endpoint, serialisation, SigV4,
// standard retries, clock-skew correction, one credential refresh on an expired
// token — and returns the parsed response or a typed AwsError.
//
// One client serves every service and region it is configured for; it is
// thread-safe and cheap to share.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "aws/credentials.h"
#include "aws/errors.h"
#include "aws/http.h"
#include "aws/protocols.h"
#include "aws/retry.h"
#include "aws/xml.h"

namespace fixgate::aws {

struct ClientConfig {
  std::string region;                                 // e.g. from resolve_region()
  std::shared_ptr<CredentialsProvider> credentials;   // null: send unsigned (AssumeRoleWithWebIdentity)
  std::shared_ptr<HttpTransport> transport;           // required
  std::shared_ptr<Clock> clock;                       // default system_clock()
  std::function<double()> random;                     // jitter source in [0,1); default std::mt19937
  RetryConfig retry;
  std::shared_ptr<RetryQuota> quota;                  // share between clients; default: own
  std::map<std::string, std::string> endpoint_urls;   // service id ("S3", "STS") → URL override
  std::string endpoint_url;                           // override for every service
  bool s3_force_path_style = false;
  std::string user_agent = "fixgate/0.1.0";
};

struct AwsResponse {
  int status = 0;
  KeyValues headers;
  std::string body;
  std::string request_id;
  std::optional<XmlNode> xml;  // XML protocols with a non-empty body
  nlohmann::json json;         // JSON protocols (null when the body is empty)
  int attempts = 1;
};

class AwsClient {
 public:
  explicit AwsClient(ClientConfig config);

  // Sends the operation. On a 2xx returns the parsed body (a body that does not parse
  // is an error with code "MalformedResponse"). Otherwise returns the typed error of
  // the last attempt with operation ("STS.AssumeRole"), code, message, request id and
  // status; transport failures have code NetworkError/TimeoutError, status 0.
  AwsOutcome<AwsResponse> call(const Operation& operation);

  // The exact signed request call() would send at `time` with these credentials
  // (wire tests, diagnostics). No I/O.
  Result<std::pair<ResolvedEndpoint, HttpRequest>> prepare(const Operation& operation, const Credentials& credentials,
                                                            std::chrono::system_clock::time_point time) const;

  // Correction learnt from the services' Date headers (server − local).
  std::chrono::seconds clock_offset() const { return std::chrono::seconds(offset_seconds_.load()); }
  const ClientConfig& config() const { return config_; }
  const RetryQuota& quota() const { return *config_.quota; }

 private:
  std::string endpoint_url_for(const ServiceInfo& service) const;
  void learn_clock(const std::optional<std::chrono::system_clock::time_point>& server_time, bool force);

  ClientConfig config_;
  std::atomic<long long> offset_seconds_{0};
  std::mutex random_mutex_;
};

}  // namespace fixgate::aws
