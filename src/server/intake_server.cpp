#include "server/intake_server.h"

#include <httplib.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <simdjson.h>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <set>
#include <thread>

#include <sys/socket.h>

#include "core/text.h"
#include "server/wiz_auth.h"

namespace fixgate::server {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

LogWriter stderr_log_writer() {
  return [](std::string_view line) {
    // One fwrite per line keeps concurrent lines from interleaving.
    std::string out(line);
    out.push_back('\n');
    std::fwrite(out.data(), 1, out.size(), stderr);
  };
}

namespace {

constexpr const char* kWiz = "/v1/wiz";
constexpr const char* kSns = "/v1/sns";
constexpr const char* kHealth = "/healthz";
constexpr const char* kReady = "/readyz";
constexpr const char* kMetrics = "/metrics";
constexpr int kMaxJsonDepth = 64;
constexpr int kListenBacklog = 1024;

std::string sha256_hex(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

// Per-request state, kept on the worker thread that runs the whole request
// (pre-routing handler, route handler, error handler and logger all run there).
struct RequestContext {
  std::string request_id;
  Clock::time_point start{};
  std::string outcome;  // short machine word for the access log: "queued", an error code, ...
};
thread_local RequestContext t_context;

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == ':';
}

std::string fresh_request_id() {
  unsigned char bytes[12];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    static std::atomic<unsigned long long> counter{0};
    return "req-" + std::to_string(++counter);
  }
  return to_hex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

// The client's X-Request-Id when it is a short token, else a new one.
std::string request_id_for(const httplib::Request& req) {
  const std::string given = req.get_header_value("X-Request-Id");
  if (!given.empty() && given.size() <= 64) {
    bool ok = true;
    for (char c : given) ok = ok && is_token_char(c);
    if (ok) return given;
  }
  return fresh_request_id();
}

std::string media_type(const httplib::Request& req) {
  const std::string value = req.get_header_value("Content-Type");
  return to_lower(trim(std::string_view(value).substr(0, value.find(';'))));
}

bool is_json_media_type(const std::string& type) {
  if (type == "application/json") return true;
  // application/<anything>+json (RFC 6839 structured syntax suffix)
  return starts_with(type, "application/") && type.size() > 17 && type.substr(type.size() - 5) == "+json";
}

std::string timestamp_utc() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const long millis =
      static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buffer;
}

// Routes as metric labels: attacker-chosen paths collapse into "other" so they
// cannot grow the label set.
std::string route_label(const std::string& path) {
  for (const char* route : {kWiz, kSns, kHealth, kReady, kMetrics}) {
    if (path == route) return route;
  }
  return "other";
}

const char* default_error(int status) {
  switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 408: return "request_timeout";
    case 413: return "payload_too_large";
    case 414: return "uri_too_long";
    case 415: return "unsupported_media_type";
    case 503: return "unavailable";
    default: return status >= 500 ? "server_error" : "client_error";
  }
}

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& error, const std::string& reason) {
  t_context.outcome = error;
  send_json(res, status, json{{"error", error}, {"reason", reason}});
}

}  // namespace

Result<WizEvent> read_wiz_event(std::string_view body) {
  // One parser per request thread: its buffers are reused, so a request costs
  // no allocation beyond the padded copy of the body.
  thread_local simdjson::dom::parser parser;
  thread_local const bool allocated = parser.allocate(64 * 1024, kMaxJsonDepth) == simdjson::SUCCESS;
  if (!allocated) return make_error("server.out_of_memory", "cannot allocate the JSON parser");
  simdjson::dom::element root;
  const auto error = parser.parse(body.data(), body.size()).get(root);
  if (error == simdjson::DEPTH_ERROR) {
    return make_error("bad_json", "JSON nesting deeper than " + std::to_string(kMaxJsonDepth));
  }
  if (error != simdjson::SUCCESS) {
    return make_error("bad_json", std::string("body is not valid JSON: ") + simdjson::error_message(error));
  }
  if (!root.is_object()) return make_error("bad_json", "body must be a JSON object");
  auto text_at = [&](const char* object, const char* key) -> std::string {
    std::string_view value;
    if (root[object][key].get_string().get(value) != simdjson::SUCCESS) return {};
    return std::string(value);
  };
  return WizEvent{text_at("trigger", "source"), text_at("trigger", "ruleId"), text_at("trigger", "type"),
                  text_at("issue", "id"),       text_at("issue", "status"),   text_at("resource", "id")};
}

