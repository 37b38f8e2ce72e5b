#include "aws/protocols.h"

#include <arpa/inet.h>

#include "aws/crypto.h"
#include "core/text.h"

namespace fixgate::aws {
namespace {

ServiceInfo make(std::string id, std::string signing, std::string prefix, Protocol protocol, std::string version,
                 std::string target = {}) {
  ServiceInfo s;
  s.service_id = std::move(id);
  s.signing_name = std::move(signing);
  s.endpoint_prefix = std::move(prefix);
  s.protocol = protocol;
  s.api_version = std::move(version);
  s.target_prefix = std::move(target);
  return s;
}

bool is_ip_host(const std::string& host) {
  if (!host.empty() && host.front() == '[') return true;
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1;
}

// S3's rule for virtual-host addressing: a lower-case DNS label of 3..63 characters.
bool is_virtual_hostable(std::string_view bucket, bool https) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  if (!std::isalnum(static_cast<unsigned char>(bucket.front())) ||
      !std::isalnum(static_cast<unsigned char>(bucket.back()))) {
    return false;
  }
  for (char c : bucket) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || (c == '.' && !https);
    if (!ok) return false;
  }
  return bucket.find("..") == std::string_view::npos;
}

std::string dns_suffix(std::string_view region) {
  return starts_with(region, "cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

}  // namespace

namespace services {
const ServiceInfo& sts() {
  static const ServiceInfo s = make("STS", "sts", "sts", Protocol::query, "2011-06-15");
  return s;
}
const ServiceInfo& iam() {
  static const ServiceInfo s = [] {
    ServiceInfo i = make("IAM", "iam", "iam", Protocol::query, "2010-05-08");
    i.global = true;
    return i;
  }();
  return s;
}
const ServiceInfo& ec2() {
  static const ServiceInfo s = make("EC2", "ec2", "ec2", Protocol::ec2, "2016-11-15");
  return s;
}
const ServiceInfo& s3() {
  static const ServiceInfo s = make("S3", "s3", "s3", Protocol::rest_xml, "2006-03-01");
  return s;
}
const ServiceInfo& s3_control() {
  static const ServiceInfo s = make("S3 Control", "s3", "s3-control", Protocol::rest_xml, "2018-08-20");
  return s;
}
const ServiceInfo& sqs() {
  static const ServiceInfo s = [] {
    ServiceInfo q = make("SQS", "sqs", "sqs", Protocol::json_1_0, "2012-11-05", "AmazonSQS");
    q.query_compatible = true;
    return q;
  }();
  return s;
}
const ServiceInfo& tagging() {
  static const ServiceInfo s = make("Resource Groups Tagging API", "tagging", "tagging", Protocol::json_1_1,
                                    "2017-01-26", "ResourceGroupsTaggingAPI_20170126");
  return s;
}
const ServiceInfo& kms() {
  static const ServiceInfo s = make("KMS", "kms", "kms", Protocol::json_1_1, "2014-11-01", "TrentService");
  return s;
}
}  // namespace services

std::string list_key(Protocol protocol, std::string_view name, size_t index) {
  std::string key(name);
  if (protocol == Protocol::query) key += ".member";
  key += '.';
  key += std::to_string(index);
  return key;
}

std::string default_endpoint_url(const ServiceInfo& service, std::string_view region) {
  const std::string suffix = dns_suffix(region);
  if (service.global) return "https://" + service.endpoint_prefix + "." + suffix;
  return "https://" + service.endpoint_prefix + "." + std::string(region) + "." + suffix;
}

Result<ResolvedEndpoint> resolve_endpoint(const Operation& operation, std::string_view region,
                                          std::string_view endpoint_url, bool force_path_style) {
  // Region and host prefix become part of a host name: refuse anything that could
  // steer the request elsewhere ("evil.example/", "@host").
  auto dns_safe = [](std::string_view text) {
    for (char c : text) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
    }
    return true;
  };
  if (region.empty() || !dns_safe(region)) {
    return make_error("aws.endpoint.invalid", "region must be non-empty lower-case letters, digits and '-': \"" +
                                                  escape_for_display(region) + "\"");
  }
  if (!dns_safe(operation.host_prefix)) {
    return make_error("aws.endpoint.invalid",
                      "host prefix is not a DNS label: \"" + escape_for_display(operation.host_prefix) + "\"");
  }
  const std::string url =
      endpoint_url.empty() ? default_endpoint_url(operation.service, region) : std::string(endpoint_url);
  auto parsed = parse_url(url);
  if (!parsed) return parsed.error();
  ResolvedEndpoint out;
  out.scheme = parsed->scheme;
  out.connect_authority = parsed->authority;
  out.host = parsed->authority;
  out.signing_region = operation.service.global ? (starts_with(region, "cn-") ? "cn-north-1" : "us-east-1")
                                                : std::string(region);
  std::string path = parsed->base_path;
  const bool s3 = operation.service.protocol == Protocol::rest_xml;
  if (s3 && !operation.bucket.empty()) {
    const bool virtual_host = !force_path_style && !is_ip_host(parsed->host) &&
                              is_virtual_hostable(operation.bucket, parsed->scheme == "https");
    if (virtual_host) {
      out.host = operation.bucket + "." + out.host;
      out.connect_authority = out.host;
    } else {
      path += "/" + uri_encode(operation.bucket);
    }
  }
  // The SDKs prepend a modelled host prefix ("{AccountId}." for S3 Control) to
  // custom host names too (the JS SDK sends 111111111111.localhost), but an IP
  // literal cannot carry a label: "111111111111.127.0.0.1" is neither a valid
  // address nor a resolvable name. There the prefix is left off both the Host
  // header and the connection address; S3 Control still names the account in
  // x-amz-account-id.
  if (!operation.host_prefix.empty() && !is_ip_host(parsed->host)) {
    out.host = operation.host_prefix + out.host;
    out.connect_authority = operation.host_prefix + out.connect_authority;
  }
  if (s3) {
    path += operation.path.empty() ? "/" : operation.path;
  } else if (path.empty()) {
    path = "/";
  }
  out.path = path;
  return out;
}

