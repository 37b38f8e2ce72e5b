// The log lines `fixgate worker` and `fixgate lambda` write about findings. Each
// carries the finding's correlation id — the id its audit records, role session
// and notifications carry — so one grep joins a log line to everything else
// fixgate did about that finding. Payloads are never logged, only their ids.
#pragma once

#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "engine/engine.h"
#include "logging/logger.h"

namespace fixgate::worker {

// One line per finding ("finding decided"): finding id (escaped for display),
// outcome, reason code, audit sequence, action and its status when one ran, and
// `delivery` (e.g. message_id, receive_count) merged in. Warn when the outcome
// needs a person's review, info otherwise.
void log_outcomes(const logging::Logger& logger, const std::vector<engine::FindingOutcome>& outcomes,
                  const nlohmann::json& delivery);

// The payload's decisions could not be recorded, so it will be delivered again:
// one error line per finding it holds (correlation id computed as the pipeline
// does), with `delivery` merged in and the error's code and message.
void log_unrecorded(const logging::Logger& logger, std::string_view payload, const Error& error,
                    const nlohmann::json& delivery);

}  // namespace fixgate::worker
