#include "config/expandable.h"

#include <cctype>
#include <cstdlib>

namespace fixgate {

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const std::string key(name);
    const char* value = std::getenv(key.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

namespace {

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

ExpandableString ExpandableString::expand(std::string raw, const EnvLookup& env, SourceRef where) {
  ExpandableString out;
  out.where_ = std::move(where);
  std::string expanded;
  size_t i = 0;
  while (i < raw.size()) {
    if (raw[i] == '$' && i + 2 < raw.size() && raw[i + 1] == '{' && is_name_start(raw[i + 2])) {
      size_t end = i + 2;
      while (end < raw.size() && is_name_char(raw[end])) ++end;
      if (end < raw.size() && raw[end] == '}') {
        const std::string name = raw.substr(i + 2, end - i - 2);
        out.has_variables_ = true;
        const auto value = env ? env(name) : std::nullopt;
        if (value) {
          expanded += *value;
        } else if (out.missing_.empty()) {
          out.missing_ = name;
        }
        i = end + 1;
        continue;
      }
    }
    expanded.push_back(raw[i]);
    ++i;
  }
  out.raw_ = std::move(raw);
  if (out.missing_.empty()) out.expanded_ = std::move(expanded);
  return out;
}

Result<std::string> ExpandableString::resolve() const {
  if (!missing_.empty()) {
    std::string where = where_.location();
    if (!where_.key.empty()) where += ": " + where_.key;
    return make_error("config.env_missing", "environment variable " + missing_ + " is not set (" + where + ")");
  }
  return expanded_;
}

}  // namespace fixgate
