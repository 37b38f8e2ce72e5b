#include "logging/redact.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>

namespace fixgate::logging {

namespace {

bool is_upper_alnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_ident(char c) { return is_alnum(c) || c == '_' || c == '-'; }
// Characters of a bearer/basic token (RFC 6750 b64token) and of most API keys.
bool is_token_char(char c) {
  return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
}

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool iequal_at(std::string_view text, size_t pos, std::string_view word) {
  if (pos + word.size() > text.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (lower(text[pos + i]) != word[i]) return false;
  }
  return true;
}

// AWS access key ids: a four-letter type prefix and 16 upper-case alphanumerics.
constexpr std::array<std::string_view, 11> kKeyPrefixes = {"AKIA", "ASIA", "AROA", "AIDA", "AGPA", "ANPA",
                                                           "ANVA", "AIPA", "APKA", "ABIA", "ACCA"};

std::string redact_key_ids(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    const bool boundary = i == 0 || !is_upper_alnum(in[i - 1]);
    if (boundary && i + 20 <= in.size() &&
        std::any_of(kKeyPrefixes.begin(), kKeyPrefixes.end(),
                    [&](std::string_view p) { return in.substr(i, 4) == p; })) {
      size_t end = i + 4;
      while (end < in.size() && is_upper_alnum(in[end])) ++end;
      if (end - i == 20) {
        out += kRedacted;
        i = end;
        continue;
      }
    }
    out.push_back(in[i++]);
  }
  return out;
}

// "Bearer <token>" / "Basic <token>": the scheme stays, the token goes.
std::string redact_auth_schemes(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    for (std::string_view scheme : {std::string_view("bearer"), std::string_view("basic")}) {
      if ((i == 0 || !is_alnum(in[i - 1])) && iequal_at(in, i, scheme)) {
        size_t j = i + scheme.size();
        size_t spaces = j;
        while (spaces < in.size() && in[spaces] == ' ') ++spaces;
        size_t end = spaces;
        while (end < in.size() && is_token_char(in[end])) ++end;
        if (spaces > j && end > spaces) {
          out.append(in.substr(i, spaces - i));
          out += kRedacted;
          i = end;
          goto next;
        }
      }
    }
    out.push_back(in[i++]);
  next:;
  }
  return out;
}

// Words that make the value after them (`word...: value`, `word...=value`,
// `"word...": "value"`) a secret.
constexpr std::array<std::string_view, 9> kSecretWords = {
    "authorization", "password", "passwd", "secret", "token", "api_key", "apikey", "private_key", "credentials"};

std::string redact_named_values(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    size_t word_len = 0;
    if (i == 0 || !is_alnum(in[i - 1])) {
      for (std::string_view word : kSecretWords) {
        if (iequal_at(in, i, word)) word_len = word.size();
      }
    }
    if (word_len == 0) {
      out.push_back(in[i++]);
      continue;
    }
    size_t j = i + word_len;
    while (j < in.size() && is_ident(in[j])) ++j;          // rest of the name: token_value, password2
    if (j < in.size() && (in[j] == '"' || in[j] == '\'')) ++j;  // end of a quoted name
    while (j < in.size() && in[j] == ' ') ++j;
    if (j >= in.size() || (in[j] != ':' && in[j] != '=')) {
      out.append(in.substr(i, j - i));
      i = j;
      continue;
    }
    ++j;
    while (j < in.size() && in[j] == ' ') ++j;
    const bool quoted = j < in.size() && (in[j] == '"' || in[j] == '\'');
    const char quote = quoted ? in[j] : '\0';
    size_t start = quoted ? j + 1 : j;
    size_t end = start;
    if (quoted) {
      while (end < in.size() && in[end] != quote) end += in[end] == '\\' ? 2 : 1;
      end = std::min(end, in.size());
    } else {
      while (end < in.size() && in[end] != ' ' && in[end] != ',' && in[end] != '}' && in[end] != '&' &&
             in[end] != ';')
        ++end;
    }
    out.append(in.substr(i, start - i));
    if (end > start) out += kRedacted;
    i = end;
  }
  return out;
}

}  // namespace

std::string redact_shapes(std::string_view line) {
  return redact_named_values(redact_auth_schemes(redact_key_ids(line)));
}

void Redactor::add_secret(std::string_view value) {
  if (value.size() < 6) return;
  std::unique_lock lock(mutex_);
  if (std::find(secrets_.begin(), secrets_.end(), value) != secrets_.end()) return;
  secrets_.emplace_back(value);
  std::sort(secrets_.begin(), secrets_.end(), [](const std::string& a, const std::string& b) {
    return a.size() > b.size();
  });
}

std::string Redactor::redact(std::string_view line) const {
  std::string text(line);
  {
    std::shared_lock lock(mutex_);
    for (const std::string& secret : secrets_) {
      size_t pos = 0;
      while ((pos = text.find(secret, pos)) != std::string::npos) {
        text.replace(pos, secret.size(), kRedacted);
        pos += kRedacted.size();
      }
    }
  }
  return redact_shapes(text);
}

}  // namespace fixgate::logging
