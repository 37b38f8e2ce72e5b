// The worker's message handler over the Engine: each SQS message body (an SNS
// envelope or a raw Wiz / ASFF / EventBridge payload — the intake tells them
// apart) goes through Engine::handle_payload, which decides, records, acts and
// records again. The handler succeeds once that returned, i.e. once every
// finding's outcome is on record, so the worker may delete the message; an
// engine error ("audit.*": the decisions could not be recorded) fails it and the
// message stays in the queue for redelivery and, finally, the DLQ.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "engine/engine.h"
#include "logging/logger.h"
#include "sqs/sqs_operations.h"
#include "worker/worker.h"

namespace fixgate::worker {

// Called after a message's findings are all on record (before its delete).
using OutcomeSink = std::function<void(const sqs::Message&, const std::vector<engine::FindingOutcome>&)>;

// `engine` must outlive the handler. `sink` may be empty. With a `logger`, every
// finding gets a line with its correlation id and the message id (outcome_log.h):
// "finding decided", or "decision not recorded" when the engine failed.
MessageHandler engine_handler(engine::Engine& engine, OutcomeSink sink = {},
                              std::optional<logging::Logger> logger = std::nullopt);

}  // namespace fixgate::worker
