#include "exceptions/waiver_index.h"

#include <algorithm>

#include "core/text.h"
#include "decision/decision.h"

namespace fixgate::exceptions {

namespace {

bool is_prefix_pattern(const std::string& pattern) { return !pattern.empty() && pattern.back() == '*'; }

}  // namespace

WaiverIndex::WaiverIndex(std::vector<Waiver> waivers) : waivers_(std::move(waivers)) {
  for (std::uint32_t i = 0; i < waivers_.size(); ++i) {
    const Waiver& w = waivers_[i];
    // A resource names one thing, a control many: file by exact resources first.
    const bool exact_resources =
        !w.resources.empty() && std::none_of(w.resources.begin(), w.resources.end(), is_prefix_pattern);
    if (exact_resources) {
      for (const auto& resource : w.resources) by_resource_[resource].push_back(i);
    } else if (!w.controls.empty()) {
      for (const auto& control : w.controls) by_control_[to_lower(control)].push_back(i);
    } else {
      scanned_.push_back(i);
    }
  }
}

std::vector<Waiver> WaiverIndex::covering(const Finding& finding) const {
  std::vector<std::uint32_t> candidates = scanned_;
  auto add = [&](const auto& index, const std::string& key) {
    if (key.empty()) return;
    const auto it = index.find(key);
    if (it != index.end()) candidates.insert(candidates.end(), it->second.begin(), it->second.end());
  };
  for (const auto& control : finding.control_ids) add(by_control_, to_lower(control));
  add(by_resource_, finding.resource_arn);
  if (finding.resource_id != finding.resource_arn) add(by_resource_, finding.resource_id);
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::vector<Waiver> out;
  for (const auto i : candidates) {
    if (waiver_matches(waivers_[i], finding)) out.push_back(waivers_[i]);
  }
  return out;
}

}  // namespace fixgate::exceptions
