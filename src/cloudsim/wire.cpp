#include "cloudsim/wire.h"

#include <atomic>
#include <cstdio>
#include <random>

#include <nlohmann/json.hpp>

namespace fixgate::cloudsim {

std::string Call::param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

std::string Call::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t': out += "&#9;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      default:
        if (c < 0x20 || c == 0x7f) break;  // not representable in XML 1.0: dropped
        out.push_back(ch);
    }
  }
  return out;
}

Xml& Xml::open(const std::string& name, const std::string& attributes) {
  out_ += "<" + name + (attributes.empty() ? "" : " " + attributes) + ">";
  return *this;
}

Xml& Xml::close(const std::string& name) {
  out_ += "</" + name + ">";
  return *this;
}

Xml& Xml::leaf(const std::string& name, const std::string& text) {
  out_ += "<" + name + ">" + xml_escape(text) + "</" + name + ">";
  return *this;
}

std::string query_namespace(const std::string& service) {
  if (service == "sts") return "https://sts.amazonaws.com/doc/2011-06-15/";
  if (service == "iam") return "https://iam.amazonaws.com/doc/2010-05-08/";
  if (service == "rds") return "http://rds.amazonaws.com/doc/2014-10-31/";
  if (service == "ec2") return "http://ec2.amazonaws.com/doc/2016-11-15/";
  return "https://" + service + ".amazonaws.com/doc/";
}

Reply query_ok(const Call& call, const std::string& result_xml, bool has_result) {
  Reply r;
  r.content_type = "text/xml";
  Xml x;
  x.open(call.operation + "Response", "xmlns=\"" + query_namespace(call.service) + "\"");
  if (has_result) x.open(call.operation + "Result").raw(result_xml).close(call.operation + "Result");
  x.open("ResponseMetadata").leaf("RequestId", call.request_id).close("ResponseMetadata");
  x.close(call.operation + "Response");
  r.body = x.str();
  r.headers["x-amzn-RequestId"] = call.request_id;
  return r;
}

Reply ec2_ok(const Call& call, const std::string& inner_xml) {
  Reply r;
  r.content_type = "text/xml;charset=UTF-8";
  Xml x;
  x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  x.open(call.operation + "Response", "xmlns=\"" + query_namespace("ec2") + "\"");
  x.leaf("requestId", call.request_id).raw(inner_xml);
  x.close(call.operation + "Response");
  r.body = x.str();
  r.headers["x-amzn-RequestId"] = call.request_id;
  return r;
}

namespace {
std::string s3_host_id() { return "c2ltdWxhdGVkLWhvc3QtaWQtZm9yLWZpeGdhdGUtY2xvdWRzaW0="; }
}  // namespace

Reply s3_ok(const Call& call, int status, const std::string& xml_body) {
  Reply r;
  r.status = status;
  if (!xml_body.empty()) {
    r.content_type = "application/xml";
    r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + xml_body;
  }
  r.headers["x-amz-request-id"] = call.request_id;
  r.headers["x-amz-id-2"] = s3_host_id();
  return r;
}

Reply json_ok(const Call& call, const std::string& json_body) {
  Reply r;
  r.content_type = "application/x-amz-json-1.1";
  r.body = json_body;
  r.headers["x-amzn-RequestId"] = call.request_id;
  return r;
}

Reply render_error(Protocol protocol, const ApiError& e, const std::string& request_id) {
  Reply r;
  r.status = e.status;
  Xml x;
  switch (protocol) {
    case Protocol::kQuery:
      r.content_type = "text/xml";
      x.open("ErrorResponse", "xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"")
          .open("Error")
          .leaf("Type", std::string(e.sender ? "Sender" : "Receiver"))
          .leaf("Code", e.code)
          .leaf("Message", e.message)
          .close("Error")
          .leaf("RequestId", request_id)
          .close("ErrorResponse");
      r.body = x.str();
      r.headers["x-amzn-RequestId"] = request_id;
      break;
    case Protocol::kEc2:
      r.content_type = "text/xml;charset=UTF-8";
      x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
          .open("Response")
          .open("Errors")
          .open("Error")
          .leaf("Code", e.code)
          .leaf("Message", e.message)
          .close("Error")
          .close("Errors")
          .leaf("RequestID", request_id)
          .close("Response");
      r.body = x.str();
      r.headers["x-amzn-RequestId"] = request_id;
      break;
    case Protocol::kRestXml:
      r.content_type = "application/xml";
      x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n").open("Error").leaf("Code", e.code).leaf("Message", e.message);
      for (const auto& [k, v] : e.extra) x.leaf(k, v);
      x.leaf("RequestId", request_id).leaf("HostId", s3_host_id()).close("Error");
      r.body = x.str();
      r.headers["x-amz-request-id"] = request_id;
      r.headers["x-amz-id-2"] = s3_host_id();
      break;
    case Protocol::kS3Control:
      r.content_type = "application/xml";
      x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
          .open("ErrorResponse")
          .open("Error")
          .leaf("Code", e.code)
          .leaf("Message", e.message)
          .close("Error")
          .leaf("RequestId", request_id)
          .leaf("HostId", s3_host_id())
          .close("ErrorResponse");
      r.body = x.str();
      r.headers["x-amz-request-id"] = request_id;
      r.headers["x-amz-id-2"] = s3_host_id();
      break;
    case Protocol::kJson:
      r.content_type = "application/x-amz-json-1.1";
      r.body = nlohmann::json{{"__type", e.code}, {"message", e.message}}.dump();
      r.headers["x-amzn-RequestId"] = request_id;
      break;
  }
  return r;
}

std::string new_request_id(Protocol protocol) {
  static std::atomic<unsigned long long> counter{0};
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const unsigned long long a = rng(), b = rng() ^ counter.fetch_add(1);
  char buf[48];
  if (protocol == Protocol::kRestXml || protocol == Protocol::kS3Control) {
    std::snprintf(buf, sizeof buf, "%016llX", a);
  } else {
    std::snprintf(buf, sizeof buf, "%08llx-%04llx-4%03llx-%04llx-%012llx", a >> 32, (a >> 16) & 0xffff, a & 0xfff,
                  0x8000 | ((b >> 48) & 0x3fff), b & 0xffffffffffffULL);
  }
  return buf;
}

std::string url_decode(const std::string& text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::multimap<std::string, std::string> parse_form(const std::string& text) {
  std::multimap<std::string, std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('&', start);
    if (end == std::string::npos) end = text.size();
    const std::string pair = text.substr(start, end - start);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      const std::string key = url_decode(pair.substr(0, eq), true);
      const std::string value = eq == std::string::npos ? "" : url_decode(pair.substr(eq + 1), true);
      out.emplace(key, value);
    }
    start = end + 1;
  }
  return out;
}

}  // namespace fixgate::cloudsim
