#include "service/service.h"

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <unistd.h>

#include "approvals/rest.h"
#include "approvals/settings.h"
#include "logging/batching_writer.h"
#include "server/intake_server.h"
#include "server/queue_intake_sink.h"
#include "server/server_options.h"
#include "sns/cert_fetcher.h"
#include "sns/verifier.h"
#include "service/worker_pool.h"

namespace fixgate::service {

namespace {

// The queue sink that also wakes an idle worker when something new arrived,
// so a lone finding is picked up at once rather than after idle_wait.
class WakingSink final : public server::IntakeSink {
 public:
  explicit WakingSink(queue::DurableQueue& queue) : inner_(queue) {}
  void attach(WorkerPool* pool) { pool_ = pool; }

  Result<server::EnqueueAck> enqueue(std::string key, std::string payload, server::IntakeMeta meta) override {
    auto ack = inner_.enqueue(std::move(key), std::move(payload), std::move(meta));
    if (ack && !ack->duplicate && pool_ != nullptr) pool_->wake();
    return ack;
  }
  void enqueue_async(std::string key, std::string payload, server::IntakeMeta meta, EnqueueDone done) override {
    inner_.enqueue_async(std::move(key), std::move(payload), std::move(meta),
                         [this, done = std::move(done)](Result<server::EnqueueAck> ack) {
                           if (ack && !ack->duplicate && pool_ != nullptr) pool_->wake();
                           done(std::move(ack));
                         });
  }
  bool healthy() const override { return inner_.healthy(); }

 private:
  server::QueueIntakeSink inner_;
  WorkerPool* pool_ = nullptr;
};

const nlohmann::json& section(const Config& config, const char* name) {
  static const nlohmann::json kNull;
  const auto it = config.extra_sections.find(name);
  return it == config.extra_sections.end() ? kNull : it->second;
}

void register_environment_secrets(logging::Redactor& redactor) {
  for (const char* name : {"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID"}) {
    if (const char* value = std::getenv(name); value != nullptr) redactor.add_secret(value);
  }
}

}  // namespace

Result<std::pair<std::string, int>> parse_listen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  auto bad = [&] {
    return make_error("service.bad_listen", "--listen '" + listen + "' must be host:port with port 0-65535");
  };
  if (colon == std::string::npos || colon == 0 || colon + 1 >= listen.size()) return bad();
  const std::string port_text = listen.substr(colon + 1);
  if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos) return bad();
  const int port = std::stoi(port_text);
  if (port > 65535) return bad();
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return std::make_pair(host, port);
}

struct Service::Parts {
  ServiceOptions options;
  // Declared first so it is destroyed last: everything below may log until
  // its own destruction, and the batcher writes out what is left when it goes.
  std::unique_ptr<logging::BatchingWriter> log_batcher;
  logging::Logger logger{"service", logging::stderr_writer(), nullptr, "run"};
  metrics::Registry registry;  // before everything that registers metrics in it, so destroyed after them
  std::unique_ptr<engine::Engine> engine;
  std::unique_ptr<queue::DurableQueue> queue;
  std::unique_ptr<WakingSink> sink;
  std::unique_ptr<sns::CurlCertFetcher> fetcher;
  std::unique_ptr<sns::SnsVerifier> verifier;
  std::unique_ptr<server::IntakeServer> server;
  std::unique_ptr<EngineHandler> handler;
  std::unique_ptr<WorkerPool> pool;
  // Expires approval requests past their TTL while nobody looks at them, so
  // the pending list and its notifications never show a request that can no
  // longer be approved.
  std::chrono::milliseconds sweep_interval{60000};
  metrics::CounterFamily* approvals_expired = nullptr;
  std::thread sweeper;
  std::mutex sweep_mutex;
  std::condition_variable sweep_cv;
  bool sweep_stop = false;
  int port = 0;
  std::mutex lifecycle;
  bool stopped = false;
};