std::string wiz_idempotency_key(const WizEvent& event, std::string_view raw_body) {
  if (event.issue_id.empty()) return "wiz-body:" + sha256_hex(raw_body);
  const char sep = '\x1f';
  std::string material = event.trigger_source;
  for (const std::string* part : {&event.trigger_rule_id, &event.trigger_type, &event.issue_id,
                                  &event.issue_status, &event.resource_id}) {
    material += sep;
    material += *part;
  }
  return "wiz:" + sha256_hex(material);
}

struct IntakeServer::Impl {
  ServerOptions options;
  IntakeSink& sink;
  sns::SnsVerifier& verifier;
  metrics::Registry& registry;
  LogWriter log;
  WizAuthenticator auth;
  std::set<std::string> allowed_topics;

  metrics::CounterFamily* requests = nullptr;
  metrics::HistogramFamily* body_bytes = nullptr;
  metrics::HistogramFamily* enqueue_seconds = nullptr;
  metrics::CounterFamily* enqueued = nullptr;

  httplib::Server http;
  int listen_socket = -1;  // httplib's socket_t on POSIX
  std::thread thread;
  std::mutex lifecycle;
  bool started = false;
  bool stopped = false;
  std::atomic<bool> is_draining{false};
  int bound_port = 0;

  Impl(ServerOptions o, IntakeSink& s, sns::SnsVerifier& v, metrics::Registry& r, LogWriter l)
      : options(std::move(o)), sink(s), verifier(v), registry(r), log(std::move(l)), auth(options.wiz),
        allowed_topics(options.sns_allowed_topic_arns.begin(), options.sns_allowed_topic_arns.end()) {}

  Result<void> register_metrics() {
    auto r = registry.counter("fixgate_http_requests_total", "HTTP requests by route and status.", {"route", "status"});
    if (!r) return r.error();
    requests = *r;
    auto b = registry.histogram("fixgate_http_request_body_bytes", "Request body size in bytes by route.",
                                {256, 1024, 4096, 16384, 65536, 262144, 1048576}, {"route"});
    if (!b) return b.error();
    body_bytes = *b;
    auto e = registry.histogram("fixgate_intake_enqueue_seconds",
                                "Time for the sink to durably enqueue one accepted payload.",
                                {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}, {"source"});
    if (!e) return e.error();
    enqueue_seconds = *e;
    auto q = registry.counter("fixgate_intake_enqueued_total", "Enqueue attempts by source and result.",
                              {"source", "result"});
    if (!q) return q.error();
    enqueued = *q;
    return {};
  }

  IntakeMeta meta_for(const httplib::Request& req, const char* source) const {
    IntakeMeta meta;
    meta.source = source;
    meta.request_id = t_context.request_id;
    meta.remote_addr = req.remote_addr;
    meta.content_type = req.get_header_value("Content-Type");
    meta.received_at = std::chrono::system_clock::now();
    return meta;
  }

  // Enqueues and answers 202, or 503 when the sink failed.
  void enqueue_and_reply(httplib::Response& res, const char* source, std::string key, std::string payload,
                         IntakeMeta meta) {
    const auto begin = Clock::now();
    auto ack = sink.enqueue(std::move(key), std::move(payload), std::move(meta));
    enqueue_seconds->with({source}).observe(std::chrono::duration<double>(Clock::now() - begin).count());
    if (!ack) {
      enqueued->with({source, "error"}).inc();
      res.set_header("Retry-After", "5");
      // The sink's message may name internals (paths); the log gets the code only.
      send_error(res, 503, "queue_unavailable", "the finding could not be stored durably; retry later");
      t_context.outcome = "queue_unavailable:" + ack.error().code;
      return;
    }
    enqueued->with({source, ack->duplicate ? "duplicate" : "new"}).inc();
    t_context.outcome = ack->duplicate ? "duplicate" : "queued";
    send_json(res, 202, json{{"queued", true}, {"id", ack->id}, {"duplicate", ack->duplicate}});
  }

