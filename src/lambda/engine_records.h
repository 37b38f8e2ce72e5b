// The Lambda record handler over the Engine: a record's body (an SNS envelope or
// a raw Wiz / ASFF / EventBridge payload) goes through Engine::handle_payload.
// Success once every finding's outcome is on record; an engine error ("audit.*":
// the decisions could not be recorded) fails the record, so it is listed in
// batchItemFailures and retried by Lambda (and dead-lettered by SQS at the end).
#pragma once

#include <optional>

#include "engine/engine.h"
#include "lambda/sqs_event.h"
#include "logging/logger.h"

namespace fixgate::lambda {

// `engine` must outlive the handler. With a `logger`, every finding gets a line
// with its correlation id and the record's message id (worker/outcome_log.h):
// "finding decided", or "decision not recorded" when the engine failed.
RecordHandler engine_record_handler(engine::Engine& engine, std::optional<logging::Logger> logger = std::nullopt);

}  // namespace fixgate::lambda
