#include "guardrails/loop_protection.h"

#include <cctype>

namespace fixgate::guardrails {

LoopProtection::LoopProtection(Duration window, std::string session_prefix, const Clock& clock)
    : window_(window), prefix_(std::move(session_prefix)), clock_(clock) {}

void LoopProtection::record_change(const std::string& resource_key) {
  std::lock_guard lock(mutex_);
  const TimePoint now = clock_.now();
  changed_[resource_key] = now;
  // Forget expired records so the map stays bounded by the changes of one window.
  for (auto it = changed_.begin(); it != changed_.end();) {
    it = now - it->second > window_ ? changed_.erase(it) : std::next(it);
  }
}

namespace {

bool session_at(std::string_view text, size_t pos, std::string_view prefix) {
  return text.substr(pos, prefix.size()) == prefix;
}

// After `assumed-role/`, skip the role name to the next '/', then expect the prefix.
bool assumed_role_match(std::string_view evidence, std::string_view prefix) {
  constexpr std::string_view marker = "assumed-role/";
  for (size_t pos = evidence.find(marker); pos != std::string_view::npos; pos = evidence.find(marker, pos + 1)) {
    size_t i = pos + marker.size();
    while (i < evidence.size() && evidence[i] != '/' && evidence[i] != '"' &&
           !std::isspace(static_cast<unsigned char>(evidence[i]))) {
      ++i;
    }
    if (i < evidence.size() && evidence[i] == '/' && session_at(evidence, i + 1, prefix)) return true;
  }
  return false;
}

// A JSON member `"<key>" : "prefix...` (whitespace allowed around the colon).
bool json_member_match(std::string_view evidence, std::string_view key, std::string_view prefix) {
  const std::string quoted = "\"" + std::string(key) + "\"";
  for (size_t pos = evidence.find(quoted); pos != std::string_view::npos; pos = evidence.find(quoted, pos + 1)) {
    size_t i = pos + quoted.size();
    while (i < evidence.size() && std::isspace(static_cast<unsigned char>(evidence[i]))) ++i;
    if (i >= evidence.size() || evidence[i] != ':') continue;
    ++i;
    while (i < evidence.size() && std::isspace(static_cast<unsigned char>(evidence[i]))) ++i;
    if (i < evidence.size() && evidence[i] == '"' && session_at(evidence, i + 1, prefix)) return true;
  }
  return false;
}

}  // namespace

bool LoopProtection::evidence_names_session(std::string_view evidence, std::string_view prefix) {
  if (prefix.empty()) return false;
  return assumed_role_match(evidence, prefix) || json_member_match(evidence, "sourceIdentity", prefix) ||
         json_member_match(evidence, "roleSessionName", prefix) || json_member_match(evidence, "sessionName", prefix);
}

std::optional<std::string> LoopProtection::check(const std::string& resource_key, std::string_view evidence) {
  {
    std::lock_guard lock(mutex_);
    auto it = changed_.find(resource_key);
    if (it != changed_.end() && clock_.now() - it->second <= window_) {
      const auto ago = std::chrono::duration_cast<std::chrono::seconds>(clock_.now() - it->second).count();
      return "fixgate changed this resource " + std::to_string(ago) + "s ago (loop protection window)";
    }
  }
  if (evidence_names_session(evidence, prefix_)) {
    return "the finding's evidence names a fixgate session (" + prefix_ + "...): it is the echo of fixgate's own change";
  }
  return std::nullopt;
}

}  // namespace fixgate::guardrails
