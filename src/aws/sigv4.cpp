#include "aws/sigv4.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <map>

#include "aws/crypto.h"
#include "core/text.h"

namespace fixgate::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

bool is_unreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~';
}

// Headers the SDKs never sign: they are rewritten by proxies or vary per attempt.
bool is_unsignable(std::string_view lower_name) {
  static constexpr std::array<std::string_view, 15> kNames = {
      "authorization", "cache-control", "connection", "expect", "from", "keep-alive", "max-forwards", "pragma",
      "referer", "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id"};
  if (std::find(kNames.begin(), kNames.end(), lower_name) != kNames.end()) return true;
  return starts_with(lower_name, "proxy-") || starts_with(lower_name, "sec-");
}

// Trims and collapses every whitespace run (including folded line breaks) to one space.
std::string canonical_header_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (unsigned char c : value) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += static_cast<char>(c);
  }
  return out;
}

std::string date_stamp(std::chrono::system_clock::time_point time) { return format_amz_date(time).substr(0, 8); }

std::string payload_hash_for(const HttpRequest& request, const SigningParams& params) {
  if (params.unsigned_payload) return std::string(kUnsignedPayload);
  return sha256_hex(request.body);
}

Result<void> check_params(const HttpRequest& request, const SigningParams& params) {
  if (request.header("host") == nullptr) return make_error("aws.sign.missing_host", "request has no Host header");
  if (params.access_key_id.empty()) return make_error("aws.sign.missing_credentials", "access key id is empty");
  if (params.secret_access_key.empty()) return make_error("aws.sign.missing_credentials", "secret access key is empty");
  if (params.region.empty()) return make_error("aws.sign.missing_region", "signing region is empty");
  if (params.service.empty()) return make_error("aws.sign.missing_service", "signing service is empty");
  return {};
}

// The derived key changes only with the date, region, service and secret, so each
// thread keeps the last few (the SDKs cache it the same way).
std::string cached_signing_key(const SigningParams& p) {
  struct Entry {
    std::string secret, date, region, service, key;
  };
  thread_local std::vector<Entry> cache;
  const std::string date = date_stamp(p.time);
  for (const Entry& e : cache) {
    if (e.date == date && e.region == p.region && e.service == p.service && e.secret == p.secret_access_key) return e.key;
  }
  std::string key = signing_key(p.secret_access_key, p.time, p.region, p.service);
  if (cache.size() >= 8) cache.erase(cache.begin());
  cache.push_back({p.secret_access_key, date, p.region, p.service, key});
  return key;
}

std::string join(const std::vector<std::string>& parts, char sep) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += sep;
    out += part;
  }
  return out;
}

}  // namespace

const std::string* HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return &value;
  }
  return nullptr;
}

void HttpRequest::set_header(std::string_view name, std::string value) {
  remove_header(name);
  headers.emplace_back(std::string(name), std::move(value));
}

void HttpRequest::remove_header(std::string_view name) {
  std::erase_if(headers, [&](const auto& kv) { return iequals(kv.first, name); });
}

SigningParams SigningParams::for_service(std::string service, std::string region) {
  SigningParams params;
  const bool s3 = service == "s3" || service == "s3-control" || service == "s3-object-lambda" || service == "s3express";
  params.service = std::move(service);
  params.region = std::move(region);
  params.normalize_path = !s3;
  params.double_encode_path = !s3;
  params.add_content_sha256 = s3;
  return params;
}

std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  for (unsigned char c : text) {
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string percent_decode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = hex(text[i + 1]);
      const int lo = hex(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

KeyValues parse_query(std::string_view raw) {
  KeyValues out;
  if (!raw.empty() && raw.front() == '?') raw.remove_prefix(1);
  size_t start = 0;
  while (start <= raw.size()) {
    size_t end = raw.find('&', start);
    if (end == std::string_view::npos) end = raw.size();
    const std::string_view part = raw.substr(start, end - start);
    if (!part.empty()) {
      const size_t eq = part.find('=');
      if (eq == std::string_view::npos) {
        out.emplace_back(percent_decode(part), "");
      } else {
        out.emplace_back(percent_decode(part.substr(0, eq)), percent_decode(part.substr(eq + 1)));
      }
    }
    start = end + 1;
  }
  return out;
}

std::string encode_query(const KeyValues& query) {
  std::string out;
  for (const auto& [key, value] : query) {
    if (!out.empty()) out += '&';
    out += uri_encode(key);
    out += '=';
    out += uri_encode(value);
  }
  return out;
}

std::string canonical_uri(std::string_view path, bool normalize, bool double_encode) {
  if (path.empty()) return "/";
  std::string working(path);
  if (normalize) {
    std::vector<std::string_view> segments;
    std::string_view rest = path;
    while (!rest.empty()) {
      const size_t slash = rest.find('/');
      const std::string_view segment = rest.substr(0, slash);
      rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
      if (segment.empty() || segment == ".") continue;
      if (segment == "..") {
        if (!segments.empty()) segments.pop_back();
        continue;
      }
      segments.push_back(segment);
    }
    working.clear();
    if (path.front() == '/') working += '/';
    for (size_t i = 0; i < segments.size(); ++i) {
      if (i > 0) working += '/';
      working += segments[i];
    }
    if (!segments.empty() && path.back() == '/') working += '/';
    if (working.empty()) working = "/";
  }
  if (double_encode) return uri_encode(working, /*keep_slash=*/true);
  return working;
}

std::string canonical_query(const KeyValues& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [key, value] : query) encoded.emplace_back(uri_encode(key), uri_encode(value));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [key, value] : encoded) {
    if (!out.empty()) out += '&';
    out += key;
    out += '=';
    out += value;
  }
  return out;
}

