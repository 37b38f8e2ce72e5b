// The time source every guardrail reads, so tests drive time by hand.
//
// Guardrails measure intervals (rate windows, cool-downs, loop windows) and never
// compare against wall-clock dates, so the clock is monotonic. SteadyClock is the
// production clock; FakeClock is advanced explicitly and is safe to share between
// threads.
#pragma once

#include <atomic>
#include <chrono>

namespace fixgate::guardrails {

using Duration = std::chrono::steady_clock::duration;
using TimePoint = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SteadyClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
};

// Starts at an arbitrary fixed point; only advance() moves it.
class FakeClock final : public Clock {
 public:
  TimePoint now() const override { return TimePoint(Duration(ticks_.load())); }
  void advance(Duration by) { ticks_.fetch_add(by.count()); }

 private:
  std::atomic<Duration::rep> ticks_{Duration(std::chrono::hours(1000)).count()};
};

// The process-wide steady clock, for callers that do not inject one.
const Clock& steady_clock();

}  // namespace fixgate::guardrails