  void handle_wiz(const httplib::Request& req, httplib::Response& res) {
    switch (auth.check(req.get_header_value("Authorization"))) {
      case AuthResult::ok: break;
      case AuthResult::missing: return unauthorized(res, "credentials missing");
      case AuthResult::malformed: return unauthorized(res, "credentials malformed");
      case AuthResult::wrong: return unauthorized(res, "credentials invalid");
    }
    if (!is_json_media_type(media_type(req))) {
      return send_error(res, 415, "unsupported_media_type", "Content-Type must be application/json");
    }
    auto event = read_wiz_event(req.body);
    if (!event) {
      const bool ours = event.error().code != "bad_json";
      return send_error(res, ours ? 503 : 400, event.error().code, event.error().message);
    }

    std::string key;
    if (req.has_header("Idempotency-Key")) {
      const std::string given = req.get_header_value("Idempotency-Key");
      bool ok = !given.empty() && given.size() <= 255;
      for (char c : given) ok = ok && c > 0x20 && c < 0x7f;
      if (!ok) return send_error(res, 400, "bad_idempotency_key", "Idempotency-Key must be 1-255 visible ASCII characters");
      key = "wiz-key:" + given;
    } else {
      key = wiz_idempotency_key(*event, req.body);
    }
    enqueue_and_reply(res, "wiz", std::move(key), req.body, meta_for(req, "wiz"));
  }

  void unauthorized(httplib::Response& res, const std::string& reason) {
    for (const std::string& challenge : auth.challenges()) res.set_header("WWW-Authenticate", challenge);
    send_error(res, 401, "unauthorized", reason);
  }

  void handle_sns(const httplib::Request& req, httplib::Response& res) {
    const std::string type = media_type(req);
    if (!is_json_media_type(type) && type != "text/plain") {
      return send_error(res, 415, "unsupported_media_type", "Content-Type must be text/plain or application/json");
    }
    const std::string header_type = req.get_header_value("x-amz-sns-message-type");
    if (header_type.empty()) return send_error(res, 400, "sns.missing_message_type", "x-amz-sns-message-type header is missing");
    if (req.body.empty()) return send_error(res, 400, "sns.bad_json", "body is empty");
    auto parsed = sns::parse_sns_message(req.body);
    if (!parsed) return send_error(res, 400, parsed.error().code, parsed.error().message);
    if (header_type != sns::to_string(parsed->type)) {
      return send_error(res, 400, "sns.type_mismatch", "x-amz-sns-message-type does not match the body's Type");
    }
    // Before verification, so a stranger's topic never makes us fetch anything.
    if (allowed_topics.count(parsed->topic_arn) == 0) {
      return send_error(res, 403, "sns.topic_not_allowed", "TopicArn is not in server.sns.allowed_topic_arns");
    }
    auto verified = verifier.verify(std::move(*parsed));
    if (!verified) {
      const std::string& code = verified.error().code;
      const bool upstream = code == "sns.fetch_failed" || code == "sns.fetch_too_large";
      return send_error(res, upstream ? 502 : 403, code, verified.error().message);
    }
    switch (verified->type) {
      case sns::MessageType::notification: {
        IntakeMeta meta = meta_for(req, "sns");
        meta.sns_topic_arn = verified->topic_arn;
        meta.sns_message_id = verified->message_id;
        return enqueue_and_reply(res, "sns", "sns:" + verified->message_id, std::move(verified->message),
                                 std::move(meta));
      }
      case sns::MessageType::subscription_confirmation: {
        auto confirmed = verifier.confirm_subscription(*verified);
        if (!confirmed) {
          const bool refused = confirmed.error().code == "sns.subscribe_url_refused";
          return send_error(res, refused ? 403 : 502, confirmed.error().code, confirmed.error().message);
        }
        t_context.outcome = "subscription_confirmed";
        return send_json(res, 200, json{{"confirmed", true}, {"topic_arn", verified->topic_arn}});
      }
      case sns::MessageType::unsubscribe_confirmation:
        t_context.outcome = "unsubscribe_acknowledged";
        return send_json(res, 200, json{{"acknowledged", true}, {"topic_arn", verified->topic_arn}});
    }
  }

