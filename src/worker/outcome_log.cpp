#include "worker/outcome_log.h"

#include "core/text.h"
#include "decision/decision.h"
#include "intake/intake.h"

namespace fixgate::worker {

using nlohmann::json;

namespace {

json with_delivery(json fields, const json& delivery) {
  if (delivery.is_object()) {
    for (const auto& [key, value] : delivery.items()) {
      if (!fields.contains(key)) fields[key] = value;
    }
  }
  return fields;
}

}  // namespace

void log_outcomes(const logging::Logger& logger, const std::vector<engine::FindingOutcome>& outcomes,
                  const json& delivery) {
  for (const auto& outcome : outcomes) {
    const Decision& decision = outcome.decided.decision;
    json fields = {{"finding_id", escape_for_display(decision.finding_id)},
                   {"outcome", to_string(decision.outcome)},
                   {"reason", decision.reasons.empty() ? std::string() : decision.reason().code},
                   {"audit_seq", outcome.decided.audit_seq}};
    if (outcome.action) {
      fields["action"] = decision.action;
      fields["action_status"] = actions::to_string(outcome.action->status);
    }
    if (outcome.needs_review) fields["review"] = true;
    logger.log(outcome.needs_review ? logging::Level::warn : logging::Level::info, decision.correlation_id,
               "finding decided", with_delivery(std::move(fields), delivery));
  }
}

void log_unrecorded(const logging::Logger& logger, std::string_view payload, const Error& error,
                    const json& delivery) {
  const json fields = with_delivery({{"error_code", error.code}, {"error", error.message}}, delivery);
  for (const Finding& finding : intake::parse_payload(payload)) {
    json line = fields;
    line["finding_id"] = escape_for_display(finding.id);
    logger.log(logging::Level::error, correlation_id_for(finding),
               "decision not recorded; the message will be delivered again", line);
  }
}

}  // namespace fixgate::worker
