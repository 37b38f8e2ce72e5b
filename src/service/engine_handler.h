// What a worker does with one queued payload: the Engine's decide → audit →
// act → audit, plus the one guarantee the queue alone cannot give.
//
// Decided once: the queue dedupes redeliveries *from the source*, but a worker
// that dies after the decisions were committed and before the ack leaves the
// message to be delivered again. So a redelivered message (attempts > 1) is
// first looked up in the audit log: when every finding of the payload already
// has a decision recorded since the message was queued (same correlation id,
// same raw finding), nothing is decided again. A remediate/dry_run decision
// whose action_result is missing (the crash hit mid-action) has its action run
// again — the action's precheck makes an already-applied change a recorded
// no-op, never a second change.
//
// Metrics: fixgate_decisions_total{outcome}, fixgate_action_results_total{status},
// fixgate_decision_seconds (received by the intake → outcome on record).
// Logs: one line per finding with its correlation id (never the payload).
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "core/result.h"
#include "engine/engine.h"
#include "logging/logger.h"
#include "metrics/registry.h"
#include "queue/durable_queue.h"

namespace fixgate::service {

// Told about every message whose payload was decided (not about redeliveries
// found already decided). Called from worker threads; must not throw.
using OutcomeListener =
    std::function<void(const queue::Message& message, const std::vector<engine::FindingOutcome>& outcomes)>;

class EngineHandler {
 public:
  // Registers its metrics in `registry` (errors are the registry's). `engine`
  // and `registry` must outlive the handler.
  static Result<std::unique_ptr<EngineHandler>> create(engine::Engine& engine, metrics::Registry& registry,
                                                       logging::Logger logger, OutcomeListener listener = {});
  ~EngineHandler();
  EngineHandler(const EngineHandler&) = delete;
  EngineHandler& operator=(const EngineHandler&) = delete;

  // The MessageHandler contract (worker_pool.h): a value once every outcome is
  // on record; the Engine's error when the decisions could not be recorded.
  Result<void> handle(const queue::Message& message);

  // How many redelivered messages were found already decided.
  uint64_t redeliveries_already_decided() const { return already_decided_.load(); }

 private:
  struct Metrics;
  EngineHandler(engine::Engine& engine, std::unique_ptr<Metrics> metrics, logging::Logger logger,
                OutcomeListener listener);
  // True when the payload's decisions are already on record (and any missing
  // action result has been completed).
  Result<bool> resume_if_decided(const queue::Message& message, const std::string& request_id);
  void count(const engine::FindingOutcome& outcome, const queue::Message& message, const std::string& request_id);

  engine::Engine& engine_;
  std::unique_ptr<Metrics> metrics_;
  logging::Logger logger_;
  OutcomeListener listener_;
  std::atomic<uint64_t> already_decided_{0};
};

}  // namespace fixgate::service
