#include "pgaudit/conninfo.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>

#include "core/text.h"

namespace fixgate::pgaudit {
namespace {

constexpr std::string_view kMask = "***";

size_t scheme_length(std::string_view location) {
  if (starts_with(location, "postgresql://")) return 13;
  if (starts_with(location, "postgres://")) return 11;
  return 0;
}

// A span [begin, end) of the input holding one password.
struct Span {
  size_t begin = 0;
  size_t end = 0;
};

// libpq's URI grammar: user info ends at the first '@' met before any '/';
// query parameters follow '?', separated by '&'.
std::vector<Span> uri_password_spans(std::string_view uri, size_t scheme) {
  std::vector<Span> spans;
  const size_t authority_end = uri.find_first_of("/?", scheme);
  const size_t at = uri.find('@', scheme);
  if (at != std::string_view::npos && (authority_end == std::string_view::npos || at < authority_end)) {
    const size_t colon = uri.find(':', scheme);
    if (colon != std::string_view::npos && colon < at) spans.push_back({colon + 1, at});
  }
  const size_t query = uri.find('?', scheme);
  if (query != std::string_view::npos) {
    size_t start = query + 1;
    while (start <= uri.size()) {
      size_t end = uri.find('&', start);
      if (end == std::string_view::npos) end = uri.size();
      const std::string_view param = uri.substr(start, end - start);
      if (starts_with(param, "password=")) spans.push_back({start + 9, end});
      start = end + 1;
    }
  }
  return spans;
}

// "keyword = value" pairs; a value is either 'quoted with \' escapes' or runs
// to the next whitespace.
std::vector<Span> keyword_password_spans(std::string_view text) {
  std::vector<Span> spans;
  size_t i = 0;
  auto skip_space = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  while (i < text.size()) {
    skip_space();
    const size_t key_start = i;
    while (i < text.size() && text[i] != '=' && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    const std::string_view key = text.substr(key_start, i - key_start);
    skip_space();
    if (i >= text.size() || text[i] != '=') {
      if (i == key_start) ++i;
      continue;
    }
    ++i;
    skip_space();
    size_t value_start = i;
    size_t value_end = i;
    if (i < text.size() && text[i] == '\'') {
      ++i;
      value_start = i;
      while (i < text.size() && text[i] != '\'') i += (text[i] == '\\' && i + 1 < text.size()) ? 2 : 1;
      value_end = std::min(i, text.size());
      if (i < text.size()) ++i;
    } else {
      while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
      value_end = i;
    }
    if (key == "password" && value_end > value_start) spans.push_back({value_start, value_end});
  }
  return spans;
}

std::vector<Span> password_spans(std::string_view conninfo) {
  const size_t scheme = scheme_length(conninfo);
  return scheme > 0 ? uri_password_spans(conninfo, scheme) : keyword_password_spans(conninfo);
}

}  // namespace

bool is_postgres_uri(std::string_view location) { return scheme_length(location) > 0; }

std::string redact_conninfo(std::string_view conninfo) {
  std::string out;
  size_t copied = 0;
  for (const Span& span : password_spans(conninfo)) {
    out.append(conninfo.substr(copied, span.begin - copied));
    out.append(kMask);
    copied = span.end;
  }
  out.append(conninfo.substr(copied));
  return out;
}

std::vector<std::string> conninfo_secrets(std::string_view conninfo) {
  std::vector<std::string> secrets;
  auto add = [&](std::string secret) {
    if (!secret.empty() && std::find(secrets.begin(), secrets.end(), secret) == secrets.end()) {
      secrets.push_back(std::move(secret));
    }
  };
  for (const Span& span : password_spans(conninfo)) {
    const std::string_view raw = conninfo.substr(span.begin, span.end - span.begin);
    add(std::string(raw));
    add(percent_decode(raw));
  }
  // libpq's own parse catches spellings the scan above does not.
  const std::string text(conninfo);
  char* error = nullptr;
  if (PQconninfoOption* options = PQconninfoParse(text.c_str(), &error)) {
    for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
      if (std::string_view(o->keyword) == "password" && o->val != nullptr) add(o->val);
    }
    PQconninfoFree(options);
  }
  PQfreemem(error);
  return secrets;
}

std::string scrub_secrets(std::string message, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    size_t at = 0;
    while ((at = message.find(secret, at)) != std::string::npos) {
      message.replace(at, secret.size(), kMask);
      at += kMask.size();
    }
  }
  return message;
}

std::string display_conninfo(std::string_view conninfo) {
  return scrub_secrets(redact_conninfo(conninfo), conninfo_secrets(conninfo));
}

}  // namespace fixgate::pgaudit
