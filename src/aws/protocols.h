// AWS wire protocols: how an operation becomes an HTTP request, and where it goes.
//
// Protocols: awsQuery (STS, IAM: form body, lists as Name.member.N), ec2 (form body,
// lists as Name.N), restXml (S3 and S3 Control: method + path + subresource query,
// XML body), awsJson1_0 / awsJson1_1 (POST /, X-Amz-Target, JSON body; SQS also sends
// x-amzn-query-mode). The byte layout follows the AWS SDK for JavaScript v3, which
// tests/peers/aws-sdk-wire checks request by request.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "aws/http.h"
#include "aws/sigv4.h"
#include "core/result.h"

namespace fixgate::aws {

enum class Protocol { query, ec2, rest_xml, json_1_0, json_1_1 };

struct ServiceInfo {
  std::string service_id;       // SDK service id: "STS", "S3 Control", "Resource Groups Tagging API"
  std::string signing_name;     // SigV4 service: "sts", "s3", "tagging"
  std::string endpoint_prefix;  // host label: "sts", "s3-control", "tagging"
  Protocol protocol = Protocol::query;
  std::string api_version;      // query/ec2 Version parameter
  std::string target_prefix;    // JSON X-Amz-Target prefix: "AmazonSQS", "TrentService"
  bool global = false;          // one endpoint for the partition (IAM), signed for us-east-1
  bool query_compatible = false;  // JSON service that speaks query error codes (SQS)
};

namespace services {
const ServiceInfo& sts();
const ServiceInfo& iam();
const ServiceInfo& ec2();
const ServiceInfo& s3();
const ServiceInfo& s3_control();
const ServiceInfo& sqs();
const ServiceInfo& tagging();
const ServiceInfo& kms();
}  // namespace services

// Everything the client needs to send one call. Fill the part for the protocol.
struct Operation {
  ServiceInfo service;
  std::string name;  // "AssumeRole"
  // query / ec2: members after Action and Version, in model order, values decoded.
  // Build list keys with list_key().
  KeyValues params;
  // json: members in model order (ordered_json keeps insertion order).
  nlohmann::ordered_json input = nlohmann::ordered_json::object();
  // rest_xml:
  std::string method = "GET";
  std::string path = "/";   // below the bucket (S3) or the endpoint, percent-encoded
  KeyValues query;          // e.g. {{"publicAccessBlock", ""}}
  KeyValues headers;        // e.g. x-amz-acl, x-amz-account-id
  std::string body;         // XML document, with its <?xml ...?> declaration
  std::string bucket;       // S3: addressed virtual-host or path style (see resolve)
  std::string host_prefix;  // S3 Control: "123456789012." prepended to the host
  bool checksum_crc32 = false;  // S3 operations that require a checksum (x-amz-checksum-crc32)
  bool raw_payload = false;     // the 2xx body is a blob (GetBucketPolicy's JSON): not parsed
};

// "Tags.member.3" (query) or "GroupId.3" (ec2); index is 1-based.
std::string list_key(Protocol protocol, std::string_view name, size_t index);

// Where a call goes and how it is signed.
struct ResolvedEndpoint {
  std::string scheme;            // "https"
  std::string connect_authority; // where to connect: "127.0.0.1:8080", "sts.us-east-1.amazonaws.com"
  std::string host;              // Host header: may carry a bucket / account prefix
  std::string path;              // full request path, encoded
  std::string signing_region;
};

// The SDK default endpoint URL for a service in a region, e.g.
// https://sts.eu-west-1.amazonaws.com, https://iam.amazonaws.com, https://s3.us-east-1.amazonaws.com.
// China regions use amazonaws.com.cn.
std::string default_endpoint_url(const ServiceInfo& service, std::string_view region);

// Resolves the endpoint for an operation: endpoint_url (an override, e.g. from
// AWS_ENDPOINT_URL_<SERVICE>) or the default. S3 buckets go virtual-host style
// ({bucket}.host) unless the endpoint host is an IP address, the bucket is not a
// DNS label, or force_path_style; then path style (/{bucket}/...). host_prefix is
// prepended to the host (as the SDKs do, custom host names included) unless the
// endpoint host is an IP literal, where a prefixed name could not be connected to.
// Fails with aws.endpoint.invalid for a bad override.
Result<ResolvedEndpoint> resolve_endpoint(const Operation& operation, std::string_view region,
                                          std::string_view endpoint_url, bool force_path_style = false);

// Serialises the operation into an unsigned request for that endpoint: Host,
// Content-Type, Content-Length (when there is a body), X-Amz-Target, checksum headers.
HttpRequest serialize(const Operation& operation, const ResolvedEndpoint& endpoint);

}  // namespace fixgate::aws
