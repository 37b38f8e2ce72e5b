// decide(): the pure core of fixgate. Given a finding, what was looked up about
// it (owners, time, dynamic waivers, the kill switch) and the configuration, it
// says what to do and why. It does no I/O and reads no clock, so the same inputs
// always give the same Decision and any decision can be replayed from its record.
//
// Precedence, first match wins (every check is still evaluated and recorded):
//   reject/malformed_payload
//   skip/not_open
//   skip/exception_tag | skip/exception_waiver (approved and unexpired only)
//   reject/unsupported_control | reject/unsupported_resource_type | reject/action_not_allowed
//   notify/severity_below_threshold
//   notify/owner_missing
//   notify/environment_unknown (or approval_required / dry_run per environments.unknown)
//   approval_required/environment_requires_approval | dry_run/environment_dry_run |
//     notify/environment_notify (the catalog entry's override beats the policy table)
//   notify/account_not_configured
//   dry_run/mode_dry_run (mode dry_run, or the kill switch)
//   remediate/eligible
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "core/finding.h"

namespace fixgate {

enum class Outcome { remediate, dry_run, approval_required, notify, skip, reject };
const char* to_string(Outcome outcome);

// One guess at who owns the resource, with where it came from. Every candidate
// given to decide() is recorded in Decision::owner_candidates. The owner chosen
// is, among routable candidates with a non-empty name: the best rank when any
// candidate is ranked (an ownership resolver ranked them by its configured
// precedence), else the highest confidence; ties keep list order.
struct OwnerCandidate {
  std::string owner;
  std::string source;       // e.g. "tag:owner", "codeowners", "backstage"
  double confidence = 0.0;  // 0..1
  std::string evidence;     // human-readable, e.g. "tag owner=team-web"
  int rank = 0;             // 1-based rank from an ownership resolver; 0: unranked
  bool routable = true;     // false: an AWS service or automation, never chosen
};

// Everything decide() may use that is not in the finding or the configuration.
struct Enrichment {
  std::vector<OwnerCandidate> owners;
  std::chrono::system_clock::time_point now{};  // waiver expiry is judged at this instant
  std::vector<Waiver> waivers;                  // from the exceptions store, besides the config's
  bool kill_switch = false;                     // forces every remediation into a dry run
};

// Owners from the configured ownership tag keys (case-insensitive), in order of
// trust: the first key gets confidence 1.0, each later one 0.1 less. Tags with an
// empty value name nobody and are left out.
Enrichment enrich_from_config(const Finding& finding, const Config& config,
                              std::chrono::system_clock::time_point now);

struct Reason {
  std::string code;  // e.g. "malformed_payload", "exception_waiver", "eligible"
  std::string detail;
};

struct Check {
  std::string name;  // e.g. "finding_open", "waiver_valid:WVR-0999"
  bool passed = false;
  std::string detail;
};

struct Decision {
  std::string finding_id;
  std::string source;  // "wiz", "asff", "unknown"
  Outcome outcome = Outcome::reject;
  std::vector<Reason> reasons;  // reasons[0] decided the outcome; later ones also blocked
  std::vector<Check> checks;    // every check, in evaluation order
  std::string catalog_entry;    // "" when no entry matched
  std::string action;
  nlohmann::json params = nlohmann::json::object();
  std::string environment;         // "" when unknown
  std::string environment_source;  // "tag:<key>", "account_table" or "none"
  std::string owner;               // "" when none
  std::string owner_source;
  std::vector<OwnerCandidate> owner_candidates;  // every candidate considered, as given
  std::string exception;       // waiver id or suppression tag key; "" when none honoured
  std::string exception_type;  // "waiver", "suppression_tag" or ""
  std::string correlation_id;  // "fg-" + 20 hex chars of SHA-256(source|id|resource)
  std::string resource;        // the finding's resource key (ARN, else native id)
  std::string resource_type;
  std::string account;
  std::vector<std::string> control_ids;
  Severity severity = Severity::unknown;
  std::chrono::system_clock::time_point evaluated_at{};  // Enrichment::now

  const Reason& reason() const { return reasons.front(); }
  nlohmann::json to_json() const;
};

Decision decide(const Finding& finding, const Enrichment& enrichment, const Config& config);

// "fg-" + the first 20 hex characters of SHA-256("<source>|<finding id>|<resource key>").
std::string correlation_id_for(const Finding& finding);

// Whether a waiver's scope covers the finding (status and expiry are not judged here).
bool waiver_matches(const Waiver& waiver, const Finding& finding);
// Approved, and `now` is no later than the end of the expiry day (UTC).
bool waiver_in_force(const Waiver& waiver, std::chrono::system_clock::time_point now);

}  // namespace fixgate
