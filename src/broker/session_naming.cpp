#include "broker/session_naming.h"

#include <cctype>

#include "aws/crypto.h"

namespace fixgate::broker {

namespace {

bool session_char(unsigned char c) {
  return std::isalnum(c) || c == '_' || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
}

bool tag_char(unsigned char c) {
  return std::isalnum(c) || c == ' ' || c == '_' || c == '.' || c == ':' || c == '/' || c == '=' || c == '+' ||
         c == '-' || c == '@';
}

std::string short_hash(std::string_view text, size_t hex_chars) {
  return aws::sha256_hex(text).substr(0, hex_chars);
}

}  // namespace

std::string session_name(std::string_view prefix, std::string_view text) {
  std::string name;
  bool lossy = false;
  for (unsigned char c : prefix) name += session_char(c) ? static_cast<char>(c) : '-';
  for (unsigned char c : text) {
    if (session_char(c)) {
      name += static_cast<char>(c);
    } else {
      name += '-';
      lossy = true;
    }
  }
  if (name.size() > kMaxSessionName) {
    name.resize(kMaxSessionName);
    lossy = true;
  }
  if (lossy) {
    const std::string suffix = "-" + short_hash(text, 8);
    name.resize(std::min(name.size(), kMaxSessionName - suffix.size()));
    name += suffix;
  }
  while (name.size() < 2) name += '0';
  return name;
}

std::string tag_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) out += tag_char(c) ? static_cast<char>(c) : '_';
  if (out.size() > kMaxTagValue) {
    out.resize(kMaxTagValue - 17);
    out += "-" + short_hash(value, 16);
  }
  return out;
}

bool valid_session_name(std::string_view name) {
  if (name.size() < 2 || name.size() > kMaxSessionName) return false;
  for (unsigned char c : name) {
    if (!session_char(c)) return false;
  }
  return true;
}

bool valid_tag_key(std::string_view key) {
  if (key.empty() || key.size() > kMaxTagKey) return false;
  if (key.size() >= 4 && (key.substr(0, 4) == "aws:" || key.substr(0, 4) == "AWS:")) return false;
  for (unsigned char c : key) {
    if (!tag_char(c)) return false;
  }
  return true;
}

bool valid_tag_value(std::string_view value) {
  if (value.size() > kMaxTagValue) return false;
  for (unsigned char c : value) {
    if (!tag_char(c)) return false;
  }
  return true;
}

std::vector<std::pair<std::string, std::string>> finding_tags(std::string_view finding_id,
                                                              std::string_view correlation_id) {
  std::vector<std::pair<std::string, std::string>> tags;
  if (!finding_id.empty()) tags.emplace_back("fixgate:finding-id", tag_value(finding_id));
  if (!correlation_id.empty()) tags.emplace_back("fixgate:correlation-id", tag_value(correlation_id));
  return tags;
}

}  // namespace fixgate::broker
