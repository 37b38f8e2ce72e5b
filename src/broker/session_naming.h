// What fixgate writes into STS AssumeRole so every CloudTrail event made with
// the assumed credentials traces back to the finding: the role session name,
// the SourceIdentity and the session tags.
//
// Finding ids and correlation ids come from attacker-controllable payloads, so
// every value is reduced to the characters STS accepts before it is sent —
// a bad value would otherwise make AssumeRole fail (ValidationError) and stop
// the remediation, or smuggle text into the customer's CloudTrail.
//
// STS rules (AssumeRole API reference):
//   RoleSessionName, SourceIdentity: 2..64 characters of [\w+=,.@-];
//     SourceIdentity must not start with "aws:" (it cannot, ':' is not allowed).
//   Tag key: 1..128 characters of [\p{L}\p{Z}\p{N}_.:/=+\-@], not starting "aws:";
//   Tag value: 0..256 characters of the same set. fixgate keeps to the ASCII part.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fixgate::broker {

inline constexpr size_t kMaxSessionName = 64;
inline constexpr size_t kMaxTagKey = 128;
inline constexpr size_t kMaxTagValue = 256;

// prefix + text with every character outside [\w+=,.@-] replaced by '-',
// truncated to 64 characters and padded to the minimum of 2.
// When truncation or replacement lost information, the last 9 characters are
// "-" + 8 hex of SHA-256(text), so two long ids never share a session name.
std::string session_name(std::string_view prefix, std::string_view text);

// A tag value: characters outside the allowed ASCII set become '_'; longer than
// 256 characters it is cut to 239 and "-" + 16 hex of SHA-256(value) appended,
// so the original can still be matched by its hash.
std::string tag_value(std::string_view value);

// True when `name` satisfies STS's session-name / source-identity rule.
bool valid_session_name(std::string_view name);
// True when `key` / `value` satisfy STS's session tag rules (ASCII subset).
bool valid_tag_key(std::string_view key);
bool valid_tag_value(std::string_view value);

// The session tags for one finding: fixgate:finding-id and fixgate:correlation-id
// (sanitised), in that order. Empty values are left out.
std::vector<std::pair<std::string, std::string>> finding_tags(std::string_view finding_id,
                                                              std::string_view correlation_id);

}  // namespace fixgate::broker
