// The Lambda record handler over the Engine: a record's body (an SNS envelope or
// a raw Wiz / ASFF / EventBridge payload) goes through Engine::handle_payload.
// Success once every finding's outcome is on record; an engine error ("audit.*":
// the decisions could not be recorded) fails the record, so it is listed in
// batchItemFailures and retried by Lambda (and dead-lettered by SQS at the end).
#pragma once

#include "engine/engine.h"
#include "lambda/sqs_event.h"

namespace fixgate::lambda {

// `engine` must outlive the handler.
RecordHandler engine_record_handler(engine::Engine& engine);

}  // namespace fixgate::lambda
