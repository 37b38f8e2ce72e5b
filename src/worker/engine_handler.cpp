#include "worker/engine_handler.h"

#include <exception>
#include <utility>

namespace fixgate::worker {

MessageHandler engine_handler(engine::Engine& engine, OutcomeSink sink) {
  return [&engine, sink = std::move(sink)](const sqs::Message& message) -> Result<void> {
    try {
      auto outcomes = engine.handle_payload(message.body);
      if (!outcomes.ok()) return outcomes.error();
      if (sink) sink(message, *outcomes);
      return {};
    } catch (const std::exception& e) {
      // Nothing may cross the component boundary; the message is retried.
      return make_error("worker.handler_failed", e.what());
    }
  };
}

}  // namespace fixgate::worker
