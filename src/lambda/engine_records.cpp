#include "lambda/engine_records.h"

namespace fixgate::lambda {

RecordHandler engine_record_handler(engine::Engine& engine) {
  return [&engine](const SqsRecord& record) -> Result<void> {
    auto outcomes = engine.handle_payload(record.body);
    if (!outcomes.ok()) return outcomes.error();
    return {};
  };
}

}  // namespace fixgate::lambda