Result<std::unique_ptr<Service>> Service::open(ServiceOptions options) {
  auto parts = std::make_unique<Parts>();
  auto redactor = std::make_shared<logging::Redactor>();
  register_environment_secrets(*redactor);
  logging::Writer writer = options.log_writer;
  if (!writer) {
    // A line per request and per finding: batched, they share write()s.
    parts->log_batcher = std::make_unique<logging::BatchingWriter>(STDERR_FILENO);
    writer = parts->log_batcher->writer();
  }
  parts->logger = logging::Logger("service", writer, redactor, logging::new_run_id(), options.log_level);

  std::error_code ec;
  std::filesystem::create_directories(options.state_dir, ec);
  if (ec) return make_error("service.state_dir", "cannot create " + options.state_dir + ": " + ec.message());

  engine::EngineOptions engine_options;
  engine_options.config_path = options.config_path;
  engine_options.state_dir = options.state_dir;
  engine_options.platform = options.platform;
  engine_options.metrics = &parts->registry;
  if (options.platform && options.platform->credentials) {
    if (auto creds = options.platform->credentials->get(); creds.ok()) {
      redactor->add_secret(creds->secret_access_key);
      redactor->add_secret(creds->session_token);
    }
  }
  auto engine = engine::Engine::open(std::move(engine_options));
  if (!engine) return engine.error();
  parts->engine = std::move(*engine);
  const Config& config = parts->engine->config();

  auto server_options = server::server_options_from_json(section(config, "server"));
  if (!server_options) return server_options.error();
  redactor->add_secret(server_options->wiz.bearer_token);
  redactor->add_secret(server_options->wiz.basic_password);
  if (!options.listen.empty()) {
    auto listen = parse_listen(options.listen);
    if (!listen) return listen.error();
    server_options->bind = listen->first;
    server_options->port = listen->second;
  }
  auto settings = queue_settings_from_json(section(config, "queue"));
  if (!settings) return settings.error();
  if (options.workers) settings->workers = std::max<size_t>(1, *options.workers);

  queue::QueueOptions queue_options;
  queue_options.durability = settings->durability;
  queue_options.retry = settings->retry;
  queue_options.dedupe_window = settings->dedupe_window;
  queue_options.max_payload_bytes = std::max<size_t>(queue_options.max_payload_bytes, server_options->max_body_bytes);
  auto queue = queue::open_sqlite_queue(options.state_dir + "/queue.db", queue_options);
  if (!queue) return queue.error();
  parts->queue = std::move(*queue);

  parts->sink = std::make_unique<WakingSink>(*parts->queue);
  parts->fetcher = std::make_unique<sns::CurlCertFetcher>();
  parts->verifier = std::make_unique<sns::SnsVerifier>(*parts->fetcher);
  // The approvals REST API is served beside intake when approvers have tokens;
  // without tokens nobody could authenticate, so it is not mounted at all.
  auto approval_settings = approvals::settings_from_config(config);
  if (!approval_settings) return approval_settings.error();
  // A tenth of the TTL, so a request is marked within 10 % of its lifetime,
  // between one second and one minute.
  parts->sweep_interval = std::clamp<std::chrono::milliseconds>(
      std::chrono::duration_cast<std::chrono::milliseconds>(approval_settings->service.ttl) / 10,
      std::chrono::seconds(1), std::chrono::minutes(1));
  auto expired_counter = parts->registry.counter("fixgate_approvals_expired_total",
                                                 "Approval requests marked expired by the periodic sweep.");
  if (!expired_counter) return expired_counter.error();
  parts->approvals_expired = *expired_counter;
  if (!approval_settings->api.tokens.empty()) {
    approvals::ApprovalService* approval_service = &parts->engine->approvals();
    server_options->extra_routes = [approval_service, api = approval_settings->api](httpd::Router& router) {
      return approvals::mount_approvals_api(router, *approval_service, api);
    };
  }
  const logging::Logger access = parts->logger.child("server");
  auto server = server::IntakeServer::create(*server_options, *parts->sink, *parts->verifier, parts->registry,
                                             [access](std::string_view line) { access.write_raw(line); });
  if (!server) return server.error();
  parts->server = std::move(*server);

  auto handler = EngineHandler::create(*parts->engine, parts->registry, parts->logger.child("worker"),
                                       options.on_outcome);
  if (!handler) return handler.error();
  parts->handler = std::move(*handler);
  WorkerPoolOptions pool_options;
  pool_options.workers = settings->workers;
  pool_options.lease_batch = settings->lease_batch;
  pool_options.nice = settings->worker_nice;
  pool_options.visibility_timeout = settings->visibility_timeout;
  pool_options.worker_id_prefix = "serve-" + std::to_string(::getpid());
  EngineHandler* handler_ptr = parts->handler.get();
  auto pool = WorkerPool::create(
      *parts->queue, [handler_ptr](const queue::Message& m) { return handler_ptr->handle(m); }, pool_options,
      parts->registry, parts->logger.child("worker"));
  if (!pool) return pool.error();
  parts->pool = std::move(*pool);
  parts->sink->attach(parts->pool.get());
  parts->options = std::move(options);
  parts->logger.info("service ready", {{"state_dir", parts->options.state_dir},
                                       {"workers", settings->workers},
                                       {"visibility_timeout_ms", settings->visibility_timeout.count()},
                                       {"max_attempts", settings->retry.max_attempts},
                                       {"durability", settings->durability == queue::Durability::full ? "full"
                                                                                                      : "normal"}});
  return std::unique_ptr<Service>(new Service(std::move(parts)));
}

