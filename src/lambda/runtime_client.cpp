#include "lambda/runtime_client.h"

#include <httplib.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/text.h"

namespace fixgate::lambda {

namespace {

constexpr const char* kBase = "/2018-06-01/runtime";

Error api_error(const std::string& what) { return make_error("lambda.runtime_api", what); }

// Request ids go into a URL path: only the characters Lambda uses (UUIDs) pass.
bool safe_request_id(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (const char c : id) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
                    c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

struct RuntimeClient::Impl {
  std::string api;
  httplib::Client client;
  Impl(std::string a, const std::string& host, int port) : api(std::move(a)), client(host, port) {}
};

RuntimeClient::RuntimeClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RuntimeClient::~RuntimeClient() = default;

std::string error_document(const std::string& error_type, const std::string& message) {
  nlohmann::json doc = {{"errorMessage", message}, {"errorType", error_type}, {"stackTrace", nlohmann::json::array()}};
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::unique_ptr<RuntimeClient>> RuntimeClient::connect(const std::string& api) {
  const auto colon = api.rfind(':');
  if (api.empty() || colon == std::string::npos || colon == 0 || colon + 1 == api.size()) {
    return api_error("AWS_LAMBDA_RUNTIME_API must be host:port, got '" + escape_for_display(api) + "'");
  }
  const std::string host = api.substr(0, colon);
  const std::string port_text = api.substr(colon + 1);
  int port = 0;
  for (const char c : port_text) {
    if (c < '0' || c > '9' || port > 65535) {
      return api_error("AWS_LAMBDA_RUNTIME_API has no numeric port: '" + escape_for_display(api) + "'");
    }
    port = port * 10 + (c - '0');
  }
  if (port < 1 || port > 65535) return api_error("AWS_LAMBDA_RUNTIME_API port out of range: " + port_text);
  auto impl = std::make_unique<Impl>(api, host, port);
  impl->client.set_keep_alive(true);
  impl->client.set_connection_timeout(5, 0);
  impl->client.set_write_timeout(30, 0);
  // "Do not set a timeout on the GET request": a day stands for none.
  impl->client.set_read_timeout(24 * 3600, 0);
  return std::unique_ptr<RuntimeClient>(new RuntimeClient(std::move(impl)));
}

Result<std::unique_ptr<RuntimeClient>> RuntimeClient::from_environment() {
  const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (api == nullptr || *api == '\0') {
    return api_error("AWS_LAMBDA_RUNTIME_API is not set: `fixgate lambda` runs inside AWS Lambda (custom runtime)");
  }
  return connect(api);
}

Result<Invocation> RuntimeClient::next() {
  auto res = impl_->client.Get(std::string(kBase) + "/invocation/next");
  if (!res) {
    return api_error("GET invocation/next on " + impl_->api + " failed: " + httplib::to_string(res.error()));
  }
  if (res->status != 200) return api_error("GET invocation/next answered " + std::to_string(res->status));
  Invocation inv;
  inv.request_id = res->get_header_value("Lambda-Runtime-Aws-Request-Id");
  if (!safe_request_id(inv.request_id)) {
    return api_error("invocation/next: missing or unusable Lambda-Runtime-Aws-Request-Id '" +
                     escape_for_display(inv.request_id) + "'");
  }
  const std::string deadline = res->get_header_value("Lambda-Runtime-Deadline-Ms");
  try {
    inv.deadline_ms = deadline.empty() ? 0 : std::stoll(deadline);
  } catch (const std::exception&) {
    return api_error("invocation/next: Lambda-Runtime-Deadline-Ms is not a number: '" +
                     escape_for_display(deadline) + "'");
  }
  inv.function_arn = res->get_header_value("Lambda-Runtime-Invoked-Function-Arn");
  inv.trace_id = res->get_header_value("Lambda-Runtime-Trace-Id");
  if (!inv.trace_id.empty()) ::setenv("_X_AMZN_TRACE_ID", inv.trace_id.c_str(), 1);
  else ::unsetenv("_X_AMZN_TRACE_ID");
  inv.event = std::move(res->body);
  return inv;
}

Result<void> RuntimeClient::post(const std::string& path, const std::string& body, const std::string& content_type,
                                 const std::string& error_type) {
  httplib::Headers headers;
  if (!error_type.empty()) headers.emplace("Lambda-Runtime-Function-Error-Type", error_type);
  auto res = impl_->client.Post(path, headers, body, content_type);
  if (!res) return api_error("POST " + path + " failed: " + httplib::to_string(res.error()));
  if (res->status != 202) {
    return api_error("POST " + path + " answered " + std::to_string(res->status) + ": " +
                     escape_for_display(res->body.substr(0, 200)));
  }
  return {};
}

Result<void> RuntimeClient::respond(const std::string& request_id, const std::string& body) {
  if (!safe_request_id(request_id)) return api_error("unusable request id '" + escape_for_display(request_id) + "'");
  return post(std::string(kBase) + "/invocation/" + request_id + "/response", body, "application/json", "");
}

Result<void> RuntimeClient::invocation_error(const std::string& request_id, const std::string& error_type,
                                             const std::string& message) {
  if (!safe_request_id(request_id)) return api_error("unusable request id '" + escape_for_display(request_id) + "'");
  return post(std::string(kBase) + "/invocation/" + request_id + "/error", error_document(error_type, message),
              "application/vnd.aws.lambda.error+json", error_type);
}

Result<void> RuntimeClient::init_error(const std::string& error_type, const std::string& message) {
  return post(std::string(kBase) + "/init/error", error_document(error_type, message),
              "application/vnd.aws.lambda.error+json", error_type);
}

}  // namespace fixgate::lambda
