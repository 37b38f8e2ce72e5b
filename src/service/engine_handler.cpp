#include "service/engine_handler.h"

#include "audit/audit_log.h"
#include "core/text.h"
#include "decision/decision.h"
#include "intake/intake.h"

namespace fixgate::service {

using nlohmann::json;

struct EngineHandler::Metrics {
  metrics::CounterFamily* decisions = nullptr;
  metrics::CounterFamily* actions = nullptr;
  metrics::HistogramFamily* decision_seconds = nullptr;
};

namespace {

std::string request_id_of(const queue::Message& message) {
  const auto it = message.source.attributes.find("request_id");
  return it != message.source.attributes.end() ? it->second : std::string();
}

// The raw finding as the pipeline stores it in the decision's audit body.
std::string stored_raw(const Finding& finding) {
  return is_valid_utf8(finding.raw) ? finding.raw : escape_for_display(finding.raw);
}

}  // namespace

Result<std::unique_ptr<EngineHandler>> EngineHandler::create(engine::Engine& engine, metrics::Registry& registry,
                                                             logging::Logger logger, OutcomeListener listener) {
  auto m = std::make_unique<Metrics>();
  auto decisions = registry.counter("fixgate_decisions_total", "Findings decided, by outcome.", {"outcome"});
  if (!decisions) return decisions.error();
  m->decisions = *decisions;
  auto actions = registry.counter("fixgate_action_results_total",
                                  "Remediation runs (remediate and dry_run decisions), by result.", {"status"});
  if (!actions) return actions.error();
  m->actions = *actions;
  auto seconds = registry.histogram(
      "fixgate_decision_seconds", "Time from durable enqueue to the finding's outcome being on record.",
      {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300});
  if (!seconds) return seconds.error();
  m->decision_seconds = *seconds;
  return std::unique_ptr<EngineHandler>(
      new EngineHandler(engine, std::move(m), std::move(logger), std::move(listener)));
}

EngineHandler::EngineHandler(engine::Engine& engine, std::unique_ptr<Metrics> metrics, logging::Logger logger,
                             OutcomeListener listener)
    : engine_(engine), metrics_(std::move(metrics)), logger_(std::move(logger)), listener_(std::move(listener)) {}

EngineHandler::~EngineHandler() = default;

Result<void> EngineHandler::handle(const queue::Message& message) {
  const std::string request_id = request_id_of(message);
  if (message.attempts > 1) {
    auto resumed = resume_if_decided(message, request_id);
    if (!resumed) return resumed.error();
    if (*resumed) {
      ++already_decided_;
      return {};
    }
  }
  auto outcomes = engine_.handle_payload(message.payload);
  if (!outcomes) {
    logger_.log(logging::Level::error, request_id, "decisions not recorded; will retry",
                {{"message_id", message.receipt.id}, {"attempt", message.attempts},
                 {"error", outcomes.error().to_string()}});
    return outcomes.error();
  }
  for (const auto& outcome : *outcomes) count(outcome, message, request_id);
  if (listener_) listener_(message, *outcomes);
  return {};
}

Result<bool> EngineHandler::resume_if_decided(const queue::Message& message, const std::string& request_id) {
  const std::vector<Finding> findings = intake::parse_payload(message.payload);
  if (findings.empty()) return false;
  const std::string since = audit::format_time(message.enqueued_at);
  std::vector<std::pair<const Finding*, audit::AuditRecord>> prior;
  for (const Finding& finding : findings) {
    audit::AuditQuery query;
    query.correlation_id = correlation_id_for(finding);
    query.kind = "decision";
    query.newest_first = true;
    query.limit = 20;
    auto records = engine_.audit().read(query);
    if (!records) return records.error();
    const std::string raw = stored_raw(finding);
    const audit::AuditRecord* match = nullptr;
    for (const auto& record : *records) {
      if (record.time < since) break;
      const json body = json::parse(record.body, nullptr, false);
      if (body.is_object() && body.value("raw", std::string()) == raw) {
        match = &record;
        break;
      }
    }
    if (match == nullptr) return false;  // decisions are recorded per payload atomically: none were
    prior.emplace_back(&finding, *match);
  }
  for (const auto& [finding, record] : prior) {
    const json decision = json::parse(record.body, nullptr, false).value("decision", json::object());
    const std::string outcome = decision.value("outcome", std::string());
    logger_.log(logging::Level::info, record.correlation_id, "redelivered finding already decided",
                {{"request_id", request_id}, {"message_id", message.receipt.id}, {"audit_seq", record.seq},
                 {"outcome", outcome}});
    if (outcome != "remediate" && outcome != "dry_run") continue;
    audit::AuditQuery results;
    results.correlation_id = record.correlation_id;
    results.kind = "action_result";
    results.after_seq = record.seq;
    results.limit = 1;
    auto done = engine_.audit().read(results);
    if (!done) return done.error();
    if (!done->empty()) continue;
    actions::RunRequest request;
    request.finding = *finding;
    request.action = decision.value("action", std::string());
    request.params = decision.contains("params") && decision["params"].is_object() ? decision["params"]
                                                                                    : json::object();
    request.correlation_id = record.correlation_id;
    request.dry_run = outcome == "dry_run";
    const actions::RunReport report = engine_.runner().run(request);
    metrics_->actions->with({actions::to_string(report.status)}).inc();
    logger_.log(logging::Level::warn, record.correlation_id, "completed an interrupted action",
                {{"request_id", request_id}, {"action", request.action},
                 {"action_status", actions::to_string(report.status)}});
  }
  return true;
}

void EngineHandler::count(const engine::FindingOutcome& outcome, const queue::Message& message,
                          const std::string& request_id) {
  const Decision& decision = outcome.decided.decision;
  metrics_->decisions->with({to_string(decision.outcome)}).inc();
  json fields = {{"request_id", request_id},
                 {"message_id", message.receipt.id},
                 {"finding_id", escape_for_display(decision.finding_id)},
                 {"outcome", to_string(decision.outcome)},
                 {"reason", decision.reasons.empty() ? std::string() : decision.reason().code},
                 {"audit_seq", outcome.decided.audit_seq}};
  if (outcome.action) {
    metrics_->actions->with({actions::to_string(outcome.action->status)}).inc();
    fields["action"] = decision.action;
    fields["action_status"] = actions::to_string(outcome.action->status);
  }
  if (outcome.needs_review) fields["review"] = true;
  const double seconds =
      std::chrono::duration<double>(std::chrono::system_clock::now() - message.enqueued_at).count();
  metrics_->decision_seconds->with({}).observe(std::max(0.0, seconds));
  logger_.log(outcome.needs_review ? logging::Level::warn : logging::Level::info, decision.correlation_id,
              "finding decided", fields);
}

}  // namespace fixgate::service
