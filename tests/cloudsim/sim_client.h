// Test helper: sends hand-built requests to a running Simulator, signed with
// fixgate's own SigV4 signer (aws/sigv4.h), and parses XML replies with pugixml.
#pragma once

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <pugixml.hpp>

#include "aws/crypto.h"
#include "aws/sigv4.h"

namespace fixgate::cloudsim::testing {

inline constexpr const char* kPlatformKey = "AKIDEXAMPLE";
inline constexpr const char* kPlatformSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

struct Creds {
  std::string key = kPlatformKey;
  std::string secret = kPlatformSecret;
  std::string token;
};

struct Resp {
  int status = 0;
  std::string body;
  httplib::Headers headers;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class SimClient {
 public:
  explicit SimClient(int port) : port_(port) {}

  Creds creds;
  std::string region = "us-east-1";
  std::chrono::system_clock::time_point time{};  // zero: now
  std::string host_override;

  // Signs and sends; extra headers are signed too.
  Resp send(const std::string& service, aws::HttpRequest req) {
    req.set_header("host", host_override.empty() ? "127.0.0.1:" + std::to_string(port_) : host_override);
    aws::SigningParams p = aws::SigningParams::for_service(service, region);
    p.access_key_id = creds.key;
    p.secret_access_key = creds.secret;
    p.session_token = creds.token;
    p.time = time == std::chrono::system_clock::time_point{} ? std::chrono::system_clock::now() : time;
    auto signed_ok = aws::sign_request(req, p);
    if (!signed_ok.ok()) return Resp{-1, signed_ok.error().to_string(), {}};
    return raw(req);
  }

  // Sends without signing (the request must carry whatever headers it needs).
  Resp raw(const aws::HttpRequest& req) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(10, 0);
    httplib::Headers headers;
    std::string content_type = "application/octet-stream";
    for (const auto& [k, v] : req.headers) {
      if (k == "content-type" || k == "Content-Type") content_type = v;
      else headers.emplace(k, v);
    }
    std::string target = req.path;
    if (!req.query.empty()) target += "?" + aws::encode_query(req.query);
    auto issue = [&]() -> httplib::Result {
      if (req.method == "GET") return client.Get(target.c_str(), headers);
      if (req.method == "DELETE") return client.Delete(target.c_str(), headers, req.body, content_type.c_str());
      if (req.method == "PUT") return client.Put(target.c_str(), headers, req.body, content_type.c_str());
      return client.Post(target.c_str(), headers, req.body, content_type.c_str());
    };
    httplib::Result r = issue();
    if (!r) return Resp{-1, "connection failed", {}};
    return Resp{r->status, r->body, r->headers};
  }

  // Query / EC2 protocol: POST form body with Action and Version.
  Resp query(const std::string& service, const std::string& action,
             std::vector<std::pair<std::string, std::string>> params = {}) {
    aws::HttpRequest req;
    req.method = "POST";
    req.path = "/";
    params.insert(params.begin(), {"Action", action});
    params.insert(params.begin() + 1, {"Version", version(service)});
    req.body = aws::encode_query(params);
    req.headers.push_back({"content-type", "application/x-www-form-urlencoded; charset=utf-8"});
    return send(service, std::move(req));
  }

  // JSON 1.1 protocol.
  Resp json(const std::string& service, const std::string& target, const std::string& body) {
    aws::HttpRequest req;
    req.method = "POST";
    req.path = "/";
    req.body = body;
    req.headers.push_back({"content-type", "application/x-amz-json-1.1"});
    req.headers.push_back({"x-amz-target", target});
    return send(service, std::move(req));
  }

  // S3 REST: path-style unless host_override names a virtual host.
  Resp s3(const std::string& method, const std::string& path, const std::string& subresource,
          const std::string& body = "", std::vector<std::pair<std::string, std::string>> headers = {}) {
    aws::HttpRequest req;
    req.method = method;
    req.path = path;
    req.query.push_back({subresource, ""});
    req.body = body;
    for (auto& h : headers) req.headers.push_back(h);
    if (!body.empty() && std::none_of(headers.begin(), headers.end(), [](auto& h) { return h.first == "content-md5"; })) {
      req.headers.push_back({"content-md5", aws::base64_encode(aws::md5(body))});
    }
    return send("s3", std::move(req));
  }

  static std::string version(const std::string& service) {
    if (service == "sts") return "2011-06-15";
    if (service == "iam") return "2010-05-08";
    if (service == "rds") return "2014-10-31";
    return "2016-11-15";
  }

 private:
  int port_;
};

// Parses XML and returns the text of the first element with this name anywhere.
inline std::string xml_text(const std::string& xml, const std::string& name) {
  pugi::xml_document doc;
  if (!doc.load_string(xml.c_str())) return "<unparseable>";
  pugi::xml_node n = doc.find_node([&](pugi::xml_node node) { return name == node.name(); });
  return n ? n.text().as_string() : "";
}

inline size_t xml_count(const std::string& xml, const std::string& name) {
  pugi::xml_document doc;
  if (!doc.load_string(xml.c_str())) return 0;
  size_t count = 0;
  for (pugi::xpath_node n : doc.select_nodes(("//" + name).c_str())) {
    (void)n;
    ++count;
  }
  return count;
}

}  // namespace fixgate::cloudsim::testing