Service::Service(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
Service::~Service() { stop(); }

void Service::sweep_approvals() {
  Parts& p = *parts_;
  std::unique_lock lock(p.sweep_mutex);
  while (!p.sweep_stop) {
    lock.unlock();
    auto expired = p.engine->approvals().expire_due();
    if (!expired) {
      p.logger.warn("approval expiry sweep failed", {{"error", expired.error().to_string()}});
    } else if (*expired > 0) {
      p.approvals_expired->with({}).inc(static_cast<double>(*expired));
      p.logger.info("approval requests expired", {{"count", *expired}});
    }
    lock.lock();
    p.sweep_cv.wait_for(lock, p.sweep_interval, [&p] { return p.sweep_stop; });
  }
}

Result<int> Service::start() {
  parts_->pool->start();
  parts_->sweeper = std::thread([this] { sweep_approvals(); });
  auto port = parts_->server->start();
  if (!port) return port.error();
  parts_->port = *port;
  parts_->logger.info("listening", {{"port", *port}});
  // Scripts and supervisors wait for this line; it must not sit in a batch.
  if (parts_->log_batcher) parts_->log_batcher->flush();
  return *port;
}

void Service::stop() {
  std::lock_guard lock(parts_->lifecycle);
  if (parts_->stopped) return;
  parts_->stopped = true;
  parts_->logger.info("shutting down: intake first, then workers");
  parts_->server->stop();
  parts_->pool->stop();
  {
    std::lock_guard sweep_lock(parts_->sweep_mutex);
    parts_->sweep_stop = true;
  }
  parts_->sweep_cv.notify_all();
  if (parts_->sweeper.joinable()) parts_->sweeper.join();
  parts_->logger.info("stopped");
  if (parts_->log_batcher) parts_->log_batcher->flush();
}

bool Service::wait_drained(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto counts = parts_->queue->counts();
    if (counts && counts->depth() == 0 && parts_->pool->in_flight() == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

int Service::port() const { return parts_->port; }
engine::Engine& Service::engine() { return *parts_->engine; }
queue::DurableQueue& Service::queue() { return *parts_->queue; }
metrics::Registry& Service::metrics() { return parts_->registry; }
const logging::Logger& Service::logger() const { return parts_->logger; }
const EngineHandler& Service::handler() const { return *parts_->handler; }

}  // namespace fixgate::service
