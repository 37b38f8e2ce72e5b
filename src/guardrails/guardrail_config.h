// Reading the `guardrails:` section of fixgate.yaml (kept by the config loader as
// JSON in Config::extra_sections["guardrails"]) into a GuardrailConfig.
//
//   guardrails:
//     rate_limits: {per_account_per_minute: 10, global_per_minute: 60}
//     circuit_breaker: {consecutive_failures: 3, window_failures: 5, window_s: 600, cool_down_s: 300}
//     kill_switch: false
//     kill_switch_file: /var/lib/fixgate/KILL
//     loop_window_s: 3600
//     session_prefix: fixgate-
//     lock_timeout_ms: 5000
//
// Every key is optional (defaults as in GuardrailConfig). Unknown keys, wrong types
// and out-of-range values are errors ("guardrails.invalid_config") naming the key
// path, e.g. "guardrails.rate_limits.global_per_minute: must be an integer 1..100000".
#pragma once

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "guardrails/guardrails.h"

namespace fixgate::guardrails {

// `section` null or absent → the defaults.
Result<GuardrailConfig> guardrail_config_from_json(const nlohmann::json& section);

}  // namespace fixgate::guardrails
