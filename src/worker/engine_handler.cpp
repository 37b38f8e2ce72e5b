#include "worker/engine_handler.h"

#include <exception>
#include <utility>

#include "worker/outcome_log.h"

namespace fixgate::worker {

namespace {

nlohmann::json delivery_of(const sqs::Message& message) {
  return {{"message_id", message.message_id}, {"receive_count", message.receive_count}};
}

}  // namespace

MessageHandler engine_handler(engine::Engine& engine, OutcomeSink sink, std::optional<logging::Logger> logger) {
  return [&engine, sink = std::move(sink), logger = std::move(logger)](const sqs::Message& message) -> Result<void> {
    try {
      auto outcomes = engine.handle_payload(message.body);
      if (!outcomes.ok()) {
        if (logger) log_unrecorded(*logger, message.body, outcomes.error(), delivery_of(message));
        return outcomes.error();
      }
      if (logger) log_outcomes(*logger, *outcomes, delivery_of(message));
      if (sink) sink(message, *outcomes);
      return {};
    } catch (const std::exception& e) {
      // Nothing may cross the component boundary; the message is retried.
      return make_error("worker.handler_failed", e.what());
    }
  };
}

}  // namespace fixgate::worker
