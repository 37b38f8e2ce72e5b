// The engine: one finding payload in, every finding decided, acted on and on record.
//
// It owns what every front end (`process`, `serve`, `worker`, `lambda`, `demo`)
// needs in the same arrangement — the configuration, the audit log, the
// guardrails, the cloud sessions, the ActionRunner and the DecisionPipeline — so
// a transport only moves payloads and acknowledges them once handle_payload has
// returned. The order per payload is fixed by the design invariants:
//   decide all findings → one atomic audit commit (nothing acted on before it)
//   → per finding: remediate / dry_run go through the runner (audit before and
//     after every call); other outcomes are already on record
//   → approval_required (decided, or from the runner's precheck) becomes a
//     pending approval request carrying the dry-run plan (src/approvals)
//   → observers (notifications) see each finished outcome.
// Owners come from the ownership resolver the `ownership:` section configures,
// waivers from the config and the exceptions registry (src/enrichment).
//
// Thread-safe: handle_payload may be called from any number of worker threads.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "actions/runner.h"
#include "approvals/service.h"
#include "audit/audit_log.h"
#include "aws/client.h"
#include "config/config.h"
#include "core/result.h"
#include "exceptions/registry.h"
#include "guardrails/guardrails.h"
#include "metrics/registry.h"
#include "pipeline/decision_pipeline.h"

namespace fixgate::engine {

struct EngineOptions {
  std::string config_path;   // required
  std::string state_dir;     // required: audit.db, rollback/, kill-switch live here by default
  std::string audit_db;      // empty: <state_dir>/audit.db
  std::string rollback_dir;  // empty: <state_dir>/rollback
  // fixgate's own AWS identity and endpoints; empty: the standard AWS
  // configuration (platform.h), read only when the first session is opened.
  std::optional<aws::ClientConfig> platform;
  std::string actor = "fixgate";
  // Where the engine's parts register their metrics (notification deliveries);
  // must outlive the engine. nullptr: none (the CLI's one-shot commands).
  metrics::Registry* metrics = nullptr;
};

struct FindingOutcome {
  pipeline::DecidedFinding decided;
  std::optional<actions::RunReport> action;  // set for remediate and dry_run
  // A person must look: the action failed, could not verify, or the input was rejected.
  bool needs_review = false;
  // approval_required (by the decision or the runner's precheck): the request
  // asked for or found pending (ApprovalRequest::to_json), or {"error": …}
  // when none could be made; {"note": …} when the resource needed no approval.
  nlohmann::json approval = nullptr;

  // {"decision": …, "action_result": …?, "approval": …?, "review": true?} — the JSON line of `process`.
  nlohmann::json to_json() const;
};

// Called once per finished finding, after its decision and action are on record.
// Must be thread-safe; must not throw.
using OutcomeObserver = std::function<void(const FindingOutcome&)>;

class Engine {
 public:
  // Errors: the config's load error (file:line:col), "guardrails.invalid_config",
  // the audit log's open error, "aws.*" when the platform configuration is unusable.
  static Result<std::unique_ptr<Engine>> open(EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Decides, acts and records every finding of one payload. Fails ("audit.*")
  // only when the decisions could not be recorded: then nothing was acted on
  // and the payload must be retried (not acknowledged).
  Result<std::vector<FindingOutcome>> handle_payload(std::string_view payload);

  // Observers added before the first handle_payload call; not synchronised with it.
  void add_observer(OutcomeObserver observer);

  const Config& config() const;
  audit::AuditSink& audit();
  actions::ActionRunner& runner();
  guardrails::Guardrails& guardrails();
  pipeline::DecisionPipeline& pipeline();
  approvals::ApprovalService& approvals();  // <state_dir>/approvals.db, TTL from `approvals:`
  exceptions::Registry& exceptions();       // <state_dir>/exceptions.db, feeds every decision

 private:
  struct Parts;
  explicit Engine(std::unique_ptr<Parts> parts);
  FindingOutcome act(pipeline::DecidedFinding decided);

  std::unique_ptr<Parts> parts_;
};

}  // namespace fixgate::engine
