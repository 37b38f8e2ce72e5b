// `fixgate serve` as one object, so the CLI, the demo and the tests run the
// same arrangement:
//
//   IntakeServer ─► QueueIntakeSink ─► durable queue (<state>/queue.db)
//        (202 only after the commit is on disk)      │
//                                     WorkerPool ◄───┘ ─► EngineHandler ─► Engine
//                                     (ack after the outcome is on record;
//                                      nack → backoff → dead letter)
//
// Configuration: the `server:` section (server/server_options.h) and the
// `queue:` section (service_options.h) of the same fixgate.yaml the Engine
// loads; ServiceOptions may override the listen address and worker count.
// Secrets from the configuration and the AWS environment are registered with
// the logger's redaction guard before anything is logged.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "engine/engine.h"
#include "logging/logger.h"
#include "metrics/registry.h"
#include "queue/durable_queue.h"
#include "service/engine_handler.h"
#include "service/service_options.h"

namespace fixgate::service {

struct ServiceOptions {
  std::string config_path;  // required
  std::string state_dir;    // required: audit.db, queue.db, rollback/, kill-switch
  std::string listen;       // "host:port" (port 0 = ephemeral); empty: server.bind/server.port
  std::optional<size_t> workers;  // overrides queue.workers
  std::optional<aws::ClientConfig> platform;  // empty: the standard AWS configuration
  logging::Writer log_writer;                 // empty: stderr
  logging::Level log_level = logging::Level::info;
  OutcomeListener on_outcome;                 // optional (the demo's table)
};

class Service {
 public:
  // Loads the configuration, opens the audit log and the queue, builds the
  // intake and the workers; nothing listens yet. Errors: the Engine's,
  // "server.*" / "queue.*" for a bad section or an unusable queue file,
  // "service.bad_listen" for a listen address that is not host:port.
  static Result<std::unique_ptr<Service>> open(ServiceOptions options);
  ~Service();  // stop()s
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Starts the workers, then the HTTP intake; returns the bound port.
  // Errors: "server.bind_failed", "server.already_started".
  Result<int> start();

  // Graceful shutdown: stop accepting, finish in-flight HTTP requests, let the
  // workers finish (or release) their messages, then return. Idempotent.
  void stop();

  // Blocks until nothing is ready, delayed or in flight in the queue (every
  // queued finding is settled or dead-lettered), or `timeout` passed.
  // True when drained.
  bool wait_drained(std::chrono::milliseconds timeout);

  int port() const;
  engine::Engine& engine();
  queue::DurableQueue& queue();
  metrics::Registry& metrics();
  const logging::Logger& logger() const;
  const EngineHandler& handler() const;

 private:
  struct Parts;
  explicit Service(std::unique_ptr<Parts> parts);
  void sweep_approvals();
  std::unique_ptr<Parts> parts_;
};

// "host:port" → (host, port); port 0..65535. "service.bad_listen" otherwise.
Result<std::pair<std::string, int>> parse_listen(const std::string& listen);

}  // namespace fixgate::service
