#include "engine/engine.h"

#include <mutex>
#include <utility>

#include "actions/aws_cloud_api.h"
#include "actions/registry.h"
#include "actions/rollback_store.h"
#include "broker/broker_options.h"
#include "broker/credential_broker.h"
#include "approvals/settings.h"
#include "engine/platform.h"
#include "enrichment/hooks.h"
#include "notify/service.h"
#include "pgaudit/audit_store.h"
#include "guardrails/guardrail_config.h"

namespace fixgate::engine {

namespace {

bool is_review_status(actions::RunStatus status) {
  return status == actions::RunStatus::failed || status == actions::RunStatus::verify_failed;
}

Result<guardrails::GuardrailConfig> guardrail_config(const Config& config, const std::string& state_dir) {
  guardrails::GuardrailConfig guard_config;
  if (const auto it = config.extra_sections.find("guardrails"); it != config.extra_sections.end()) {
    auto parsed = guardrails::guardrail_config_from_json(it->second);
    if (!parsed.ok()) return parsed.error();
    guard_config = *parsed;
  }
  if (guard_config.kill_switch_file.empty()) guard_config.kill_switch_file = state_dir + "/kill-switch";
  return guard_config;
}

// Opens the platform configuration on first use, so `decide`-only work and
// tests without AWS settings never need a region. Sessions come from the
// credential broker (the config's `broker:` section); every open() records the
// session it hands out ("role_session" audit record, no secrets).
class LazySessions final : public actions::CloudSessions {
 public:
  LazySessions(const Config& config, std::optional<aws::ClientConfig> platform, broker::BrokerOptions broker_options,
               audit::AuditSink& audit, std::string actor)
      : config_(config), platform_(std::move(platform)), broker_options_(std::move(broker_options)), audit_(audit),
        actor_(std::move(actor)) {}

  Result<std::unique_ptr<actions::CloudApi>> open(const Finding& finding, const std::string& correlation_id) override {
    actions::AssumeRoleSessions* sessions = nullptr;
    {
      std::lock_guard lock(mutex_);
      if (!sessions_) {
        if (!platform_) {
          auto platform = platform_client_config();
          if (!platform.ok()) return platform.error();
          platform_ = std::move(*platform);
        }
        broker_ = std::make_unique<broker::CredentialBroker>(
            broker::sts_assumer(std::make_shared<aws::AwsClient>(*platform_)), broker::config_role_lookup(config_),
            broker_options_, platform_->clock);
        sessions_ = std::make_unique<actions::AssumeRoleSessions>(*platform_, *broker_, &audit_, actor_);
      }
      sessions = sessions_.get();
    }
    return sessions->open(finding, correlation_id);
  }

