// NotificationService: the notifier as a front end embeds it — outbox in the
// state directory, SNS through fixgate's AWS identity, and an optional
// background thread that delivers whatever is due.
//
// Usage by the engine, once per finished finding (decision and action already
// on the audit record):
//     auto queued = service->enqueue({finding, decision, {}, report_json});
//     if (!queued) → the payload must not be acknowledged (retry it; the outbox
//                    dedupes, so a retried payload never notifies twice)
// A long-running front end (serve, worker) calls start() once; a one-shot one
// (process, demo) calls drain() before exiting so due notifications go out now
// and the rest wait in the outbox for the next run.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "audit/audit_log.h"
#include "aws/client.h"
#include "config/config.h"
#include "core/result.h"
#include "metrics/registry.h"
#include "notify/notifier.h"

namespace fixgate::notify {

struct ServiceOptions {
  // fixgate's own AWS client settings (region, credentials, endpoints) for SNS
  // channels. The SNS endpoint override AWS_ENDPOINT_URL_SNS (or the shared
  // config's services section) is added here; each topic is published in its
  // own region. nullopt: SNS channels fail with "notify.sns_unavailable".
  std::optional<aws::ClientConfig> aws;
  EnvLookup env;  // secrets; empty: the process environment
  std::function<std::chrono::system_clock::time_point()> clock;
  std::string actor = "fixgate";
  std::chrono::milliseconds idle_poll{5000};  // background loop's longest sleep
  // Where to register the delivery metrics (notify_metrics.h); must outlive the
  // service. nullptr: no metrics.
  metrics::Registry* metrics = nullptr;
};

struct ServiceStats {
  size_t sent = 0;
  size_t retried = 0;
  size_t failed = 0;
  size_t errors = 0;
  std::string last_error;  // the latest outbox/audit error, "" when none
};

class NotificationService {
 public:
  // nullptr (not an error) when the configuration has no notifications section.
  // The outbox is notifications.outbox, else <state_dir>/notifications.db.
  // Errors: "notify.config" (the section is invalid), "notify.outbox", the
  // metrics registry's when its names are taken.
  static Result<std::unique_ptr<NotificationService>> open(const Config& config, const std::string& state_dir,
                                                           audit::AuditSink& audit, ServiceOptions options = {});
  ~NotificationService();
  NotificationService(const NotificationService&) = delete;
  NotificationService& operator=(const NotificationService&) = delete;

  // Queues the finding's notifications and wakes the delivery thread.
  Result<EnqueueReport> enqueue(const NotificationInput& input);

  // Delivers everything due now, round after round, until nothing is due or
  // `budget` has passed (a retry scheduled later stays in the outbox).
  DeliveryReport drain(std::chrono::milliseconds budget = std::chrono::seconds(30));

  // Background delivery: start() spawns the thread (idempotent); stop() wakes
  // and joins it (also done by the destructor).
  void start();
  void stop();

  ServiceStats stats() const;
  Notifier& notifier() { return *notifier_; }

 private:
  NotificationService(std::unique_ptr<Notifier> notifier, ServiceOptions options);
  void record(const DeliveryReport& report);
  void run();

  std::unique_ptr<Notifier> notifier_;
  ServiceOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  bool kicked_ = false;    // guarded by mutex_: enqueue() happened since the last round
  ServiceStats stats_;     // guarded by mutex_
  std::thread thread_;
};

}  // namespace fixgate::notify
