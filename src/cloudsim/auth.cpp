#include "cloudsim/auth.h"

#include "aws/crypto.h"
#include "core/text.h"

namespace fixgate::cloudsim {
namespace {

std::string amz_date_text(TimePoint t) { return aws::format_amz_date(t); }

const std::string* query_value(const aws::HttpRequest& request, std::string_view name) {
  for (const auto& [k, v] : request.query) {
    if (k == name) return &v;
  }
  return nullptr;
}

// Presigned: the canonical request covers the query without X-Amz-Signature; S3
// signs UNSIGNED-PAYLOAD unless the client sent x-amz-content-sha256.
Result<void> verify_presigned(const aws::HttpRequest& request, const aws::ParsedAuthorization& auth,
                              aws::SigningParams params, TimePoint time) {
  aws::HttpRequest unsigned_request = request;
  std::erase_if(unsigned_request.query, [](const auto& kv) { return kv.first == "X-Amz-Signature"; });
  params.region = auth.region;
  params.service = auth.service;
  params.time = time;
  const std::string* content_hash = request.header("x-amz-content-sha256");
  const bool s3 = auth.service == "s3" || auth.service == "s3-control";
  const std::string payload_hash = content_hash != nullptr ? *content_hash
                                   : s3                    ? std::string(aws::kUnsignedPayload)
                                                           : aws::sha256_hex(request.body);
  const aws::CanonicalRequest creq = aws::canonical_request(unsigned_request, params, payload_hash, auth.signed_headers);
  const std::string scope = aws::credential_scope(time, auth.region, auth.service);
  const std::string expected =
      aws::signature(aws::signing_key(params.secret_access_key, time, auth.region, auth.service),
                     aws::string_to_sign(creq.text, time, scope));
  if (!aws::constant_time_equals(expected, auth.signature)) {
    return make_error("aws.auth.signature_mismatch",
                      "The request signature we calculated does not match the signature you provided");
  }
  return {};
}

}  // namespace

bool is_presigned(const aws::HttpRequest& request) {
  return request.header("authorization") == nullptr && query_value(request, "X-Amz-Algorithm") != nullptr;
}

Result<aws::ParsedAuthorization> parse_presigned(const aws::HttpRequest& request) {
  auto bad = [](std::string what) { return make_error("aws.auth.malformed", "presigned URL: " + what); };
  const std::string* algorithm = query_value(request, "X-Amz-Algorithm");
  if (algorithm == nullptr || *algorithm != "AWS4-HMAC-SHA256") return bad("X-Amz-Algorithm is not AWS4-HMAC-SHA256");
  const std::string* credential = query_value(request, "X-Amz-Credential");
  const std::string* signed_headers = query_value(request, "X-Amz-SignedHeaders");
  const std::string* signature = query_value(request, "X-Amz-Signature");
  if (credential == nullptr) return bad("missing X-Amz-Credential");
  if (signed_headers == nullptr || signed_headers->empty()) return bad("missing X-Amz-SignedHeaders");
  if (signature == nullptr || signature->size() != 64) return bad("missing or malformed X-Amz-Signature");
  // The same grammar as the header form, so one parser checks both.
  return aws::parse_authorization("AWS4-HMAC-SHA256 Credential=" + *credential + ", SignedHeaders=" +
                                  *signed_headers + ", Signature=" + *signature);
}

std::variant<Caller, AuthFailure> authenticate(const aws::HttpRequest& request, const World& world,
                                               const std::map<std::string, Session>& sessions, TimePoint now) {
  const bool presigned = is_presigned(request);
  const std::string* header = request.header("authorization");
  if (header == nullptr && !presigned) return AuthFailure{AuthFailureKind::kMissing, "no Authorization header"};
  auto parsed = presigned ? parse_presigned(request) : aws::parse_authorization(*header);
  if (!parsed.ok()) return AuthFailure{AuthFailureKind::kMalformed, parsed.error().message};
  const aws::ParsedAuthorization& auth = parsed.value();

  const std::string* date = presigned ? query_value(request, "X-Amz-Date") : request.header("x-amz-date");
  if (date == nullptr) return AuthFailure{AuthFailureKind::kMalformed, "missing X-Amz-Date"};
  auto when = aws::parse_amz_date(*date);
  if (!when.ok()) return AuthFailure{AuthFailureKind::kMalformed, "X-Amz-Date is not yyyymmddThhmmssZ"};
  if (date->substr(0, 8) != auth.date) {
    return AuthFailure{AuthFailureKind::kMalformed, "credential scope date does not match X-Amz-Date"};
  }
  const auto skew = std::chrono::duration_cast<std::chrono::seconds>(now - when.value()).count();
  long long expires = 0;
  if (presigned) {
    const std::string* text = query_value(request, "X-Amz-Expires");
    if (text == nullptr || text->empty() || text->size() > 6 || text->find_first_not_of("0123456789") != std::string::npos) {
      return AuthFailure{AuthFailureKind::kMalformed, "X-Amz-Expires must be an integer number of seconds"};
    }
    expires = std::stoll(*text);
    if (expires < 1 || expires > 604800) {
      return AuthFailure{AuthFailureKind::kMalformed, "X-Amz-Expires must be between 1 and 604800 seconds"};
    }
  }

  Caller caller;
  caller.access_key_id = auth.access_key_id;
  std::string secret;
  const std::string* token =
      presigned ? query_value(request, "X-Amz-Security-Token") : request.header("x-amz-security-token");
  auto session = sessions.find(auth.access_key_id);
  if (session != sessions.end()) {
    const Session& s = session->second;
    if (token == nullptr || !aws::constant_time_equals(*token, s.token)) {
      return AuthFailure{AuthFailureKind::kInvalidToken, "session token missing or not the one issued with this key"};
    }
    if (s.expiration <= now) return AuthFailure{AuthFailureKind::kExpiredToken, "session expired"};
    secret = s.secret;
    caller.account_id = s.account_id;
    caller.arn = "arn:aws:sts::" + s.account_id + ":assumed-role/" + s.role_name + "/" + s.session_name;
    caller.user_id = s.role_id + ":" + s.session_name;
    caller.is_session = true;
  } else {
    std::string user;
    const AccessKey* key = world.find_access_key(auth.access_key_id, &caller.account_id, &user);
    if (key == nullptr || key->status != "Active" || key->secret.empty()) {
      return AuthFailure{AuthFailureKind::kUnknownKey, "unknown or inactive access key"};
    }
    secret = key->secret;
    caller.arn = "arn:aws:iam::" + caller.account_id + ":user/" + user;
    for (const Account& a : world.accounts) {
      if (a.id != caller.account_id) continue;
      for (const IamUser& u : a.users) {
        if (u.name == user) caller.user_id = u.user_id;
      }
    }
  }
  if (presigned) {
    // A presigned URL is valid from X-Amz-Date (give or take the clock skew)
    // until X-Amz-Date + X-Amz-Expires.
    if (skew < -kMaxSkewSeconds) {
      return AuthFailure{AuthFailureKind::kSkew, "Request is not yet valid: " + *date + " is after " + amz_date_text(now)};
    }
    if (skew > expires) {
      return AuthFailure{AuthFailureKind::kUrlExpired, "Request has expired: X-Amz-Date " + *date + " + X-Amz-Expires " +
                                                           std::to_string(expires) + "s is before " + amz_date_text(now)};
    }
  } else if (skew > kMaxSkewSeconds || skew < -kMaxSkewSeconds) {
    return AuthFailure{AuthFailureKind::kSkew, "Signature expired: " + *date + " is outside 5 minutes of " + amz_date_text(now)};
  }
  aws::SigningParams params = aws::SigningParams::for_service(auth.service, auth.region);
  params.access_key_id = auth.access_key_id;
  params.secret_access_key = secret;
  auto verified = presigned ? verify_presigned(request, auth, params, when.value())
                            : aws::verify_request(request, auth, params);
  if (!verified.ok()) {
    if (verified.error().code == "aws.auth.signature_mismatch") {
      return AuthFailure{AuthFailureKind::kBadSignature, verified.error().message};
    }
    return AuthFailure{AuthFailureKind::kMalformed, verified.error().message};
  }
  const std::string* content_hash = request.header("x-amz-content-sha256");
  if (content_hash != nullptr && *content_hash != aws::kUnsignedPayload && !starts_with(*content_hash, "STREAMING-") &&
      *content_hash != aws::sha256_hex(request.body)) {
    return AuthFailure{AuthFailureKind::kPayloadMismatch, "x-amz-content-sha256 is not the SHA-256 of the body"};
  }
  return caller;
}

ApiError auth_error(Protocol protocol, const AuthFailure& f, TimePoint now) {
  static const std::string kSigMessage =
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
      "Access Key and signing method. Consult the service documentation for details.";
  ApiError e;
  switch (protocol) {
    case Protocol::kRestXml:
    case Protocol::kS3Control:
      switch (f.kind) {
        case AuthFailureKind::kMissing: e = {403, "AccessDenied", "Access Denied"}; break;
        case AuthFailureKind::kMalformed:
          e = {400, "AuthorizationHeaderMalformed", "The authorization header is malformed; " + f.detail};
          break;
        case AuthFailureKind::kUnknownKey:
          e = {403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."};
          break;
        case AuthFailureKind::kInvalidToken:
          e = {400, "InvalidToken", "The provided token is malformed or otherwise invalid."};
          break;
        case AuthFailureKind::kExpiredToken: e = {400, "ExpiredToken", "The provided token has expired."}; break;
        case AuthFailureKind::kSkew:
          e = {403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large."};
          e.extra["ServerTime"] = format_iso8601(now);
          e.extra["MaxAllowedSkewMilliseconds"] = std::to_string(kMaxSkewSeconds * 1000);
          break;
        case AuthFailureKind::kBadSignature: e = {403, "SignatureDoesNotMatch", kSigMessage}; break;
        case AuthFailureKind::kPayloadMismatch:
          e = {400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed."};
          break;
        case AuthFailureKind::kUrlExpired: e = {403, "AccessDenied", "Request has expired"}; break;
      }
      break;
    case Protocol::kEc2:
      switch (f.kind) {
        case AuthFailureKind::kMissing:
          e = {401, "AuthFailure", "AWS was not able to validate the provided access credentials"};
          break;
        case AuthFailureKind::kMalformed:
          e = {400, "IncompleteSignature", "The request signature does not conform to AWS standards: " + f.detail};
          break;
        case AuthFailureKind::kUnknownKey:
        case AuthFailureKind::kInvalidToken:
        case AuthFailureKind::kBadSignature:
        case AuthFailureKind::kPayloadMismatch:
          e = {401, "AuthFailure", "AWS was not able to validate the provided access credentials"};
          break;
        case AuthFailureKind::kExpiredToken: e = {400, "RequestExpired", "Request has expired."}; break;
        case AuthFailureKind::kSkew:
        case AuthFailureKind::kUrlExpired: e = {400, "RequestExpired", "Request has expired. " + f.detail}; break;
      }
      break;
    case Protocol::kQuery:
      switch (f.kind) {
        case AuthFailureKind::kMissing:
          e = {403, "MissingAuthenticationToken", "Request is missing Authentication Token"};
          break;
        case AuthFailureKind::kMalformed: e = {400, "IncompleteSignature", f.detail}; break;
        case AuthFailureKind::kUnknownKey:
        case AuthFailureKind::kInvalidToken:
          e = {403, "InvalidClientTokenId", "The security token included in the request is invalid."};
          break;
        case AuthFailureKind::kExpiredToken:
          e = {403, "ExpiredToken", "The security token included in the request is expired"};
          break;
        case AuthFailureKind::kSkew: e = {403, "SignatureDoesNotMatch", f.detail}; break;
        case AuthFailureKind::kUrlExpired: e = {403, "SignatureDoesNotMatch", f.detail}; break;
        case AuthFailureKind::kBadSignature:
        case AuthFailureKind::kPayloadMismatch:
          e = {403, "SignatureDoesNotMatch", kSigMessage};
          break;
      }
      break;
    case Protocol::kJson:
      switch (f.kind) {
        case AuthFailureKind::kMissing:
          e = {400, "MissingAuthenticationTokenException", "Missing Authentication Token"};
          break;
        case AuthFailureKind::kMalformed: e = {400, "IncompleteSignatureException", f.detail}; break;
        case AuthFailureKind::kUnknownKey:
        case AuthFailureKind::kInvalidToken:
          e = {400, "UnrecognizedClientException", "The security token included in the request is invalid."};
          break;
        case AuthFailureKind::kExpiredToken:
          e = {400, "ExpiredTokenException", "The security token included in the request is expired"};
          break;
        case AuthFailureKind::kSkew:
        case AuthFailureKind::kUrlExpired: e = {400, "InvalidSignatureException", f.detail}; break;
        case AuthFailureKind::kBadSignature:
        case AuthFailureKind::kPayloadMismatch:
          e = {400, "InvalidSignatureException", kSigMessage};
          break;
      }
      break;
  }
  return e;
}

}  // namespace fixgate::cloudsim