 private:
  const Config& config_;
  std::mutex mutex_;
  std::optional<aws::ClientConfig> platform_;
  broker::BrokerOptions broker_options_;
  audit::AuditSink& audit_;
  std::string actor_;
  std::unique_ptr<broker::CredentialBroker> broker_;
  std::unique_ptr<actions::AssumeRoleSessions> sessions_;
};

}  // namespace

nlohmann::json FindingOutcome::to_json() const {
  nlohmann::json line = {{"decision", decided.decision.to_json()}};
  if (action) line["action_result"] = action->to_json();
  if (!approval.is_null()) line["approval"] = approval;
  if (needs_review) line["review"] = true;
  return line;
}

struct Engine::Parts {
  Config config;
  std::unique_ptr<audit::AuditSink> audit;
  std::unique_ptr<guardrails::Guardrails> guardrails;
  std::unique_ptr<LazySessions> sessions;
  std::unique_ptr<actions::FileRollbackStore> rollbacks;
  std::unique_ptr<actions::ActionRunner> runner;
  std::unique_ptr<pipeline::DecisionPipeline> pipeline;
  std::optional<ownership::OwnershipResolver> owners;
  std::unique_ptr<exceptions::Registry> exceptions;
  std::unique_ptr<approvals::ApprovalStore> approval_store;
  std::unique_ptr<approvals::ApprovalService> approvals;
  std::vector<OutcomeObserver> observers;
  std::unique_ptr<notify::NotificationService> notifications;  // null without a notifications: section
};

Result<std::unique_ptr<Engine>> Engine::open(EngineOptions options) {
  auto parts = std::make_unique<Parts>();
  auto config = load_config(options.config_path);
  if (!config.ok()) return config.error();
  parts->config = std::move(*config);

  auto guard_config = guardrail_config(parts->config, options.state_dir);
  if (!guard_config.ok()) {
    return make_error(guard_config.error().code,
                      options.config_path + ": guardrails: " + guard_config.error().message);
  }
  parts->guardrails = std::make_unique<guardrails::Guardrails>(*guard_config, guardrails::steady_clock());

  // A postgresql:// URI shares one chain between workers; anything else is a SQLite file.
  auto audit_log = pgaudit::open_audit_store(options.audit_db.empty() ? options.state_dir + "/audit.db"
                                                                      : options.audit_db);
  if (!audit_log.ok()) return audit_log.error();
  parts->audit = std::move(*audit_log);

  // Notifications (src/notify): a durable outbox in the state dir, delivered by a
  // background thread; SNS channels publish with fixgate's own AWS identity.
  notify::ServiceOptions notify_options;
  notify_options.actor = options.actor;
  notify_options.aws = options.platform;
  notify_options.metrics = options.metrics;
  if (!notify_options.aws && parts->config.extra_sections.count("notifications")) {
    if (auto platform = platform_client_config(); platform.ok()) notify_options.aws = std::move(*platform);
  }
  auto notifications =
      notify::NotificationService::open(parts->config, options.state_dir, *parts->audit, std::move(notify_options));
  if (!notifications.ok()) {
    return make_error(notifications.error().code, options.config_path + ": " + notifications.error().message);
  }
  parts->notifications = std::move(*notifications);
  if (parts->notifications) parts->notifications->start();

  auto broker_options = broker::broker_options_from_config(parts->config);
  if (!broker_options.ok()) {
    return make_error(broker_options.error().code, options.config_path + ": " + broker_options.error().message);
  }
  parts->sessions = std::make_unique<LazySessions>(parts->config, std::move(options.platform), *broker_options,
                                                   *parts->audit, options.actor);
  parts->rollbacks = std::make_unique<actions::FileRollbackStore>(
      options.rollback_dir.empty() ? options.state_dir + "/rollback" : options.rollback_dir);
  actions::RunnerOptions runner_options;
  runner_options.retry.max_attempts = 1;  // the AWS client already retries with its quota
  runner_options.actor = options.actor;
  parts->runner = std::make_unique<actions::ActionRunner>(actions::builtin_actions(), *parts->guardrails,
                                                          *parts->sessions, *parts->audit, *parts->rollbacks,
                                                          runner_options);

  auto resolver = enrichment::ownership_resolver(parts->config);
  if (!resolver.ok()) return resolver.error();
  parts->owners.emplace(std::move(*resolver));
  exceptions::RegistryOptions registry_options;
  registry_options.actor = options.actor;
  for (const auto& waiver : parts->config.exceptions.waivers) registry_options.reserved_ids.insert(waiver.id);
  auto registry = exceptions::Registry::open(options.state_dir + "/exceptions.db", *parts->audit, registry_options);
  if (!registry.ok()) return registry.error();
  parts->exceptions = std::move(*registry);
  auto approval_settings = approvals::settings_from_config(parts->config);
  if (!approval_settings.ok()) return approval_settings.error();
  auto approval_store = approvals::ApprovalStore::open(options.state_dir + "/approvals.db");
  if (!approval_store.ok()) return approval_store.error();
  parts->approval_store = std::move(*approval_store);
  actions::ActionRunner* runner = parts->runner.get();
  const Config* engine_config = &parts->config;
  // mode: dry_run holds for approved changes too (the kill switch is the runner's own guardrail).
  parts->approvals = std::make_unique<approvals::ApprovalService>(
      *parts->approval_store, *parts->audit,
      [runner, engine_config](actions::RunRequest r) {
        if (engine_config->mode == Mode::dry_run) r.dry_run = true;
        return runner->run(r);
      },
      approval_settings->service);

  pipeline::PipelineOptions pipeline_options;
  pipeline_options.owners = enrichment::owner_lookup(*parts->owners);
  pipeline_options.waivers = enrichment::waiver_lookup(*parts->exceptions);
  pipeline_options.config = &parts->config;
  pipeline_options.audit = parts->audit.get();
  pipeline_options.actor = options.actor;
  guardrails::Guardrails* guards = parts->guardrails.get();
  pipeline_options.kill_switch = [guards] { return guards->kill_switch().engaged().has_value(); };
  parts->pipeline = std::make_unique<pipeline::DecisionPipeline>(std::move(pipeline_options));
  return std::unique_ptr<Engine>(new Engine(std::move(parts)));
}

Engine::Engine(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
Engine::~Engine() = default;

Result<std::vector<FindingOutcome>> Engine::handle_payload(std::string_view payload) {
  auto decided = parts_->pipeline->decide_payload(payload);
  if (!decided.ok()) return decided.error();
  std::vector<FindingOutcome> outcomes;
  outcomes.reserve(decided->size());
  for (auto& item : *decided) {
    outcomes.push_back(act(std::move(item)));
    if (parts_->notifications) {  // the decision and the action are on record by now
      const FindingOutcome& done = outcomes.back();
      auto queued = parts_->notifications->enqueue(
          {done.decided.finding, done.decided.decision, {}, done.action ? done.action->to_json() : nlohmann::json()});
      // Not durably queued: fail the payload so it is redelivered; the outbox dedupes.
      if (!queued.ok()) return queued.error();
    }
    for (const auto& observer : parts_->observers) observer(outcomes.back());
  }
  return outcomes;
}

FindingOutcome Engine::act(pipeline::DecidedFinding decided) {
  FindingOutcome outcome;
  const Outcome verdict = decided.decision.outcome;
  outcome.needs_review = verdict == Outcome::reject;
  if (verdict == Outcome::remediate || verdict == Outcome::dry_run) {
    actions::RunRequest request;
    request.finding = decided.finding;
    request.action = decided.decision.action;
    request.params = decided.decision.params;
    request.correlation_id = decided.decision.correlation_id;
    request.dry_run = verdict == Outcome::dry_run;
    outcome.action = parts_->runner->run(request);
    outcome.needs_review = is_review_status(outcome.action->status);
  }
  if (verdict == Outcome::approval_required ||
      (verdict == Outcome::remediate && outcome.action->status == actions::RunStatus::approval_required)) {
    auto asked = outcome.action ? parts_->approvals->request_for_run(decided.finding, decided.decision, *outcome.action)
                                : parts_->approvals->request_for_decision(decided.finding, decided.decision);
    if (!asked.ok()) {
      outcome.approval = {{"error", {{"code", asked.error().code}, {"message", asked.error().message}}}};
      outcome.needs_review = true;  // nobody was asked: a person must look
    } else if (asked->request) {
      outcome.approval = asked->request->to_json();
      outcome.approval["reused"] = asked->reused;
    } else {
      outcome.approval = {{"note", asked->note}};
    }
  }
  outcome.decided = std::move(decided);
  return outcome;
}

void Engine::add_observer(OutcomeObserver observer) { parts_->observers.push_back(std::move(observer)); }
const Config& Engine::config() const { return parts_->config; }
audit::AuditSink& Engine::audit() { return *parts_->audit; }
actions::ActionRunner& Engine::runner() { return *parts_->runner; }
guardrails::Guardrails& Engine::guardrails() { return *parts_->guardrails; }
pipeline::DecisionPipeline& Engine::pipeline() { return *parts_->pipeline; }
approvals::ApprovalService& Engine::approvals() { return *parts_->approvals; }
exceptions::Registry& Engine::exceptions() { return *parts_->exceptions; }

}  // namespace fixgate::engine
