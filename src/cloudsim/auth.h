// Request authentication for the cloud simulator: SigV4 (via aws/sigv4.h) over
// the seeded long-term keys and the session credentials STS AssumeRole issued,
// signed either in the Authorization header or as a presigned URL (the
// X-Amz-Algorithm/-Credential/-Date/-Expires/-SignedHeaders/-Signature query
// parameters, X-Amz-Security-Token for session keys).
//
// A request passes only when its key is known and active, its session token (if
// the key is a session key) matches and has not expired, its x-amz-date is within
// five minutes of the simulator clock (a presigned URL instead: X-Amz-Date is
// not in the future beyond that skew and X-Amz-Expires, 1..604800 seconds, has
// not run out), and the signature recomputed with the key's secret matches. Every failure maps to the error code and HTTP status the
// real service sends in its protocol.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "aws/sigv4.h"
#include "cloudsim/state.h"
#include "cloudsim/wire.h"

namespace fixgate::cloudsim {

// Temporary credentials issued by AssumeRole.
struct Session {
  std::string access_key_id;  // ASIA...
  std::string secret;
  std::string token;
  std::string account_id;     // the role's account
  std::string role_name;
  std::string role_id;
  std::string session_name;
  std::string source_identity;
  std::vector<std::pair<std::string, std::string>> tags;  // session tags, as sent
  TimePoint expiration;
};

struct Caller {
  std::string access_key_id;
  std::string account_id;
  std::string arn;      // user ARN or assumed-role session ARN
  std::string user_id;  // AIDA... or AROA...:session
  bool is_session = false;
};

enum class AuthFailureKind {
  kMissing,          // no Authorization header
  kMalformed,        // Authorization header not parseable
  kUnknownKey,       // key id not known, or inactive
  kInvalidToken,     // session key without its matching token
  kExpiredToken,     // session expired
  kSkew,             // x-amz-date more than five minutes from the clock
  kBadSignature,     // recomputed signature differs
  kPayloadMismatch,  // x-amz-content-sha256 is not the body's hash
  kUrlExpired,       // presigned URL past X-Amz-Date + X-Amz-Expires
};

struct AuthFailure {
  AuthFailureKind kind;
  std::string detail;  // for the error message; never a secret
};

inline constexpr int kMaxSkewSeconds = 300;

// The signature parts of a presigned URL (X-Amz-Credential, X-Amz-SignedHeaders,
// X-Amz-Signature); fails (aws.auth.malformed) naming the missing or bad parameter.
// Callers use it to route a request that has no Authorization header.
Result<aws::ParsedAuthorization> parse_presigned(const aws::HttpRequest& request);
bool is_presigned(const aws::HttpRequest& request);

// Verifies `request` (path as on the wire, decoded query, all headers, body).
std::variant<Caller, AuthFailure> authenticate(const aws::HttpRequest& request, const World& world,
                                               const std::map<std::string, Session>& sessions, TimePoint now);

// The real error for a failed authentication in `protocol`'s conventions
// (e.g. S3 InvalidAccessKeyId 403, STS InvalidClientTokenId 403, EC2 AuthFailure
// 401, KMS UnrecognizedClientException 400).
ApiError auth_error(Protocol protocol, const AuthFailure& failure, TimePoint now);

}  // namespace fixgate::cloudsim