  void log_request(const httplib::Request& req, const httplib::Response& res) {
    const std::string route = route_label(req.path);
    requests->with({route, std::to_string(res.status)}).inc();
    body_bytes->with({route}).observe(static_cast<double>(req.body.size()));
    if (t_context.request_id.empty()) {  // refused before routing (e.g. URI too long)
      t_context.request_id = fresh_request_id();
      t_context.start = Clock::now();
    }
    json line{{"ts", timestamp_utc()},
              {"level", res.status >= 500 ? "error" : (res.status >= 400 ? "warn" : "info")},
              {"component", "server"},
              {"correlation_id", t_context.request_id},
              {"msg", "http_request"},
              {"request_id", t_context.request_id},
              {"remote", req.remote_addr},
              {"method", req.method},
              {"path", req.path.substr(0, 256)},
              {"route", route},
              {"status", res.status},
              {"bytes_in", req.body.size()},
              {"duration_ms", std::chrono::duration<double, std::milli>(Clock::now() - t_context.start).count()}};
    if (!t_context.outcome.empty()) line["outcome"] = t_context.outcome;
    log(line.dump(-1, ' ', false, json::error_handler_t::replace));
    t_context = RequestContext{};
  }

  void method_not_allowed(const char* path, const char* allow) {
    auto handler = [allow](const httplib::Request&, httplib::Response& res) {
      res.set_header("Allow", allow);
      send_error(res, 405, "method_not_allowed", std::string("allowed: ") + allow);
    };
    if (std::string(allow) != "POST") http.Post(path, handler);
    if (std::string(allow) != "GET") http.Get(path, handler);
    http.Put(path, handler);
    http.Patch(path, handler);
    http.Delete(path, handler);
    http.Options(path, handler);
  }

  void install_routes() {
    http.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
      t_context = RequestContext{request_id_for(req), Clock::now(), {}};
      res.set_header("X-Request-Id", t_context.request_id);
      return httplib::Server::HandlerResponse::Unhandled;
    });
    http.Post(kWiz, [this](const httplib::Request& req, httplib::Response& res) { handle_wiz(req, res); });
    http.Post(kSns, [this](const httplib::Request& req, httplib::Response& res) { handle_sns(req, res); });
    http.Get(kHealth, [](const httplib::Request&, httplib::Response& res) { send_json(res, 200, json{{"status", "ok"}}); });
    http.Get(kReady, [this](const httplib::Request&, httplib::Response& res) {
      if (is_draining.load()) return send_json(res, 503, json{{"ready", false}, {"reason", "draining"}});
      if (!sink.healthy()) return send_json(res, 503, json{{"ready", false}, {"reason", "queue unavailable"}});
      send_json(res, 200, json{{"ready", true}});
    });
    http.Get(kMetrics, [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(registry.expose(), metrics::kExpositionContentType);
    });
    for (const char* path : {kWiz, kSns}) method_not_allowed(path, "POST");
    for (const char* path : {kHealth, kReady, kMetrics}) method_not_allowed(path, "GET");

    // Fills a JSON body for refusals httplib makes itself (404, 413, 400 on a
    // broken request), and closes the connection after a 413 because the
    // unread body would otherwise be parsed as the next request.
    http.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
      if (res.status == 413) res.set_header("Connection", "close");
      if (res.body.empty()) {
        t_context.outcome = default_error(res.status);
        send_json(res, res.status, json{{"error", default_error(res.status)}});
      }
      return httplib::Server::HandlerResponse::Handled;
    }));
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
      send_error(res, 500, "internal_error", "unexpected error");
    });
    http.set_logger([this](const httplib::Request& req, const httplib::Response& res) { log_request(req, res); });
  }

  void configure() {
    const size_t threads = options.threads;
    http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    const auto seconds = [](std::chrono::milliseconds d) { return static_cast<time_t>(d.count() / 1000); };
    const auto micros = [](std::chrono::milliseconds d) { return static_cast<time_t>((d.count() % 1000) * 1000); };
    http.set_read_timeout(seconds(options.read_timeout), micros(options.read_timeout));
    http.set_write_timeout(seconds(options.write_timeout), micros(options.write_timeout));
    http.set_keep_alive_timeout(static_cast<time_t>(options.keep_alive_timeout.count()));
    // httplib's default closes a connection after 5 requests; SNS and webhook
    // senders reuse connections, and reconnecting costs more than the request.
    http.set_keep_alive_max_count(1000);
    http.set_payload_max_length(options.max_body_bytes);
    http.set_tcp_nodelay(true);
    http.set_socket_options([this](int sock) {
      httplib::default_socket_options(sock);
      listen_socket = sock;
    });
    install_routes();
  }
};

