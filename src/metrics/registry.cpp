#include "metrics/registry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <type_traits>

namespace fixgate::metrics {

void Counter::inc(double amount) {
  if (!(amount >= 0.0)) return;  // also rejects NaN
  value_.fetch_add(amount, std::memory_order_relaxed);
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double value) {
  // First bucket whose upper bound is >= value; NaN lands in +Inf only.
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  const size_t index = std::isnan(value) ? bounds_.size() : static_cast<size_t>(it - bounds_.begin());
  std::lock_guard lock(mutex_);
  ++counts_[index];
  sum_ += value;
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot snap;
  snap.bounds = bounds_;
  std::lock_guard lock(mutex_);
  unsigned long long running = 0;
  for (unsigned long long c : counts_) {
    running += c;
    snap.cumulative.push_back(running);
  }
  snap.count = running;
  snap.sum = sum_;
  return snap;
}

template <typename Child>
Family<Child>::Family(std::string name, std::string help, std::vector<std::string> label_names,
                      std::vector<double> bounds)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)),
      bounds_(std::move(bounds)) {}

template <typename Child>
Child& Family<Child>::with(const std::vector<std::string>& label_values) {
  if (label_values.size() != label_names_.size()) {
    std::fprintf(stderr, "fixgate: fatal: metric %s takes %zu label values, got %zu\n", name_.c_str(),
                 label_names_.size(), label_values.size());
    std::abort();
  }
  std::lock_guard lock(mutex_);
  auto& slot = children_[label_values];
  if (!slot) {
    if constexpr (std::is_same_v<Child, Histogram>) {
      slot = std::make_unique<Histogram>(bounds_);
    } else {
      slot = std::make_unique<Child>();
    }
  }
  return *slot;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

namespace {

bool valid_metric_name(const std::string& name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    const bool digit = c >= '0' && c <= '9';
    if (!(alpha || (i > 0 && digit))) return false;
  }
  return true;
}

bool valid_label_name(const std::string& name) {
  if (name.empty() || name.rfind("__", 0) == 0) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!(alpha || (i > 0 && digit))) return false;
  }
  return true;
}

std::string label_block(const std::vector<std::string>& names, const std::vector<std::string>& values,
                        const std::string& extra_name = {}, const std::string& extra_value = {}) {
  if (names.empty() && extra_name.empty()) return {};
  std::string out = "{";
  bool first = true;
  for (size_t i = 0; i < names.size(); ++i) {
    if (!first) out += ',';
    first = false;
    out += names[i] + "=\"" + escape_label_value(values[i]) + "\"";
  }
  if (!extra_name.empty()) {
    if (!first) out += ',';
    out += extra_name + "=\"" + escape_label_value(extra_value) + "\"";
  }
  out += '}';
  return out;
}

void header(std::string& out, const std::string& name, const std::string& help, const char* type) {
  out += "# HELP " + name + " " + escape_help(help) + "\n";
  out += "# TYPE " + name + " " + type + "\n";
}

template <typename Child>
void expose_simple(std::string& out, const Family<Child>& family, const char* type) {
  header(out, family.name(), family.help(), type);
  family.for_each([&](const std::vector<std::string>& values, const Child& child) {
    out += family.name() + label_block(family.label_names(), values) + " " + format_value(child.value()) + "\n";
  });
}

void expose_histogram(std::string& out, const HistogramFamily& family) {
  header(out, family.name(), family.help(), "histogram");
  family.for_each([&](const std::vector<std::string>& values, const Histogram& child) {
    const Histogram::Snapshot snap = child.snapshot();
    for (size_t i = 0; i <= snap.bounds.size(); ++i) {
      const std::string le = i < snap.bounds.size() ? format_value(snap.bounds[i]) : "+Inf";
      out += family.name() + "_bucket" + label_block(family.label_names(), values, "le", le) + " " +
             std::to_string(snap.cumulative[i]) + "\n";
    }
    const std::string labels = label_block(family.label_names(), values);
    out += family.name() + "_sum" + labels + " " + format_value(snap.sum) + "\n";
    out += family.name() + "_count" + labels + " " + std::to_string(snap.count) + "\n";
  });
}

}  // namespace

Result<void> Registry::check_new(const std::string& name, const std::vector<std::string>& labels,
                                 MetricType type) const {
  if (!valid_metric_name(name)) {
    return make_error("metrics.invalid_name", "metric name '" + name + "' is not [a-zA-Z_:][a-zA-Z0-9_:]*");
  }
  std::set<std::string> seen;
  for (const auto& label : labels) {
    if (!valid_label_name(label) || !seen.insert(label).second || (type == MetricType::histogram && label == "le")) {
      return make_error("metrics.invalid_label", "metric '" + name + "': label name '" + label +
                                                     "' is invalid, reserved or repeated");
    }
  }
  if (families_.count(name) != 0) {
    return make_error("metrics.duplicate", "metric '" + name + "' is already registered");
  }
  return {};
}

Result<CounterFamily*> Registry::counter(const std::string& name, const std::string& help,
                                         std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  if (auto ok = check_new(name, label_names, MetricType::counter); !ok) return ok.error();
  Entry& entry = families_[name];
  entry.type = MetricType::counter;
  entry.counter = std::make_unique<CounterFamily>(name, help, std::move(label_names));
  return entry.counter.get();
}

Result<GaugeFamily*> Registry::gauge(const std::string& name, const std::string& help,
                                     std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  if (auto ok = check_new(name, label_names, MetricType::gauge); !ok) return ok.error();
  Entry& entry = families_[name];
  entry.type = MetricType::gauge;
  entry.gauge = std::make_unique<GaugeFamily>(name, help, std::move(label_names));
  return entry.gauge.get();
}

Result<HistogramFamily*> Registry::histogram(const std::string& name, const std::string& help,
                                             std::vector<double> bounds, std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  if (auto ok = check_new(name, label_names, MetricType::histogram); !ok) return ok.error();
  bool ascending = !bounds.empty();
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && !(bounds[i - 1] < bounds[i]))) ascending = false;
  }
  if (!ascending) {
    return make_error("metrics.invalid_buckets",
                      "histogram '" + name + "': bucket bounds must be finite, non-empty and strictly ascending");
  }
  Entry& entry = families_[name];
  entry.type = MetricType::histogram;
  entry.histogram = std::make_unique<HistogramFamily>(name, help, std::move(label_names), std::move(bounds));
  return entry.histogram.get();
}

std::string Registry::expose() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& [name, entry] : families_) {
    switch (entry.type) {
      case MetricType::counter: expose_simple(out, *entry.counter, "counter"); break;
      case MetricType::gauge: expose_simple(out, *entry.gauge, "gauge"); break;
      case MetricType::histogram: expose_histogram(out, *entry.histogram); break;
    }
  }
  return out;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

}  // namespace fixgate::metrics
