#include <curl/curl.h>

#include <mutex>
#include <vector>

#include "aws/http.h"
#include "core/text.h"

namespace fixgate::aws {
namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

struct Sink {
  HttpResponse* response;
  size_t limit;
  bool overflow = false;
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t n = size * count;
  if (sink->response->body.size() + n > sink->limit) {
    sink->overflow = true;
    return 0;
  }
  sink->response->body.append(data, n);
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  if (starts_with(line, "HTTP/")) {
    sink->response->headers.clear();  // a new response (after 100-continue or a redirect)
    return n;
  }
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    sink->response->headers.emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
  }
  return n;
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlOptions options) : options_(std::move(options)) {
    static CurlGlobal global;
    (void)global;
  }
  ~CurlTransport() override {
    for (CURL* h : idle_) curl_easy_cleanup(h);
  }

  Result<HttpResponse> send(const std::string& scheme, const std::string& connect_authority,
                            const HttpRequest& request) override {
    CURL* handle = acquire();
    if (handle == nullptr) return make_error("aws.http.failed", "could not create a curl handle");
    HttpResponse response;
    Sink sink{&response, options_.max_response_bytes};

    std::string url = scheme + "://" + connect_authority + request.path;
    if (!request.query.empty()) url += "?" + encode_query(request.query);

    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers) {
      headers = curl_slist_append(headers, (name + ": " + value).c_str());
    }
    // Not signed, but curl would otherwise add them: no 100-continue round trip,
    // and no default Content-Type on bodies.
    headers = curl_slist_append(headers, "Expect:");
    if (request.header("content-type") == nullptr) headers = curl_slist_append(headers, "Content-Type:");

    curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
    curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
    if (!options_.ca_file.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, options_.ca_file.c_str());
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &sink);
    if (request.method == "GET") {
      curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
      curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
    } else {
      curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }

    const CURLcode rc = curl_easy_perform(handle);
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    release(handle);

    if (rc != CURLE_OK) {
      if (sink.overflow) {
        return make_error("aws.http.failed", "response from " + connect_authority + " exceeds " +
                                                 std::to_string(options_.max_response_bytes) + " bytes");
      }
      std::string what = std::string(curl_easy_strerror(rc)) + " (" + scheme + "://" + connect_authority + ")";
      if (rc == CURLE_OPERATION_TIMEDOUT) return make_error("aws.http.timeout", what);
      if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST) return make_error("aws.http.connect", what);
      return make_error("aws.http.failed", what);
    }
    response.status = static_cast<int>(status);
    return response;
  }

 private:
  CURL* acquire() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_.empty()) {
        CURL* h = idle_.back();
        idle_.pop_back();
        return h;
      }
    }
    return curl_easy_init();
  }
  void release(CURL* handle) {
    // Reset clears per-request options but keeps the connection cache alive.
    curl_easy_reset(handle);
    std::lock_guard<std::mutex> lock(mutex_);
    if (idle_.size() < options_.max_idle_handles) {
      idle_.push_back(handle);
      return;
    }
    curl_easy_cleanup(handle);
  }

  CurlOptions options_;
  std::mutex mutex_;
  std::vector<CURL*> idle_;
};

}  // namespace

const std::string* HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return &value;
  }
  return nullptr;
}

Result<Url> parse_url(std::string_view url) {
  auto bad = [&](const char* why) {
    return make_error("aws.endpoint.invalid", std::string(why) + ": \"" + escape_for_display(url) + "\"");
  };
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) return bad("endpoint URL has no scheme");
  Url out;
  out.scheme = to_lower(url.substr(0, sep));
  if (out.scheme != "http" && out.scheme != "https") return bad("endpoint URL scheme must be http or https");
  std::string_view rest = url.substr(sep + 3);
  const size_t slash = rest.find_first_of("/?#");
  out.authority = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos && rest[slash] == '/') {
    std::string_view path = rest.substr(slash);
    path = path.substr(0, path.find_first_of("?#"));
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    out.base_path = std::string(path);
  }
  if (out.authority.empty() || out.authority.find('@') != std::string::npos) return bad("endpoint URL has no valid host");
  if (out.authority.front() == '[') {
    const size_t close = out.authority.find(']');
    if (close == std::string::npos) return bad("endpoint URL has an unterminated IPv6 host");
    out.host = out.authority.substr(0, close + 1);
  } else {
    out.host = out.authority.substr(0, out.authority.find(':'));
  }
  if (out.host.empty()) return bad("endpoint URL has no host");
  return out;
}

}  // namespace fixgate::aws

namespace fixgate::aws {
std::unique_ptr<HttpTransport> make_curl_transport(CurlOptions options) {
  return std::make_unique<CurlTransport>(std::move(options));
}
}  // namespace fixgate::aws
