// Prometheus metrics of notification delivery, registered in a caller's
// metrics::Registry (the one `fixgate serve` exposes on /metrics):
//
//   fixgate_notification_deliveries_total{channel, result}  one per attempt;
//       result "sent", "retry" (scheduled again) or "failed" (given up)
//   fixgate_notification_retries_total{channel}   attempts that were re-tries
//       (the row had been attempted before)
//   fixgate_notification_outbox_rows{state}       rows "pending" / "failed" now
//   fixgate_notification_delivery_seconds{channel}
//       from the row entering the outbox to its receiver accepting it,
//       retries and back-off included
//
// Channel names come from the operator's configuration, so the label set is
// bounded. Optional everywhere: a Notifier without NotifyMetrics counts nothing.
// Thread-safe (the registry's children are).
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "metrics/registry.h"

namespace fixgate::notify {

class NotifyMetrics {
 public:
  // Registers the four families. Errors are the registry's ("metrics.duplicate"
  // when another NotifyMetrics already registered them in `registry`).
  // `registry` must outlive the returned object.
  static Result<std::shared_ptr<NotifyMetrics>> create(metrics::Registry& registry);

  // One attempt on `channel`: its result, whether it was a re-try, and — when
  // sent — the seconds since the row was queued.
  void attempted(const std::string& channel, const char* result, bool was_retry, double queued_seconds);
  void outbox_rows(size_t pending, size_t failed);

 private:
  NotifyMetrics() = default;
  metrics::CounterFamily* deliveries_ = nullptr;
  metrics::CounterFamily* retries_ = nullptr;
  metrics::GaugeFamily* outbox_rows_ = nullptr;
  metrics::HistogramFamily* delivery_seconds_ = nullptr;
};

}  // namespace fixgate::notify