IntakeServer::IntakeServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

IntakeServer::~IntakeServer() { stop(); }

Result<std::unique_ptr<IntakeServer>> IntakeServer::create(ServerOptions options, IntakeSink& sink,
                                                           sns::SnsVerifier& verifier, metrics::Registry& registry,
                                                           LogWriter log) {
  auto impl = std::make_unique<Impl>(std::move(options), sink, verifier, registry, std::move(log));
  if (auto ok = impl->register_metrics(); !ok) return ok.error();
  impl->configure();
  if (impl->options.extra_routes) {
    if (auto ok = impl->options.extra_routes(impl->http); !ok) return ok.error();
  }
  return std::unique_ptr<IntakeServer>(new IntakeServer(std::move(impl)));
}

Result<int> IntakeServer::start() {
  Impl& s = *impl_;
  std::lock_guard lock(s.lifecycle);
  if (s.started) return make_error("server.already_started", "the intake server was already started");
  const std::string where = s.options.bind + ":" + std::to_string(s.options.port);
  int port = 0;
  if (s.options.port == 0) {
    port = s.http.bind_to_any_port(s.options.bind);
  } else {
    port = s.http.bind_to_port(s.options.bind, s.options.port) ? s.options.port : -1;
  }
  if (port <= 0) return make_error("server.bind_failed", "cannot listen on " + where);
  // The packaged libcpp-httplib listens with a backlog of 5: a burst of new
  // connections (a sender opening its pool) then loses SYNs, and each lost one
  // costs the client a one-second retransmit. Linux lets listen() on a
  // listening socket raise the backlog (capped by net.core.somaxconn).
  if (s.listen_socket != -1) (void)::listen(s.listen_socket, kListenBacklog);
  s.started = true;
  s.bound_port = port;
  s.thread = std::thread([&s] { s.http.listen_after_bind(); });
  // stop() before the accept loop is running would be lost; wait for it (bounded).
  for (int i = 0; i < 5000 && !s.http.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return port;
}

void IntakeServer::drain() { impl_->is_draining.store(true); }
bool IntakeServer::draining() const { return impl_->is_draining.load(); }

void IntakeServer::stop() {
  Impl& s = *impl_;
  std::lock_guard lock(s.lifecycle);
  s.is_draining.store(true);
  if (!s.started || s.stopped) return;
  s.stopped = true;
  // Closes the listening socket; listen_after_bind() then shuts its thread pool
  // down, which runs every accepted connection's requests to completion.
  s.http.stop();
  if (s.thread.joinable()) s.thread.join();
}

}  // namespace fixgate::server
