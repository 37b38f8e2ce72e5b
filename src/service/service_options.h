// The `queue:` section of fixgate.yaml: how `fixgate serve` stores, leases and
// retries work. Read from Config::extra_sections["queue"] (already JSON, with
// ${ENV} references resolved by the config component).
//
//   queue:
//     workers: 8                  # worker threads draining the queue (1..64); they mostly wait
//                                 # on AWS calls and fsyncs, and concurrent audit appends share one
//                                 # commit, so more workers than cores raise decisions/s
//     lease_batch: 8              # messages one worker leases per round trip (1..100)
//     worker_nice: 10             # CPU priority of the workers below the intake (0..19): in a
//                                 # burst, acknowledging (the sender is waiting) comes before
//                                 # deciding (the queue holds the work durably)
//     visibility_timeout_ms: 60000  # a lease; extended while an action runs (100..3600000)
//     max_attempts: 5             # deliveries before a message is dead-lettered (1..100)
//     backoff_base_ms: 1000       # first retry delay; doubles per attempt (0..3600000)
//     backoff_cap_ms: 300000      # longest retry delay (>= backoff_base_ms)
//     dedupe_window_s: 86400      # how long an idempotency key is remembered (1..31536000)
//     durability: full            # full (fsync per group commit) | normal (tests only)
#pragma once

#include <chrono>
#include <cstddef>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "queue/durable_queue.h"

namespace fixgate::service {

struct QueueSettings {
  size_t workers = 8;
  size_t lease_batch = 8;
  int worker_nice = 10;
  std::chrono::milliseconds visibility_timeout{60000};
  queue::RetryPolicy retry;  // base 1 s, cap 5 min, 5 attempts
  std::chrono::milliseconds dedupe_window{std::chrono::hours(24)};
  queue::Durability durability = queue::Durability::full;
};

// Absent or null section: the defaults above. Errors: "queue.unknown_key",
// "queue.bad_type", "queue.bad_value", each naming the key ("queue.max_attempts").
Result<QueueSettings> queue_settings_from_json(const nlohmann::json& section);

}  // namespace fixgate::service
