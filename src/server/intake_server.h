// The HTTP intake of `fixgate serve`.
//
// Routes:
//   POST /v1/wiz   Wiz automation webhook. 401 (with WWW-Authenticate) unless
//                  the Bearer token or Basic credentials match; 415 unless the
//                  Content-Type is JSON; 400 unless the body is a JSON object.
//                  Idempotency key: the Idempotency-Key header when given, else
//                  a SHA-256 of trigger + issue id + status + resource id.
//   POST /v1/sns   SNS HTTPS subscription (Content-Type JSON or text/plain).
//                  The x-amz-sns-message-type header must match the body; the
//                  TopicArn must be allowlisted (403); the signature must verify
//                  (403; 502 when the certificate could not be fetched).
//                  Notification → its Message is enqueued under its MessageId.
//                  SubscriptionConfirmation → SubscribeURL confirmed (200/502).
//                  UnsubscribeConfirmation → acknowledged (200), nothing queued.
//   GET /healthz   200 while the process serves.
//   GET /readyz    200 only when the sink is healthy and the server not draining.
//   GET /metrics   Prometheus text format 0.0.4.
// Any other method on these paths is 405 (with Allow); a body over
// max_body_bytes is 413; a request not complete within read_timeout of its
// first byte is dropped. In every refusal nothing is enqueued. An accepted
// finding is answered 202 {"queued":true,"id":...,"duplicate":bool} only once
// IntakeSink::enqueue_async called back with a value, i.e. once it is durable;
// a failing sink gives 503 + Retry-After.
//
// Transport: httpd::Server (event loops; /v1/wiz, /healthz and /metrics run on
// them, /v1/sns, /readyz and extra routes on the blocking pool).
//
// Each response carries X-Request-Id (the client's, when it is a short token,
// else a fresh one), and each request produces one JSON access-log line with
// that id as its correlation_id (plus level and component, as logging/ lines). The log never contains the Authorization header or any body.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "metrics/registry.h"
#include "server/intake_sink.h"
#include "server/server_options.h"
#include "sns/verifier.h"

namespace fixgate::server {

// Receives one complete access-log line (no trailing newline). Called from the
// server's threads, possibly concurrently.
using LogWriter = std::function<void(std::string_view line)>;
LogWriter stderr_log_writer();

class IntakeServer {
 public:
  // Registers the server's metrics in `registry` (fails with the registry's
  // error, e.g. "metrics.duplicate" when two servers share one registry).
  // `sink`, `verifier` and `registry` must outlive the server.
  static Result<std::unique_ptr<IntakeServer>> create(ServerOptions options, IntakeSink& sink,
                                                      sns::SnsVerifier& verifier, metrics::Registry& registry,
                                                      LogWriter log = stderr_log_writer());
  ~IntakeServer();  // stop()s
  IntakeServer(const IntakeServer&) = delete;
  IntakeServer& operator=(const IntakeServer&) = delete;

  // Binds and starts serving on a background thread; returns the bound port
  // (the chosen one when options.port was 0). Fails with "server.bind_failed"
  // or "server.already_started".
  Result<int> start();

  // From now on /readyz answers 503 so load balancers stop sending; requests
  // that still arrive are served normally.
  void drain();
  bool draining() const;

  // Graceful stop: drains, stops accepting connections, closes idle keep-alive
  // connections, answers every request already read (an accepted finding once
  // its commit is done), then returns. Idempotent; safe to call from any thread
  // but a handler.
  void stop();

 private:
  struct Impl;
  explicit IntakeServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The fields of a Wiz webhook body that identify one event (empty when absent
// or not a string).
struct WizEvent {
  std::string trigger_source;
  std::string trigger_rule_id;
  std::string trigger_type;
  std::string issue_id;
  std::string issue_status;
  std::string resource_id;
};

// Checks that `body` is a JSON object nested at most 64 deep (so a hostile body
// cannot exhaust a later parser's stack) and reads its identifying fields.
// Errors: "bad_json" with the reason.
Result<WizEvent> read_wiz_event(std::string_view body);

// The idempotency key of a Wiz webhook payload without an Idempotency-Key
// header: "wiz:" + hex SHA-256 over trigger.source, trigger.ruleId,
// trigger.type, issue.id, issue.status and resource.id (unit-separated). When
// the payload has no issue.id string, "wiz-body:" + hex SHA-256 of the raw body,
// so unrelated malformed payloads never collapse into one key.
std::string wiz_idempotency_key(const WizEvent& event, std::string_view raw_body);

}  // namespace fixgate::server
