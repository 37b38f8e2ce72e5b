// Wire-format helpers shared by the simulator's operation handlers: the request
// and reply the handlers see, XML building with escaping, and each AWS
// protocol's error envelope (EC2 <Response><Errors>, Query <ErrorResponse>,
// S3 <Error>, JSON 1.1 __type).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace fixgate::cloudsim {

// kS3Control is REST-XML whose errors are wrapped in <ErrorResponse> (S3 proper
// sends a bare <Error>).
enum class Protocol { kQuery, kEc2, kRestXml, kS3Control, kJson };

// One authenticated call as a handler sees it.
struct Call {
  std::string service;    // SigV4 scope service: sts, iam, ec2, s3, kms, ...
  std::string region;     // SigV4 scope region
  std::string operation;  // e.g. "RevokeSecurityGroupIngress"
  std::string method;
  std::string path;  // decoded path (S3: without the bucket for virtual-host style)
  std::string bucket;  // S3 only: from the host or the first path segment
  std::multimap<std::string, std::string> params;  // query string + form body, decoded
  std::map<std::string, std::string> headers;      // lower-case names
  std::string body;
  std::string account_id;     // the caller's account
  std::string principal_arn;  // the caller (user or assumed-role session)
  std::string user_id;        // GetCallerIdentity's UserId
  std::string request_id;

  // First value of a parameter or "" when absent.
  std::string param(const std::string& name) const;
  bool has_param(const std::string& name) const { return params.count(name) > 0; }
  std::string header(const std::string& lower_name) const;
};

struct Reply {
  int status = 200;
  std::string content_type;
  std::string body;
  std::map<std::string, std::string> headers;
};

// Text and attribute escaping for XML: & < > " ' and control characters
// (which XML 1.0 cannot carry at all) become character references or are dropped.
std::string xml_escape(const std::string& text);

// Builds XML with every text value escaped.
class Xml {
 public:
  Xml& open(const std::string& name, const std::string& attributes = "");
  Xml& close(const std::string& name);
  Xml& leaf(const std::string& name, const std::string& text);
  Xml& leaf(const std::string& name, bool value) { return leaf(name, std::string(value ? "true" : "false")); }
  Xml& leaf(const std::string& name, int value) { return leaf(name, std::to_string(value)); }
  Xml& raw(const std::string& xml) { out_ += xml; return *this; }
  const std::string& str() const { return out_; }

 private:
  std::string out_;
};

// The XML namespace each Query/EC2 service stamps on its responses.
std::string query_namespace(const std::string& service);

// Success replies. `result_xml` is the inner content of <OpResult> (Query) or of
// <OpResponse> after <requestId> (EC2).
Reply query_ok(const Call& call, const std::string& result_xml, bool has_result = true);
Reply ec2_ok(const Call& call, const std::string& inner_xml);
Reply s3_ok(const Call& call, int status, const std::string& xml_body);
Reply json_ok(const Call& call, const std::string& json_body);

// A protocol-agnostic error; render() formats it in the envelope of `protocol`.
struct ApiError {
  int status = 400;
  std::string code;
  std::string message;
  bool sender = true;  // Query <Type>Sender|Receiver</Type>
  std::map<std::string, std::string> extra;  // S3 extra elements (BucketName, ...)
};

Reply render_error(Protocol protocol, const ApiError& error, const std::string& request_id);

// A fresh request id (UUID-shaped for Query/JSON/EC2, 16 hex upper for S3).
std::string new_request_id(Protocol protocol);

// Percent-decoding of application/x-www-form-urlencoded and query strings.
std::string url_decode(const std::string& text, bool plus_is_space);
std::multimap<std::string, std::string> parse_form(const std::string& text);

}  // namespace fixgate::cloudsim
