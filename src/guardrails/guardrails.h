// The guardrails facade: may fixgate make this change right now?
//
// evaluate() answers, in this order of precedence:
//   dry_run(reason) — the kill switch is engaged: plan and record, change nothing;
//   defer(reason)   — loop protection, an open circuit breaker or a rate limit says
//                     "not now"; the work is retried later, never dropped;
//   allow           — go ahead. An allow has taken one rate-limit token for the
//                     account and one global token, and (half-open breaker) the
//                     account's probe slot; the caller must report the outcome with
//                     record_outcome() so the breaker and loop protection learn.
// Per-resource locking is separate (lock_resource) because it spans the whole
// precheck → apply → verify sequence, not only the decision. Thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "guardrails/circuit_breaker.h"
#include "guardrails/clock.h"
#include "guardrails/kill_switch.h"
#include "guardrails/loop_protection.h"
#include "guardrails/rate_limiter.h"
#include "guardrails/resource_lock.h"

namespace fixgate::guardrails {

struct GuardrailConfig {
  RateLimits rates;
  BreakerConfig breaker;
  bool kill_switch = false;
  std::string kill_switch_file;  // empty: no file check
  Duration loop_window = std::chrono::hours(1);
  std::string session_prefix = "fixgate-";
  std::chrono::milliseconds lock_timeout{5000};
};

struct IntendedChange {
  std::string account;
  std::string resource_key;  // ARN (Finding::resource_key())
  std::string action;        // e.g. aws.s3.block_public_access
  std::string evidence;      // the finding's raw payload
};

enum class Verdict { allow, defer, dry_run };
const char* to_string(Verdict verdict);

struct GuardrailDecision {
  Verdict verdict = Verdict::defer;
  std::string guardrail;   // "kill_switch", "loop_protection", "circuit_breaker", "rate_limit", or empty
  std::string reason;      // for the audit record and the operator
  Duration retry_after{};  // defer only: a hint, zero when unknown
};

// What happened after an allowed change, for the breaker and loop protection.
enum class ChangeOutcome {
  changed,     // the change was applied and verified
  no_change,   // precheck found it compliant, or approval is needed: nothing attempted
  failed,      // a call failed or verification failed
};

class Guardrails {
 public:
  Guardrails(GuardrailConfig config, const Clock& clock);

  GuardrailDecision evaluate(const IntendedChange& change);
  void record_outcome(const IntendedChange& change, ChangeOutcome outcome);
  std::optional<ResourceLockGuard> lock_resource(const std::string& resource_key);

  KillSwitch& kill_switch() { return kill_switch_; }
  CircuitBreakers& breakers() { return breakers_; }
  LoopProtection& loop_protection() { return loop_; }

 private:
  GuardrailConfig config_;
  KillSwitch kill_switch_;
  LoopProtection loop_;
  CircuitBreakers breakers_;
  RateLimiter rates_;
  ResourceLocks locks_;
};

}  // namespace fixgate::guardrails
