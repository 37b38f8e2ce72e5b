#include "guardrails/circuit_breaker.h"

namespace fixgate::guardrails {

const char* to_string(BreakerState state) {
  switch (state) {
    case BreakerState::closed: return "closed";
    case BreakerState::open: return "open";
    case BreakerState::half_open: return "half_open";
  }
  return "unknown";
}

CircuitBreakers::CircuitBreakers(BreakerConfig config, const Clock& clock) : config_(config), clock_(clock) {}

void CircuitBreakers::open(Account& account, TimePoint now) {
  account.state = BreakerState::open;
  account.opened_at = now;
  account.probe_in_flight = false;
}

void CircuitBreakers::advance(Account& account, TimePoint now) {
  if (account.state == BreakerState::open && now - account.opened_at >= config_.cool_down) {
    account.state = BreakerState::half_open;
    account.probe_in_flight = false;
  }
  while (!account.failures.empty() && now - account.failures.front() > config_.window) {
    account.failures.pop_front();
  }
}

bool CircuitBreakers::try_begin(const std::string& name) {
  std::lock_guard lock(mutex_);
  Account& account = accounts_[name];
  advance(account, clock_.now());
  switch (account.state) {
    case BreakerState::closed: return true;
    case BreakerState::open: return false;
    case BreakerState::half_open:
      if (account.probe_in_flight) return false;
      account.probe_in_flight = true;
      return true;
  }
  return false;
}

void CircuitBreakers::record_success(const std::string& name) {
  std::lock_guard lock(mutex_);
  Account& account = accounts_[name];
  advance(account, clock_.now());
  if (account.state == BreakerState::half_open) {
    account = Account{};  // closed, history forgotten: the account recovered
    return;
  }
  account.consecutive = 0;
}

void CircuitBreakers::record_failure(const std::string& name) {
  std::lock_guard lock(mutex_);
  Account& account = accounts_[name];
  const TimePoint now = clock_.now();
  advance(account, now);
  if (account.state == BreakerState::half_open) {
    open(account, now);
    return;
  }
  account.consecutive += 1;
  account.failures.push_back(now);
  if (account.state == BreakerState::closed &&
      (account.consecutive >= config_.consecutive_failures ||
       static_cast<int>(account.failures.size()) >= config_.window_failures)) {
    open(account, now);
  }
}

void CircuitBreakers::abandon(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = accounts_.find(name);
  if (it != accounts_.end() && it->second.state == BreakerState::half_open) it->second.probe_in_flight = false;
}

BreakerState CircuitBreakers::state(const std::string& name) {
  std::lock_guard lock(mutex_);
  Account& account = accounts_[name];
  advance(account, clock_.now());
  return account.state;
}

}  // namespace fixgate::guardrails
