// WaiverIndex: one immutable set of stored waivers and the lookup a decision
// makes — "which waivers cover this finding?" — without walking or copying the
// whole set.
//
// A waiver is filed under what narrows it most: each of its exact (non-'*')
// resources, a resource naming one thing; without those, each of its control
// ids (lower-cased, as control ids match case-insensitively); anything else
// (resource prefixes, accounts or tags only) is kept on a list checked one by one. covering() gathers the
// candidates for a finding from those entries and keeps the ones
// waiver_matches() accepts, so it returns exactly what filtering every waiver
// with waiver_matches() would, in the same (stored) order.
//
// Immutable after construction: any number of threads may read one at once.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "core/finding.h"

namespace fixgate::exceptions {

class WaiverIndex {
 public:
  explicit WaiverIndex(std::vector<Waiver> waivers);

  // Every waiver, in stored order (by id).
  const std::vector<Waiver>& all() const { return waivers_; }

  // The waivers whose scope covers `finding`, whatever their status or expiry
  // (decide() judges those and reports revoked or expired ones as evidence).
  std::vector<Waiver> covering(const Finding& finding) const;

 private:
  std::vector<Waiver> waivers_;
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_control_;
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_resource_;
  std::vector<std::uint32_t> scanned_;
};

}  // namespace fixgate::exceptions
