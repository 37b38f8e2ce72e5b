#include "pipeline/decision_pipeline.h"

#include <utility>

#include "core/text.h"
#include "intake/intake.h"

namespace fixgate::pipeline {

namespace {

nlohmann::json finding_json(const Finding& finding) {
  nlohmann::json tags = nlohmann::json::array();
  for (const auto& tag : finding.tags) tags.push_back({{"key", tag.key}, {"value", tag.value}});
  nlohmann::json out = {
      {"source", to_string(finding.source)},
      {"id", finding.id},
      {"status", finding.status},
      {"open", finding.open},
      {"severity", to_string(finding.severity)},
      {"severity_label", finding.severity_label},
      {"title", finding.title},
      {"control_ids", finding.control_ids},
      {"resource_arn", finding.resource_arn},
      {"resource_id", finding.resource_id},
      {"resource_type", finding.resource_type},
      {"native_resource_type", finding.native_resource_type},
      {"resource_name", finding.resource_name},
      {"account", finding.account},
      {"region", finding.region},
      {"tags", std::move(tags)},
      {"projects", finding.projects},
  };
  if (finding.malformed) {
    out["malformed"] = {{"field", finding.malformed->field}, {"reason", finding.malformed->reason}};
  }
  return out;
}

}  // namespace

nlohmann::json decision_evidence(const Finding& finding, const Decision& decision) {
  return {
      {"decision", decision.to_json()},
      {"finding", finding_json(finding)},
      // The raw payload may hold invalid UTF-8 (that is one reason to reject it);
      // the audit body must stay valid JSON, so such bytes are escaped.
      {"raw", is_valid_utf8(finding.raw) ? finding.raw : escape_for_display(finding.raw)},
      {"raw_escaped", !is_valid_utf8(finding.raw)},
  };
}

DecisionPipeline::DecisionPipeline(PipelineOptions options) : options_(std::move(options)) {}

Decision DecisionPipeline::decide_one(const Finding& finding) const {
  const auto now = options_.clock ? options_.clock() : std::chrono::system_clock::now();
  Enrichment enrichment = enrich_from_config(finding, *options_.config, now);
  if (options_.owners) {
    for (auto& candidate : options_.owners(finding)) enrichment.owners.push_back(std::move(candidate));
  }
  enrichment.kill_switch = options_.kill_switch && options_.kill_switch();
  if (options_.waivers) enrichment.waivers = options_.waivers(finding);
  return decide(finding, enrichment, *options_.config);
}

Result<std::vector<DecidedFinding>> DecisionPipeline::decide_payload(std::string_view payload) {
  std::vector<DecidedFinding> decided;
  for (auto& finding : intake::parse_payload(payload)) {
    Decision decision = decide_one(finding);
    decided.push_back(DecidedFinding{std::move(finding), std::move(decision), 0});
  }
  if (options_.audit == nullptr) return decided;

  std::vector<audit::AuditEntry> entries;
  entries.reserve(decided.size());
  for (const auto& item : decided) {
    audit::AuditEntry entry;
    entry.kind = "decision";
    entry.correlation_id = item.decision.correlation_id;
    entry.finding_id = item.finding.id;
    entry.actor = options_.actor;
    entry.body = decision_evidence(item.finding, item.decision);
    entries.push_back(std::move(entry));
  }
  auto records = options_.audit->append_batch(entries);
  if (!records.ok()) return records.error();
  for (size_t i = 0; i < decided.size() && i < records->size(); ++i) decided[i].audit_seq = (*records)[i].seq;
  return decided;
}

}  // namespace fixgate::pipeline
