#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "sns/cert_fetcher.h"

namespace fixgate::sns {

namespace {

struct Sink {
  std::string body;
  size_t cap = 0;
  bool overflow = false;
};

size_t on_data(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t bytes = size * count;
  if (sink->body.size() + bytes > sink->cap) {
    sink->overflow = true;
    return 0;  // makes curl abort the transfer with CURLE_WRITE_ERROR
  }
  sink->body.append(data, bytes);
  return bytes;
}

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

CurlCertFetcher::CurlCertFetcher(CurlFetcherOptions options) : options_(options) { global_init_once(); }

Result<std::string> CurlCertFetcher::fetch(const std::string& url) {
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return make_error("sns.fetch_failed", "could not initialise libcurl");
  Sink sink;
  sink.cap = options_.max_body_bytes;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.max_body_bytes));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "fixgate-sns/1");
  if (!options_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());

  const CURLcode code = curl_easy_perform(h);
  if (sink.overflow || code == CURLE_FILESIZE_EXCEEDED) {
    return make_error("sns.fetch_too_large", "response from " + url + " exceeds " +
                                                 std::to_string(options_.max_body_bytes) + " bytes");
  }
  if (code != CURLE_OK) {
    const std::string detail = error_buffer[0] != 0 ? error_buffer : curl_easy_strerror(code);
    return make_error("sns.fetch_failed", "GET " + url + " failed: " + detail);
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status > 299) {
    return make_error("sns.fetch_failed", "GET " + url + " returned HTTP " + std::to_string(status));
  }
  return std::move(sink.body);
}

}  // namespace fixgate::sns
