// Loop protection: fixgate must not react to the echo of its own change.
//
// A change fixgate makes shows up again as a new finding or event (Wiz re-scans,
// CloudTrail records the call). Such a finding is recognised two ways:
//  1. the change record: fixgate changed this resource (by ARN) within `window`;
//  2. the evidence: the finding's raw payload names a principal whose STS session
//     name (or source identity) starts with fixgate's prefix ("fixgate-"), i.e.
//     `assumed-role/<role>/fixgate-...` or `"sourceIdentity": "fixgate-..."`.
//     A bare "fixgate-" elsewhere (a bucket called fixgate-logs) does not count.
// Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "guardrails/clock.h"

namespace fixgate::guardrails {

class LoopProtection {
 public:
  LoopProtection(Duration window, std::string session_prefix, const Clock& clock);

  // Records that fixgate changed `resource_key` now.
  void record_change(const std::string& resource_key);
  // The reason to hold off, or nullopt when acting is not a loop.
  std::optional<std::string> check(const std::string& resource_key, std::string_view evidence);

  // True when `evidence` names a session or source identity with the prefix.
  static bool evidence_names_session(std::string_view evidence, std::string_view prefix);

 private:
  Duration window_;
  std::string prefix_;
  const Clock& clock_;
  std::mutex mutex_;
  std::map<std::string, TimePoint> changed_;
};

}  // namespace fixgate::guardrails
