#include "notify/notify_metrics.h"

#include <algorithm>
#include <cstring>

namespace fixgate::notify {

Result<std::shared_ptr<NotifyMetrics>> NotifyMetrics::create(metrics::Registry& registry) {
  std::shared_ptr<NotifyMetrics> m(new NotifyMetrics());
  auto deliveries = registry.counter("fixgate_notification_deliveries_total",
                                     "Notification delivery attempts, by channel and result (sent, retry, failed).",
                                     {"channel", "result"});
  if (!deliveries) return deliveries.error();
  m->deliveries_ = *deliveries;
  auto retries = registry.counter("fixgate_notification_retries_total",
                                  "Notification delivery attempts that re-tried an earlier failed attempt.",
                                  {"channel"});
  if (!retries) return retries.error();
  m->retries_ = *retries;
  auto rows = registry.gauge("fixgate_notification_outbox_rows",
                             "Notifications in the outbox not yet delivered: pending, or failed awaiting review.",
                             {"state"});
  if (!rows) return rows.error();
  m->outbox_rows_ = *rows;
  // Seconds to hours: a receiver that is down is retried with back-off for a while.
  auto seconds = registry.histogram(
      "fixgate_notification_delivery_seconds",
      "Time from a notification entering the outbox to its receiver accepting it, retries included.",
      {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400}, {"channel"});
  if (!seconds) return seconds.error();
  m->delivery_seconds_ = *seconds;
  return m;
}

void NotifyMetrics::attempted(const std::string& channel, const char* result, bool was_retry, double queued_seconds) {
  deliveries_->with({channel, result}).inc();
  if (was_retry) retries_->with({channel}).inc();
  if (std::strcmp(result, "sent") == 0) delivery_seconds_->with({channel}).observe(std::max(0.0, queued_seconds));
}

void NotifyMetrics::outbox_rows(size_t pending, size_t failed) {
  outbox_rows_->with({"pending"}).set(static_cast<double>(pending));
  outbox_rows_->with({"failed"}).set(static_cast<double>(failed));
}

}  // namespace fixgate::notify
