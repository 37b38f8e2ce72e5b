#include "sns/sns_url.h"

#include <vector>

#include "core/text.h"

namespace fixgate::sns {

namespace {

bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// us-east-2, us-gov-west-1, cn-north-1, ap-southeast-3, il-central-1:
// two letters, one or more "-letters" parts, then "-digits".
bool is_region(std::string_view region) {
  const std::vector<std::string> parts = split(region, '-');
  if (parts.size() < 3) return false;
  if (parts.front().size() != 2 || !is_lower(parts.front()[0]) || !is_lower(parts.front()[1])) return false;
  const std::string& number = parts.back();
  if (number.empty() || number.size() > 2) return false;
  for (char c : number) if (!is_digit(c)) return false;
  for (size_t i = 1; i + 1 < parts.size(); ++i) {
    if (parts[i].empty()) return false;
    for (char c : parts[i]) if (!is_lower(c)) return false;
  }
  return true;
}

struct SplitUrl {
  std::string_view host;
  std::string_view path;
  std::string_view query;  // without '?'
  bool has_query = false;
  bool has_fragment = false;
};

// Splits an https URL strictly enough for the checks above; `refused` names why not.
Result<SplitUrl> split_https(std::string_view url, const char* code, const char* field) {
  auto refuse = [&](const std::string& why) {
    return Error{code, std::string(field) + " refused: " + why};
  };
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return refuse("contains whitespace, control or non-ASCII characters");
    }
  }
  constexpr std::string_view scheme = "https://";
  if (url.substr(0, scheme.size()) != scheme) return refuse("scheme must be https");
  std::string_view rest = url.substr(scheme.size());
  const size_t authority_end = rest.find_first_of("/?#");
  SplitUrl out;
  out.host = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (out.host.find('@') != std::string_view::npos) return refuse("userinfo is not allowed");
  if (out.host.find(':') != std::string_view::npos) return refuse("an explicit port is not allowed");
  if (!is_sns_host(out.host)) return refuse("host is not sns.<region>.amazonaws.com[.cn]");
  const size_t fragment = rest.find('#');
  if (fragment != std::string_view::npos) {
    out.has_fragment = true;
    rest = rest.substr(0, fragment);
  }
  const size_t query = rest.find('?');
  out.path = rest.substr(0, query);
  if (query != std::string_view::npos) {
    out.has_query = true;
    out.query = rest.substr(query + 1);
  }
  return out;
}

}  // namespace

bool is_sns_host(std::string_view host) {
  constexpr std::string_view prefix = "sns.";
  if (host.substr(0, prefix.size()) != prefix) return false;
  std::string_view rest = host.substr(prefix.size());
  for (std::string_view suffix : {std::string_view(".amazonaws.com"), std::string_view(".amazonaws.com.cn")}) {
    if (rest.size() > suffix.size() && rest.substr(rest.size() - suffix.size()) == suffix &&
        is_region(rest.substr(0, rest.size() - suffix.size()))) {
      return true;
    }
  }
  return false;
}

Result<void> validate_cert_url(std::string_view url) {
  auto parts = split_https(url, "sns.cert_url_refused", "SigningCertURL");
  if (!parts) return parts.error();
  if (parts->has_query || parts->has_fragment) {
    return make_error("sns.cert_url_refused", "SigningCertURL refused: query or fragment is not allowed");
  }
  constexpr std::string_view pem = ".pem";
  const std::string_view path = parts->path;
  if (path.size() <= pem.size() + 1 || path.substr(path.size() - pem.size()) != pem || path[0] != '/') {
    return make_error("sns.cert_url_refused", "SigningCertURL refused: path must end in .pem");
  }
  return {};
}

Result<void> validate_subscribe_url(std::string_view url) {
  auto parts = split_https(url, "sns.subscribe_url_refused", "SubscribeURL");
  if (!parts) return parts.error();
  if (parts->has_fragment) return make_error("sns.subscribe_url_refused", "SubscribeURL refused: fragment");
  if (parts->path != "/" && !parts->path.empty()) {
    return make_error("sns.subscribe_url_refused", "SubscribeURL refused: path must be /");
  }
  bool confirm = false;
  for (const std::string& param : split(parts->query, '&')) confirm = confirm || param == "Action=ConfirmSubscription";
  if (!confirm) {
    return make_error("sns.subscribe_url_refused", "SubscribeURL refused: Action=ConfirmSubscription missing");
  }
  return {};
}

}  // namespace fixgate::sns
