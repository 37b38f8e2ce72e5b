// Notifier: routes decided findings into the durable outbox and delivers them.
//
//   enqueue()      called once per finding after its decision (and action, if
//                  any) is on the audit record. Routes it (router.h), builds the
//                  message (message.h) and inserts one outbox row per channel.
//                  A row that already exists for (correlation id, channel,
//                  outcome) is a duplicate and is not queued again. Returns once
//                  every row is durable; an outbox error means "not queued" and
//                  the caller must retry the finding (nothing was announced yet).
//   deliver_due()  claims due rows, renders each for its channel (secrets read
//                  from the environment now), sends it, and records the outcome:
//                    2xx                      → sent; audit "notification_sent"
//                    429 (Retry-After honoured), 408, 5xx, no response,
//                    a missing secret         → retried with exponential backoff
//                    any other status, an unrenderable message,
//                    or the last allowed attempt failing → failed; audit
//                                                 "notification_failed"; kept for review
//                  Audit bodies name the channel, its type, the HTTP status and
//                  the receiver's reference (Jira key, SNS MessageId); never a
//                  URL, token or header value.
//   send_now()     renders and sends one message on one channel, bypassing the
//                  outbox (`fixgate notify test`).
//
// Thread-safe: several threads may call enqueue() and deliver_due(); the outbox
// lease keeps a row with one deliverer at a time.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "aws/client.h"
#include "aws/http.h"
#include "config/expandable.h"
#include "core/result.h"
#include "notify/message.h"
#include "notify/notify_config.h"
#include "notify/notify_metrics.h"
#include "notify/outbox.h"
#include "notify/render.h"

namespace fixgate::notify {

struct NotifierOptions {
  EnvLookup env;                              // empty: the process environment
  std::shared_ptr<aws::HttpTransport> http;   // empty: libcurl with the policy's timeout
  // SNS: this client for topics in its region; for a topic elsewhere, a copy of
  // its configuration with the topic's region. Empty: sns channels fail
  // permanently ("notify.sns_unavailable").
  std::shared_ptr<aws::AwsClient> sns;
  std::function<std::chrono::system_clock::time_point()> clock;  // empty: system clock
  std::string actor = "fixgate";              // the audit records' actor
  // Delivery counters, latency and outbox depth (notify_metrics.h); the depth
  // is refreshed after every delivery round. Empty: nothing is counted.
  std::shared_ptr<NotifyMetrics> metrics;
};

struct EnqueueReport {
  std::vector<std::string> queued;      // channels with a new outbox row
  std::vector<std::string> duplicates;  // channels that already had this notification
  bool owner_unresolved = false;        // a route asked for "@owner" and none was found
};

// What one attempt on one channel gave.
struct SendResult {
  bool ok = false;
  bool retryable = false;
  int status = 0;          // HTTP status; 0 when no response
  std::string reference;   // Jira issue key, PagerDuty dedup_key, SNS MessageId
  std::string error;       // one line, no secrets
  std::optional<std::chrono::milliseconds> retry_after;
};

struct DeliveryReport {
  size_t sent = 0;
  size_t retried = 0;
  size_t failed = 0;
  std::vector<std::string> errors;  // outbox or audit errors met along the way
};

class Notifier {
 public:
  // `audit` must outlive the notifier.
  Notifier(NotifyConfig config, Outbox outbox, audit::AuditSink& audit, NotifierOptions options = {});

  Result<EnqueueReport> enqueue(const NotificationInput& input);
  DeliveryReport deliver_due(size_t limit = 100);
  // Errors: "notify.unknown_channel"; otherwise the attempt's result.
  Result<SendResult> send_now(const std::string& channel, const nlohmann::json& message);

  // How long until a pending row is due (zero when one is due now), or nullopt
  // when nothing is pending: for a delivery loop's sleep.
  Result<std::optional<std::chrono::milliseconds>> next_delay();

  Outbox& outbox() { return outbox_; }
  const NotifyConfig& config() const { return config_; }

  // "<correlation id>|<channel>|<outcome>", and the stable id receivers see for it.
  static std::string dedupe_key(const std::string& correlation_id, const std::string& channel, const std::string& outcome);
  static std::string delivery_id(const std::string& dedupe_key);

 private:
  SendResult attempt(const Channel& channel, const nlohmann::json& message, const std::string& delivery_id);
  SendResult send_http(const Delivery& delivery);
  SendResult send_sns(const Channel& channel, const Delivery& delivery);
  std::shared_ptr<aws::AwsClient> sns_client(const std::string& region);
  std::chrono::milliseconds backoff(int attempts) const;
  int64_t now_ms() const;

  NotifyConfig config_;
  Outbox outbox_;
  audit::AuditSink& audit_;
  NotifierOptions options_;
  std::mutex sns_mutex_;
  std::map<std::string, std::shared_ptr<aws::AwsClient>> sns_by_region_;  // guarded by sns_mutex_
};

}  // namespace fixgate::notify
