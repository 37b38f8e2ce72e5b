#include "approvals/rest.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <memory>
#include <optional>
#include <vector>

#include "core/text.h"

namespace fixgate::approvals {

namespace {

using Digest = std::array<unsigned char, 32>;

Digest sha256(std::string_view text) {
  Digest out{};
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), out.data(), &length, EVP_sha256(), nullptr);
  return out;
}

class TokenTable {
 public:
  explicit TokenTable(const ApiOptions& options) {
    for (const auto& [name, token] : options.tokens) entries_.push_back({name, sha256(token)});
  }
  // The approver whose token this is, or nullopt. Every entry is compared, so
  // the time taken does not say which one (if any) matched.
  std::optional<std::string> identify(std::string_view authorization) const {
    static constexpr std::string_view kScheme = "Bearer ";
    if (authorization.size() <= kScheme.size() || !iequals(authorization.substr(0, kScheme.size()), kScheme)) {
      return std::nullopt;
    }
    const Digest presented = sha256(trim(authorization.substr(kScheme.size())));
    const std::string* found = nullptr;
    for (const auto& entry : entries_) {
      if (CRYPTO_memcmp(presented.data(), entry.digest.data(), presented.size()) == 0) found = &entry.name;
    }
    if (found == nullptr) return std::nullopt;
    return *found;
  }

 private:
  struct Entry {
    std::string name;
    Digest digest;
  };
  std::vector<Entry> entries_;
};

void reply(httpd::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_body(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

void reply_error(httpd::Response& res, const Error& error) {
  int status = 500;
  if (error.code == "approvals.not_found") status = 404;
  else if (error.code == "approvals.self_approval") status = 403;
  else if (error.code == "approvals.not_pending") status = 409;
  else if (error.code == "approvals.expired") status = 410;
  else if (error.code == "approvals.reason_required" || error.code == "approvals.invalid_approver") status = 400;
  reply(res, status, {{"error", {{"code", error.code}, {"message", error.message}}}});
}

// Wraps a handler with authentication; the handler gets the approver's name.
httpd::SyncHandler authenticated(std::shared_ptr<const TokenTable> tokens,
                                 std::function<void(const httpd::Request&, httpd::Response&, const std::string&)> handler) {
  return [tokens, handler](const httpd::Request& req, httpd::Response& res) {
    const auto who = tokens->identify(req.header("Authorization"));
    if (!who) {
      res.set_header("WWW-Authenticate", "Bearer realm=\"fixgate-approvals\"");
      reply(res, 401, {{"error", {{"code", "approvals.unauthorized"}, {"message", "a valid bearer token is required"}}}});
      return;
    }
    handler(req, res, *who);
  };
}

// The JSON object body, or nullopt (400 already written). An empty body is {}.
std::optional<nlohmann::json> object_body(const httpd::Request& req, httpd::Response& res) {
  if (req.body.empty()) return nlohmann::json::object();
  nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
  if (!body.is_object()) {
    reply(res, 400, {{"error", {{"code", "approvals.bad_request"}, {"message", "the body must be a JSON object"}}}});
    return std::nullopt;
  }
  for (const char* key : {"note", "reason"}) {
    if (body.contains(key) && !body[key].is_string()) {
      reply(res, 400, {{"error", {{"code", "approvals.bad_request"}, {"message", std::string(key) + " must be a string"}}}});
      return std::nullopt;
    }
  }
  return body;
}

}  // namespace

Result<void> mount_approvals_api(httpd::Router& router, ApprovalService& service, const ApiOptions& options) {
  if (options.tokens.empty()) {
    return make_error("approvals.no_tokens", "approvals.api_tokens is empty: the approvals API would have no approver");
  }
  auto tokens = std::make_shared<const TokenTable>(options);
  ApprovalService* svc = &service;

  // Every route reads or writes the approvals store and the audit log (an
  // fsync), so they run on the server's blocking pool, never on an event loop.
  using httpd::Dispatch;
  router.add("GET", "/api/v1/approvals", authenticated(tokens, [svc](const httpd::Request& req, httpd::Response& res,
                                                                     const std::string&) {
    ListQuery query;
    if (const auto status = req.param("status")) {
      query.status = parse_status(*status);
      if (!query.status) {
        reply(res, 400, {{"error", {{"code", "approvals.bad_request"},
                                    {"message", "status must be pending, approved, denied or expired"}}}});
        return;
      }
    }
    auto listed = svc->list(query);
    if (!listed) return reply_error(res, listed.error());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : *listed) out.push_back(r.to_json());
    reply(res, 200, {{"approvals", out}});
  }), Dispatch::blocking);

  router.add_pattern("GET", R"(/api/v1/approvals/(apr-[0-9a-f]{16}))",
                     authenticated(tokens, [svc](const httpd::Request& req, httpd::Response& res, const std::string&) {
                       auto found = svc->get(req.captures.at(0));
                       if (!found) return reply_error(res, found.error());
                       reply(res, 200, found->to_json());
                     }),
                     Dispatch::blocking);

  router.add_pattern("POST", R"(/api/v1/approvals/(apr-[0-9a-f]{16})/approve)",
                     authenticated(tokens, [svc](const httpd::Request& req, httpd::Response& res, const std::string& who) {
                       const auto body = object_body(req, res);
                       if (!body) return;
                       auto approved = svc->approve(req.captures.at(0), who, body->value("note", ""));
                       if (!approved) return reply_error(res, approved.error());
                       reply(res, 200, approved->to_json());
                     }),
                     Dispatch::blocking);

  router.add_pattern("POST", R"(/api/v1/approvals/(apr-[0-9a-f]{16})/deny)",
                     authenticated(tokens, [svc](const httpd::Request& req, httpd::Response& res, const std::string& who) {
                       const auto body = object_body(req, res);
                       if (!body) return;
                       auto denied = svc->deny(req.captures.at(0), who, body->value("reason", ""));
                       if (!denied) return reply_error(res, denied.error());
                       reply(res, 200, denied->to_json());
                     }),
                     Dispatch::blocking);
  return {};
}

}  // namespace fixgate::approvals
