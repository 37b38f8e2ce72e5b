// Fuzzes what an AWS endpoint (or anything pretending to be one) sends back: the
// error parser over XML and JSON bodies with hostile headers, the XML tree reader
// and the typed response readers. Every input must give a value or an error —
// never a crash, a hang or unbounded recursion.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aws/errors.h"
#include "aws/responses.h"
#include "aws/sigv4.h"
#include "aws/xml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // First line (if any) becomes a header value, the rest the body.
  const size_t nl = input.find('\n');
  const std::string header(nl == std::string_view::npos ? std::string_view{} : input.substr(0, nl));
  const std::string_view body = nl == std::string_view::npos ? input : input.substr(nl + 1);
  const fixgate::aws::KeyValues headers = {{"x-amzn-query-error", header},
                                           {"x-amzn-ErrorType", header},
                                           {"Date", header},
                                           {"x-amzn-RequestId", header}};
  for (int status : {400, 403, 404, 429, 503}) {
    const fixgate::aws::AwsError error = fixgate::aws::parse_error_response(status, headers, body);
    (void)error.to_error();
  }
  auto root = fixgate::aws::parse_xml(body);
  if (root.ok()) {
    (void)fixgate::aws::read::list_access_keys(*root);
    (void)fixgate::aws::read::describe_security_groups(*root);
    (void)fixgate::aws::read::bucket_acl(*root);
    (void)fixgate::aws::read::bucket_encryption(*root);
    (void)fixgate::aws::read::public_access_block(*root);
    (void)fixgate::aws::read::ebs_encryption_by_default(*root);
  }
  (void)fixgate::aws::parse_authorization(input);
  (void)fixgate::aws::parse_query(input);
  return 0;
}
