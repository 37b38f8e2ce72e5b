#include "lambda/engine_records.h"

#include <utility>

#include "worker/outcome_log.h"

namespace fixgate::lambda {

namespace {

nlohmann::json delivery_of(const SqsRecord& record) {
  return {{"message_id", record.message_id}, {"receive_count", record.receive_count}};
}

}  // namespace

RecordHandler engine_record_handler(engine::Engine& engine, std::optional<logging::Logger> logger) {
  return [&engine, logger = std::move(logger)](const SqsRecord& record) -> Result<void> {
    auto outcomes = engine.handle_payload(record.body);
    if (!outcomes.ok()) {
      if (logger) worker::log_unrecorded(*logger, record.body, outcomes.error(), delivery_of(record));
      return outcomes.error();
    }
    if (logger) worker::log_outcomes(*logger, *outcomes, delivery_of(record));
    return {};
  };
}

}  // namespace fixgate::lambda