HttpRequest serialize(const Operation& op, const ResolvedEndpoint& endpoint) {
  HttpRequest req;
  req.path = endpoint.path;
  switch (op.service.protocol) {
    case Protocol::query:
    case Protocol::ec2: {
      req.method = "POST";
      KeyValues form;
      form.reserve(op.params.size() + 2);
      form.emplace_back("Action", op.name);
      form.emplace_back("Version", op.service.api_version);
      form.insert(form.end(), op.params.begin(), op.params.end());
      req.body = encode_query(form);
      req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
      break;
    }
    case Protocol::json_1_0:
    case Protocol::json_1_1: {
      req.method = "POST";
      req.body = op.input.dump();
      req.headers.emplace_back("Content-Type", op.service.protocol == Protocol::json_1_0
                                                   ? "application/x-amz-json-1.0"
                                                   : "application/x-amz-json-1.1");
      req.headers.emplace_back("X-Amz-Target", op.service.target_prefix + "." + op.name);
      if (op.service.query_compatible) req.headers.emplace_back("x-amzn-query-mode", "true");
      break;
    }
    case Protocol::rest_xml: {
      req.method = op.method;
      req.query = op.query;
      req.headers = op.headers;
      req.body = op.body;
      const bool sends_body = op.method == "PUT" || op.method == "POST";
      if (sends_body && (!op.body.empty() || op.checksum_crc32)) {
        req.headers.emplace_back("Content-Type", "application/xml");
      }
      if (op.checksum_crc32) {
        const std::uint32_t crc = crc32(op.body);
        const char be[4] = {static_cast<char>(crc >> 24), static_cast<char>(crc >> 16), static_cast<char>(crc >> 8),
                            static_cast<char>(crc)};
        req.headers.emplace_back("x-amz-sdk-checksum-algorithm", "CRC32");
        req.headers.emplace_back("x-amz-checksum-crc32", base64_encode(std::string_view(be, 4)));
      }
      break;
    }
  }
  if (!req.body.empty()) req.headers.emplace_back("Content-Length", std::to_string(req.body.size()));
  req.headers.emplace_back("Host", endpoint.host);
  return req;
}

}  // namespace fixgate::aws
