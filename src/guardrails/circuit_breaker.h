// A circuit breaker per account: stop changing an account whose calls keep failing.
//
// closed    → changes flow. It opens after `consecutive_failures` failures in a row,
//             or `window_failures` failures within `window` (successes in between
//             do not hide a steady trickle of failures).
// open      → every change is refused until `cool_down` has passed since opening.
// half_open → exactly one probe change is let through; its success closes the
//             breaker, its failure re-opens it for another cool-down.
// A caller that was let through but then did not attempt a change (deferred for
// another reason, needed approval) calls abandon() so a half-open probe slot is
// not lost. Thread-safe.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "guardrails/clock.h"

namespace fixgate::guardrails {

struct BreakerConfig {
  int consecutive_failures = 3;
  int window_failures = 5;
  Duration window = std::chrono::minutes(10);
  Duration cool_down = std::chrono::minutes(5);
};

enum class BreakerState { closed, open, half_open };
const char* to_string(BreakerState state);

class CircuitBreakers {
 public:
  CircuitBreakers(BreakerConfig config, const Clock& clock);

  // True when a change to `account` may start now. In half_open this claims the
  // single probe slot, so a second caller is refused until the probe reports.
  bool try_begin(const std::string& account);
  void record_success(const std::string& account);
  void record_failure(const std::string& account);
  // Releases a probe slot claimed by try_begin() when no change was attempted.
  void abandon(const std::string& account);

  BreakerState state(const std::string& account);

 private:
  struct Account {
    BreakerState state = BreakerState::closed;
    int consecutive = 0;
    std::deque<TimePoint> failures;  // within `window`, oldest first
    TimePoint opened_at{};
    bool probe_in_flight = false;
  };
  void open(Account& account, TimePoint now);
  void advance(Account& account, TimePoint now);

  BreakerConfig config_;
  const Clock& clock_;
  std::mutex mutex_;
  std::map<std::string, Account> accounts_;
};

}  // namespace fixgate::guardrails
