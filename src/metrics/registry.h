// A small, thread-safe Prometheus metrics registry and its text exposition
// (format 0.0.4, the one `GET /metrics` serves).
//
// Families (a metric name with fixed label names) are registered once, up front;
// registration validates the names and returns a reference that lives as long as
// the Registry. Children (one per combination of label values) are created on
// first use by `with(...)` and are never removed, so a reference to a child stays
// valid too and the hot path can keep it. Every method may be called from any
// thread.
//
// Label values may be attacker-influenced (a route, a status); exposition escapes
// backslash, double quote and newline in them, as the format requires, so a value
// can never break out of its quotes.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"

namespace fixgate::metrics {

class Counter {
 public:
  // Adds `amount`; a negative or NaN amount is ignored (counters only go up).
  void inc(double amount = 1.0);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Gauge {
 public:
  void set(double value) { value_.store(value, std::memory_order_relaxed); }
  void inc(double amount = 1.0) { value_.fetch_add(amount, std::memory_order_relaxed); }
  void dec(double amount = 1.0) { value_.fetch_sub(amount, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Fixed upper bounds (le), ascending; the +Inf bucket is implicit.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<unsigned long long> cumulative;  // one per bound, then +Inf
    double sum = 0.0;
    unsigned long long count = 0;
  };
  Snapshot snapshot() const;

 private:
  const std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::vector<unsigned long long> counts_;  // per bucket (not cumulative), last is +Inf
  double sum_ = 0.0;
};

enum class MetricType { counter, gauge, histogram };

// One metric name and its children, keyed by label values in label-name order.
template <typename Child>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> bounds = {});

  // Returns the child for these label values, creating it on first use. The
  // number of values must equal the number of label names given at registration:
  // a mismatch is a programming error and aborts with a message naming the metric.
  Child& with(const std::vector<std::string>& label_values);

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Calls fn(label_values, child) for every child in label-value order.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    std::lock_guard lock(mutex_);
    for (const auto& [values, child] : children_) fn(values, *child);
  }

 private:
  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Child>> children_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class Registry {
 public:
  // Each fails with "metrics.invalid_name" (name not [a-zA-Z_:][a-zA-Z0-9_:]*),
  // "metrics.invalid_label" (label not [a-zA-Z_][a-zA-Z0-9_]*, starts with "__",
  // repeated, or "le" on a histogram), "metrics.invalid_buckets" (empty, not
  // strictly ascending, or not finite) or "metrics.duplicate" (name taken).
  Result<CounterFamily*> counter(const std::string& name, const std::string& help,
                                 std::vector<std::string> label_names = {});
  Result<GaugeFamily*> gauge(const std::string& name, const std::string& help,
                             std::vector<std::string> label_names = {});
  Result<HistogramFamily*> histogram(const std::string& name, const std::string& help,
                                     std::vector<double> bounds,
                                     std::vector<std::string> label_names = {});

  // The whole registry in text format 0.0.4, families sorted by name, children by
  // label values. Content-Type: text/plain; version=0.0.4; charset=utf-8
  std::string expose() const;

 private:
  Result<void> check_new(const std::string& name, const std::vector<std::string>& labels,
                         MetricType type) const;

  struct Entry {
    MetricType type;
    std::unique_ptr<CounterFamily> counter;
    std::unique_ptr<GaugeFamily> gauge;
    std::unique_ptr<HistogramFamily> histogram;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Entry> families_;
};

// Exposition helpers, public so tests and other exporters share one definition.
std::string escape_label_value(std::string_view value);  // \\ \" \n
std::string escape_help(std::string_view help);          // \\ \n
std::string format_value(double value);                  // shortest round-trip; +Inf -Inf NaN

inline constexpr const char* kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace fixgate::metrics
