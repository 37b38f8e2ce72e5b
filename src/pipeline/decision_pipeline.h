// The decide half of fixgate's flow, shared by every front end (`decide`,
// `process`, `serve`, `worker`, `lambda`): payload → findings → enrichment →
// decide() → one durable audit record per decision.
//
// Nothing here changes a cloud resource. The audit record is written before the
// decisions are returned, so a caller that acts on a decision always acts on one
// that is already on record (DESIGN invariant 3).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "config/config.h"
#include "core/finding.h"
#include "core/result.h"
#include "decision/decision.h"

namespace fixgate::pipeline {

struct DecidedFinding {
  Finding finding;
  Decision decision;
  int64_t audit_seq = 0;  // 0 when no audit sink was given
};

// Adds owner candidates beyond the configured tag keys (ownership resolver).
using OwnerLookup = std::function<std::vector<OwnerCandidate>(const Finding&)>;
// Says whether the kill switch is engaged right now (checked per payload).
using KillSwitchProbe = std::function<bool()>;
// The exceptions registry's waivers that may cover the finding (decide() judges
// them beside the config's, expired ones included so it can report them).
using WaiverLookup = std::function<std::vector<Waiver>(const Finding&)>;

struct PipelineOptions {
  const Config* config = nullptr;           // required; must outlive the pipeline
  audit::AuditSink* audit = nullptr;        // nullptr: decide without a record (tests, replays)
  std::function<std::chrono::system_clock::time_point()> clock;  // empty: system clock
  OwnerLookup owners;                       // optional
  KillSwitchProbe kill_switch;              // optional
  WaiverLookup waivers;                     // optional
  std::string actor = "fixgate";            // recorded as the audit actor
};

class DecisionPipeline {
 public:
  explicit DecisionPipeline(PipelineOptions options);

  // Decides every finding of one payload and records all of them in one atomic
  // audit commit. Fails ("audit.*") only when the audit record could not be
  // written; then nothing may be acted on and the payload must be retried.
  Result<std::vector<DecidedFinding>> decide_payload(std::string_view payload);

  // Decides one already-parsed finding (no audit record).
  Decision decide_one(const Finding& finding) const;

 private:
  PipelineOptions options_;
};

// The audit body of a decision: the decision with its checks, the normalised
// finding and the raw payload it came from.
nlohmann::json decision_evidence(const Finding& finding, const Decision& decision);

}  // namespace fixgate::pipeline
