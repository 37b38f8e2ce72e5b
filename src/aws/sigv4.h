// AWS Signature Version 4: signing (Authorization header or presigned query) and the
// pieces a server needs to verify a signature (cloudsim uses this file for that).
//
// Request representation (shared by signer, verifier, transport):
//   path   the path exactly as sent on the wire, already percent-encoded by whoever
//          built it (S3 keys: each byte outside A-Za-z0-9-_.~/ as %XX).
//   query  DECODED name/value pairs in send order. They are percent-encoded with the
//          SigV4 rules (everything but A-Za-z0-9-_.~) both when signed and when sent,
//          so sender and signer can never disagree. parse_query() turns a raw wire
//          query string into this form ('+' is NOT treated as a space).
//   headers name/value pairs in send order; names compare case-insensitively.
//
// Canonical URI rules, as the SDKs apply them: every service except S3 normalises the
// path (dot segments removed, empty segments merged) and percent-encodes it once more
// ("double encoding"); S3 uses the wire path untouched. SigningParams::for_service()
// picks the right flags.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace fixgate::aws {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string path = "/";
  KeyValues query;    // decoded pairs, see above
  KeyValues headers;  // must contain "host" before signing
  std::string body;

  // First header with this name (case-insensitive), or nullptr.
  const std::string* header(std::string_view name) const;
  // Replaces every header with this name by one with the given value.
  void set_header(std::string_view name, std::string value);
  void remove_header(std::string_view name);
};

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

struct SigningParams {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty: long-term credentials
  std::string region;
  std::string service;        // signing name: "s3", "sts", "ec2", "iam", "sqs", ...
  std::chrono::system_clock::time_point time;

  bool unsigned_payload = false;      // payload hash "UNSIGNED-PAYLOAD" instead of SHA-256(body)
  bool add_content_sha256 = false;    // add x-amz-content-sha256 (S3 requires it)
  bool normalize_path = true;         // false for S3
  bool double_encode_path = true;     // false for S3
  bool sign_session_token = true;     // false: token header added after signing (rare services)

  // Defaults the SDKs use for this signing name (s3/s3-control → no normalisation,
  // no double encoding, x-amz-content-sha256 added).
  static SigningParams for_service(std::string service, std::string region);
};

// Percent-encoding with the SigV4 unreserved set (A-Za-z0-9-_.~). With keep_slash,
// '/' is left as is (paths).
std::string uri_encode(std::string_view text, bool keep_slash = false);
// Decodes %XX sequences; malformed sequences are kept literally. '+' stays '+'.
std::string percent_decode(std::string_view text);
// "a=1&b=&c" → {{"a","1"},{"b",""},{"c",""}}, decoded.
KeyValues parse_query(std::string_view raw);
// Encodes decoded pairs for the wire, in the given order.
std::string encode_query(const KeyValues& query);

std::string canonical_uri(std::string_view path, bool normalize, bool double_encode);
std::string canonical_query(const KeyValues& query);

// "20150830T123600Z" and back. parse fails with aws.bad_date naming the input.
std::string format_amz_date(std::chrono::system_clock::time_point time);
Result<std::chrono::system_clock::time_point> parse_amz_date(std::string_view text);

struct CanonicalRequest {
  std::string text;            // the canonical request, '\n'-joined
  std::string signed_headers;  // "host;x-amz-date"
};

// Builds the canonical request over the headers named in signed_headers (lower-case,
// any order) or, when that is empty, over every signable header of the request (all
// but authorization, user-agent, hop-by-hop and trace headers). payload_hash is the
// last line verbatim.
CanonicalRequest canonical_request(const HttpRequest& request, const SigningParams& params,
                                   std::string_view payload_hash,
                                   const std::vector<std::string>& signed_headers = {});

// "20150830/us-east-1/service/aws4_request"
std::string credential_scope(std::chrono::system_clock::time_point time, std::string_view region,
                             std::string_view service);
std::string string_to_sign(std::string_view canonical_request_text, std::chrono::system_clock::time_point time,
                           std::string_view scope);
// kSigning = HMAC chain "AWS4"+secret → date → region → service → "aws4_request" (raw bytes).
std::string signing_key(std::string_view secret_access_key, std::chrono::system_clock::time_point time,
                        std::string_view region, std::string_view service);
// Hex signature of a string to sign.
std::string signature(std::string_view signing_key, std::string_view string_to_sign);

// Signs in place with an Authorization header: sets x-amz-date, x-amz-security-token
// (when a token is given), x-amz-content-sha256 (when asked) and Authorization,
// replacing any earlier values. Fails with aws.sign.* when host, credentials, region
// or service are missing; the request is untouched then.
Result<void> sign_request(HttpRequest& request, const SigningParams& params);

// Query-string signing (presigned URL): adds X-Amz-Algorithm, -Credential, -Date,
// -Expires, -SignedHeaders, -Security-Token and -Signature to request.query. The
// payload hash is UNSIGNED-PAYLOAD when params.unsigned_payload, else SHA-256(body).
// expires must be 1..604800 seconds.
Result<void> presign_request(HttpRequest& request, const SigningParams& params, std::chrono::seconds expires);

// The parts of "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=abc…" a verifier needs.
struct ParsedAuthorization {
  std::string access_key_id;
  std::string date;      // yyyymmdd of the scope
  std::string region;
  std::string service;
  std::vector<std::string> signed_headers;  // lower-case, as listed
  std::string signature;                    // hex
};
// Fails with aws.auth.malformed naming the missing/invalid part.
Result<ParsedAuthorization> parse_authorization(std::string_view header_value);

// Server side: recomputes the signature of a received request. The time comes from
// its x-amz-date header, the payload hash from x-amz-content-sha256 when present (else
// SHA-256 of the body). params supplies the secret and the path rules for the service;
// its region/service/time are taken from the Authorization scope. Returns aws.auth.*
// errors for a missing date, a scope that does not match the date, or a signed header
// that is absent, and aws.auth.signature_mismatch when the signature differs.
Result<void> verify_request(const HttpRequest& request, const ParsedAuthorization& auth,
                            const SigningParams& params);

}  // namespace fixgate::aws
