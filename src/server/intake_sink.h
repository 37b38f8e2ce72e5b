// Where the HTTP intake hands an accepted finding: the durable queue in
// production (QueueIntakeSink), an in-memory fake in tests and benchmarks.
//
// The contract that makes "acknowledge only after durably queued" hold: the
// server answers 202 only after enqueue() has returned (or enqueue_async() has
// called back with) a value, and a value comes only once the payload would
// survive a crash.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "core/result.h"

namespace fixgate::server {

struct IntakeMeta {
  std::string source;        // "wiz" or "sns"
  std::string request_id;    // the correlation id echoed in X-Request-Id and the access log
  std::string remote_addr;
  std::string content_type;
  std::string sns_topic_arn;   // SNS only
  std::string sns_message_id;  // SNS only
  std::chrono::system_clock::time_point received_at{};
};

struct EnqueueAck {
  std::string id;          // the queue's id for the item (the existing one for a duplicate)
  bool duplicate = false;  // the idempotency key was already queued; nothing new was stored
};

class IntakeSink {
 public:
  virtual ~IntakeSink() = default;

  // Stores `payload` under `idempotency_key` and returns only once it is
  // durable. A key seen before returns the earlier item's id with duplicate=true
  // and stores nothing. Fails (any code) when the payload could not be stored;
  // the server then answers 503 so the sender retries. Called concurrently from
  // the server's worker threads.
  virtual Result<EnqueueAck> enqueue(std::string idempotency_key, std::string payload, IntakeMeta meta) = 0;

  // The same contract, answered through `done` (called exactly once, from any
  // thread) so the caller need not wait. The server's event loops use this:
  // they must never sleep through an fsync. This default calls enqueue() in
  // the caller's thread; a sink that waits on a disk overrides it.
  using EnqueueDone = std::function<void(Result<EnqueueAck>)>;
  virtual void enqueue_async(std::string idempotency_key, std::string payload, IntakeMeta meta, EnqueueDone done) {
    done(enqueue(std::move(idempotency_key), std::move(payload), std::move(meta)));
  }

  // False while the sink cannot accept work (e.g. its database is unavailable);
  // GET /readyz reports 503 then. Must be cheap: it is polled by probes.
  virtual bool healthy() const = 0;
};

}  // namespace fixgate::server
