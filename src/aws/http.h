// HTTP transport for the AWS client: one abstract interface (tests substitute their
// own) and a libcurl implementation.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "aws/sigv4.h"
#include "core/result.h"

namespace fixgate::aws {

struct HttpResponse {
  int status = 0;
  KeyValues headers;  // as received; names compare case-insensitively
  std::string body;

  const std::string* header(std::string_view name) const;
};

// Splits "https://host:port/base" into its parts. Fails with aws.endpoint.invalid
// (naming the URL) unless the scheme is http or https and a host is present.
struct Url {
  std::string scheme;     // "https"
  std::string authority;  // "host" or "host:port" (port kept only when given)
  std::string host;       // without port
  std::string base_path;  // "" or "/base" (no trailing slash)
};
Result<Url> parse_url(std::string_view url);

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends `request` to scheme://connect_authority (the Host header in the request may
  // differ, e.g. for host-prefixed endpoints). Any HTTP status is a success here;
  // failures to get a response are errors: aws.http.timeout (the deadline passed),
  // aws.http.connect (no connection), aws.http.failed (anything else).
  // Must be safe to call from several threads at once.
  virtual Result<HttpResponse> send(const std::string& scheme, const std::string& connect_authority,
                                    const HttpRequest& request) = 0;
};

struct CurlOptions {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{30000};
  bool verify_tls = true;     // never turned off outside tests against a loopback server
  std::string ca_file;        // optional CA bundle (tests with a self-signed loopback server)
  size_t max_idle_handles = 8;  // pooled easy handles, each keeping its connections alive
  size_t max_response_bytes = 64 * 1024 * 1024;
};

// libcurl transport. Easy handles are pooled and reused, so connections stay alive
// between calls to the same host. Thread-safe.
std::unique_ptr<HttpTransport> make_curl_transport(CurlOptions options = {});

}  // namespace fixgate::aws