std::string format_amz_date(std::chrono::system_clock::time_point time) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

Result<std::chrono::system_clock::time_point> parse_amz_date(std::string_view text) {
  auto bad = [&] { return make_error("aws.bad_date", "not an ISO 8601 basic UTC time (yyyymmddThhmmssZ): \"" +
                                                         escape_for_display(text) + "\""); };
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return bad();
  for (size_t i = 0; i < 15; ++i) {
    if (i != 8 && !std::isdigit(static_cast<unsigned char>(text[i]))) return bad();
  }
  auto num = [&](size_t pos, size_t len) { return std::stoi(std::string(text.substr(pos, len))); };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(9, 2);
  tm.tm_min = num(11, 2);
  tm.tm_sec = num(13, 2);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60 ||
      tm.tm_year < 70 || tm.tm_year > 300) {  // beyond 2200 overflows system_clock
    return bad();
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

CanonicalRequest canonical_request(const HttpRequest& request, const SigningParams& params,
                                   std::string_view payload_hash, const std::vector<std::string>& signed_headers) {
  // name → values in request order; std::map keeps names sorted as SigV4 requires.
  std::map<std::string, std::vector<std::string>> grouped;
  for (const auto& [name, value] : request.headers) {
    std::string lower = to_lower(name);
    if (signed_headers.empty()) {
      if (is_unsignable(lower)) continue;
    } else if (std::find(signed_headers.begin(), signed_headers.end(), lower) == signed_headers.end()) {
      continue;
    }
    grouped[std::move(lower)].push_back(canonical_header_value(value));
  }
  CanonicalRequest out;
  std::string& text = out.text;
  text.reserve(512 + request.path.size());
  text += request.method;
  text += '\n';
  text += canonical_uri(request.path, params.normalize_path, params.double_encode_path);
  text += '\n';
  text += canonical_query(request.query);
  text += '\n';
  for (const auto& [name, values] : grouped) {
    text += name;
    text += ':';
    text += join(values, ',');
    text += '\n';
    if (!out.signed_headers.empty()) out.signed_headers += ';';
    out.signed_headers += name;
  }
  text += '\n';
  text += out.signed_headers;
  text += '\n';
  text += payload_hash;
  return out;
}

std::string credential_scope(std::chrono::system_clock::time_point time, std::string_view region,
                             std::string_view service) {
  std::string scope = date_stamp(time);
  scope += '/';
  scope += region;
  scope += '/';
  scope += service;
  scope += "/aws4_request";
  return scope;
}

std::string string_to_sign(std::string_view canonical_request_text, std::chrono::system_clock::time_point time,
                           std::string_view scope) {
  std::string out(kAlgorithm);
  out += '\n';
  out += format_amz_date(time);
  out += '\n';
  out += scope;
  out += '\n';
  out += sha256_hex(canonical_request_text);
  return out;
}

std::string signing_key(std::string_view secret_access_key, std::chrono::system_clock::time_point time,
                        std::string_view region, std::string_view service) {
  std::string key = "AWS4";
  key += secret_access_key;
  std::string k = hmac_sha256(key, date_stamp(time));
  k = hmac_sha256(k, region);
  k = hmac_sha256(k, service);
  return hmac_sha256(k, "aws4_request");
}

std::string signature(std::string_view key, std::string_view sts) { return hex_encode(hmac_sha256(key, sts)); }

Result<void> sign_request(HttpRequest& request, const SigningParams& params) {
  if (auto ok = check_params(request, params); !ok) return ok;
  request.remove_header("authorization");
  request.set_header("X-Amz-Date", format_amz_date(params.time));
  request.remove_header("x-amz-security-token");
  if (!params.session_token.empty() && params.sign_session_token) {
    request.set_header("X-Amz-Security-Token", params.session_token);
  }
  const std::string payload_hash = payload_hash_for(request, params);
  if (params.add_content_sha256) request.set_header("X-Amz-Content-Sha256", payload_hash);

  const CanonicalRequest creq = canonical_request(request, params, payload_hash);
  const std::string scope = credential_scope(params.time, params.region, params.service);
  const std::string sts = string_to_sign(creq.text, params.time, scope);
  const std::string sig = signature(cached_signing_key(params), sts);

  std::string auth(kAlgorithm);
  auth += " Credential=" + params.access_key_id + "/" + scope;
  auth += ", SignedHeaders=" + creq.signed_headers;
  auth += ", Signature=" + sig;
  request.set_header("Authorization", std::move(auth));
  if (!params.session_token.empty() && !params.sign_session_token) {
    request.set_header("X-Amz-Security-Token", params.session_token);
  }
  return {};
}

Result<void> presign_request(HttpRequest& request, const SigningParams& params, std::chrono::seconds expires) {
  if (auto ok = check_params(request, params); !ok) return ok;
  if (expires.count() < 1 || expires.count() > 604800) {
    return make_error("aws.sign.bad_expiry", "presign expiry must be 1..604800 seconds, got " +
                                                 std::to_string(expires.count()));
  }
  std::erase_if(request.query, [](const auto& kv) { return starts_with(to_lower(kv.first), "x-amz-"); });
  const std::string scope = credential_scope(params.time, params.region, params.service);
  const CanonicalRequest headers_only = canonical_request(request, params, "");
  request.query.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
  request.query.emplace_back("X-Amz-Credential", params.access_key_id + "/" + scope);
  request.query.emplace_back("X-Amz-Date", format_amz_date(params.time));
  request.query.emplace_back("X-Amz-Expires", std::to_string(expires.count()));
  if (!params.session_token.empty() && params.sign_session_token) {
    request.query.emplace_back("X-Amz-Security-Token", params.session_token);
  }
  request.query.emplace_back("X-Amz-SignedHeaders", headers_only.signed_headers);

  const CanonicalRequest creq = canonical_request(request, params, payload_hash_for(request, params));
  const std::string sts = string_to_sign(creq.text, params.time, scope);
  request.query.emplace_back("X-Amz-Signature", signature(cached_signing_key(params), sts));
  if (!params.session_token.empty() && !params.sign_session_token) {
    request.query.emplace_back("X-Amz-Security-Token", params.session_token);
  }
  return {};
}

Result<ParsedAuthorization> parse_authorization(std::string_view value) {
  auto bad = [](std::string what) { return make_error("aws.auth.malformed", "Authorization header: " + what); };
  std::string text = trim(value);
  if (!starts_with(text, std::string(kAlgorithm) + " ")) return bad("algorithm is not AWS4-HMAC-SHA256");
  ParsedAuthorization out;
  bool have_credential = false, have_headers = false, have_signature = false;
  for (const std::string& raw_part : split(std::string_view(text).substr(kAlgorithm.size() + 1), ',')) {
    const std::string part = trim(raw_part);
    const size_t eq = part.find('=');
    if (eq == std::string::npos) return bad("component without '=': \"" + escape_for_display(part) + "\"");
    const std::string key = part.substr(0, eq);
    const std::string val = part.substr(eq + 1);
    if (key == "Credential") {
      const std::vector<std::string> pieces = split(val, '/');
      if (pieces.size() != 5 || pieces[4] != "aws4_request" || pieces[0].empty() || pieces[1].size() != 8) {
        return bad("Credential is not AKID/yyyymmdd/region/service/aws4_request");
      }
      out.access_key_id = pieces[0];
      out.date = pieces[1];
      out.region = pieces[2];
      out.service = pieces[3];
      have_credential = true;
    } else if (key == "SignedHeaders") {
      out.signed_headers = split(val, ';');
      have_headers = !val.empty();
    } else if (key == "Signature") {
      out.signature = val;
      have_signature = val.size() == 64;
    }
  }
  if (!have_credential) return bad("missing Credential");
  if (!have_headers) return bad("missing SignedHeaders");
  if (!have_signature) return bad("missing or malformed Signature");
  return out;
}

Result<void> verify_request(const HttpRequest& request, const ParsedAuthorization& auth, const SigningParams& params) {
  const std::string* date = request.header("x-amz-date");
  if (date == nullptr) return make_error("aws.auth.missing_date", "request has no X-Amz-Date header");
  auto time = parse_amz_date(*date);
  if (!time) return time.error();
  if (date->substr(0, 8) != auth.date) {
    return make_error("aws.auth.scope_mismatch", "credential scope date does not match X-Amz-Date");
  }
  for (const auto& name : auth.signed_headers) {
    if (request.header(name) == nullptr) {
      return make_error("aws.auth.missing_signed_header", "signed header is absent: " + escape_for_display(name));
    }
  }
  SigningParams p = params;
  p.region = auth.region;
  p.service = auth.service;
  p.time = *time;
  const std::string* content_hash = request.header("x-amz-content-sha256");
  const std::string payload_hash = content_hash != nullptr ? *content_hash : sha256_hex(request.body);
  const CanonicalRequest creq = canonical_request(request, p, payload_hash, auth.signed_headers);
  const std::string scope = credential_scope(p.time, p.region, p.service);
  const std::string expected = signature(cached_signing_key(p), string_to_sign(creq.text, p.time, scope));
  if (!constant_time_equals(expected, auth.signature)) {
    return make_error("aws.auth.signature_mismatch",
                      "The request signature we calculated does not match the signature you provided");
  }
  return {};
}

}  // namespace fixgate::aws
