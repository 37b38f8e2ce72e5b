#include "guardrails/guardrails.h"

namespace fixgate::guardrails {

const Clock& steady_clock() {
  static const SteadyClock clock;
  return clock;
}

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::allow: return "allow";
    case Verdict::defer: return "defer";
    case Verdict::dry_run: return "dry_run";
  }
  return "unknown";
}

Guardrails::Guardrails(GuardrailConfig config, const Clock& clock)
    : config_(config),
      kill_switch_(config.kill_switch, config.kill_switch_file),
      loop_(config.loop_window, config.session_prefix, clock),
      breakers_(config.breaker, clock),
      rates_(config.rates, clock) {}

GuardrailDecision Guardrails::evaluate(const IntendedChange& change) {
  if (auto why = kill_switch_.engaged()) return {Verdict::dry_run, "kill_switch", *why, {}};
  if (auto why = loop_.check(change.resource_key, change.evidence)) {
    return {Verdict::defer, "loop_protection", *why, config_.loop_window};
  }
  if (!breakers_.try_begin(change.account)) {
    return {Verdict::defer, "circuit_breaker",
            "circuit breaker for account " + change.account + " is " + to_string(breakers_.state(change.account)) +
                " after repeated failures",
            config_.breaker.cool_down};
  }
  const RateDecision rate = rates_.try_acquire(change.account);
  if (!rate.allowed) {
    breakers_.abandon(change.account);
    return {Verdict::defer, "rate_limit", rate.reason, rate.retry_after};
  }
  return {Verdict::allow, "", "", {}};
}

void Guardrails::record_outcome(const IntendedChange& change, ChangeOutcome outcome) {
  switch (outcome) {
    case ChangeOutcome::changed:
      breakers_.record_success(change.account);
      loop_.record_change(change.resource_key);
      break;
    case ChangeOutcome::no_change:
      breakers_.abandon(change.account);
      break;
    case ChangeOutcome::failed:
      breakers_.record_failure(change.account);
      break;
  }
}

std::optional<ResourceLockGuard> Guardrails::lock_resource(const std::string& resource_key) {
  return locks_.try_lock(resource_key, config_.lock_timeout);
}

}  // namespace fixgate::guardrails
