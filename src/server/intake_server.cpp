#include "server/intake_server.h"

#include <openssl/sha.h>
#include <simdjson.h>

#include <atomic>
#include <cstring>
#include <random>
#include <cstdio>
#include <ctime>
#include <set>

#include "core/text.h"
#include "httpd/http_server.h"
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

std::string sha256_hex(std::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == ':';
}

// 96 random bits as hex. A correlation id needs to be unique, not secret, so a
// per-thread generator seeded once from the OS stands in for RAND_bytes, which
// costs a getpid() system call per request for its fork check.
std::string fresh_request_id() {
  thread_local std::mt19937_64 generator = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  const uint64_t high = generator();
  const uint64_t low = generator();
  char bytes[12];
  std::memcpy(bytes, &high, 8);
  std::memcpy(bytes + 8, &low, 4);
  return to_hex(std::string_view(bytes, sizeof bytes));
}

// The client's X-Request-Id when it is a short token, else a new one.
std::string request_id_for(const httpd::Request& req) {
  const std::string given = req.header("X-Request-Id");
  if (!given.empty() && given.size() <= 64) {
    bool ok = true;
    for (char c : given) ok = ok && is_token_char(c);
    if (ok) return given;
  }
  return fresh_request_id();
}

std::string media_type(const httpd::Request& req) {
  const std::string value = req.header("Content-Type");
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

void set_json(httpd::Response& res, int status, const json& body) {
  res.status = status;
  res.set_body(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

httpd::Response json_response(int status, const json& body) {
  httpd::Response res;
  set_json(res, status, body);
  return res;
}

void set_error(httpd::Response& res, int status, const std::string& error, const std::string& reason) {
  res.outcome = error;
  set_json(res, status, json{{"error", error}, {"reason", reason}});
}

httpd::Response error_response(int status, const std::string& error, const std::string& reason) {
  httpd::Response res;
  set_error(res, status, error, reason);
  return res;
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

  std::unique_ptr<httpd::Server> http;
  std::mutex lifecycle;
  bool started = false;
  std::atomic<bool> is_draining{false};

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

  static IntakeMeta meta_for(const httpd::Request& req, const char* source) {
    IntakeMeta meta;
    meta.source = source;
    meta.request_id = req.id;
    meta.remote_addr = req.remote_addr;
    meta.content_type = req.header("Content-Type");
    meta.received_at = std::chrono::system_clock::now();
    return meta;
  }

  // Enqueues and answers 202, or 503 when the sink failed; the answer comes
  // when the sink calls back (after its commit), on whichever thread that is.
  void enqueue_and_reply(httpd::Responder respond, const char* source, std::string key, std::string payload,
                         IntakeMeta meta) {
    const auto begin = Clock::now();
    sink.enqueue_async(std::move(key), std::move(payload), std::move(meta),
                       [this, respond, source, begin](Result<EnqueueAck> ack) {
      enqueue_seconds->with({source}).observe(std::chrono::duration<double>(Clock::now() - begin).count());
      if (!ack) {
        enqueued->with({source, "error"}).inc();
        // The sink's message may name internals (paths); the log gets the code only.
        httpd::Response res =
            error_response(503, "queue_unavailable", "the finding could not be stored durably; retry later");
        res.set_header("Retry-After", "5");
        res.outcome = "queue_unavailable:" + ack.error().code;
        return respond(std::move(res));
      }
      enqueued->with({source, ack->duplicate ? "duplicate" : "new"}).inc();
      httpd::Response res = json_response(202, json{{"queued", true}, {"id", ack->id}, {"duplicate", ack->duplicate}});
      res.outcome = ack->duplicate ? "duplicate" : "queued";
      respond(std::move(res));
    });
  }

  httpd::Response unauthorized(const std::string& reason) const {
    httpd::Response res = error_response(401, "unauthorized", reason);
    for (const std::string& challenge : auth.challenges()) res.set_header("WWW-Authenticate", challenge);
    return res;
  }

  // Runs on an event loop: everything before the hand-off is CPU only.
  void handle_wiz(httpd::Request& req, httpd::Responder respond) {
    switch (auth.check(req.header("Authorization"))) {
      case AuthResult::ok: break;
      case AuthResult::missing: return respond(unauthorized("credentials missing"));
      case AuthResult::malformed: return respond(unauthorized("credentials malformed"));
      case AuthResult::wrong: return respond(unauthorized("credentials invalid"));
    }
    if (!is_json_media_type(media_type(req))) {
      return respond(error_response(415, "unsupported_media_type", "Content-Type must be application/json"));
    }
    auto event = read_wiz_event(req.body);
    if (!event) {
      const bool ours = event.error().code != "bad_json";
      return respond(error_response(ours ? 503 : 400, event.error().code, event.error().message));
    }
    std::string key;
    if (req.has_header("Idempotency-Key")) {
      const std::string given = req.header("Idempotency-Key");
      bool ok = !given.empty() && given.size() <= 255;
      for (char c : given) ok = ok && c > 0x20 && c < 0x7f;
      if (!ok) {
        return respond(
            error_response(400, "bad_idempotency_key", "Idempotency-Key must be 1-255 visible ASCII characters"));
      }
      key = "wiz-key:" + given;
    } else {
      key = wiz_idempotency_key(*event, req.body);
    }
    enqueue_and_reply(std::move(respond), "wiz", std::move(key), req.body, meta_for(req, "wiz"));
  }

  // Runs on the blocking pool: verification may fetch the signing certificate
  // and a confirmation calls SubscribeURL.
  void handle_sns(httpd::Request& req, httpd::Responder respond) {
    const std::string type = media_type(req);
    if (!is_json_media_type(type) && type != "text/plain") {
      return respond(
          error_response(415, "unsupported_media_type", "Content-Type must be text/plain or application/json"));
    }
    const std::string header_type = req.header("x-amz-sns-message-type");
    if (header_type.empty()) {
      return respond(error_response(400, "sns.missing_message_type", "x-amz-sns-message-type header is missing"));
    }
    if (req.body.empty()) return respond(error_response(400, "sns.bad_json", "body is empty"));
    auto parsed = sns::parse_sns_message(req.body);
    if (!parsed) return respond(error_response(400, parsed.error().code, parsed.error().message));
    if (header_type != sns::to_string(parsed->type)) {
      return respond(
          error_response(400, "sns.type_mismatch", "x-amz-sns-message-type does not match the body's Type"));
    }
    // Before verification, so a stranger's topic never makes us fetch anything.
    if (allowed_topics.count(parsed->topic_arn) == 0) {
      return respond(
          error_response(403, "sns.topic_not_allowed", "TopicArn is not in server.sns.allowed_topic_arns"));
    }
    auto verified = verifier.verify(std::move(*parsed));
    if (!verified) {
      const std::string& code = verified.error().code;
      const bool upstream = code == "sns.fetch_failed" || code == "sns.fetch_too_large";
      return respond(error_response(upstream ? 502 : 403, code, verified.error().message));
    }
    switch (verified->type) {
      case sns::MessageType::notification: {
        IntakeMeta meta = meta_for(req, "sns");
        meta.sns_topic_arn = verified->topic_arn;
        meta.sns_message_id = verified->message_id;
        return enqueue_and_reply(std::move(respond), "sns", "sns:" + verified->message_id,
                                 std::move(verified->message), std::move(meta));
      }
      case sns::MessageType::subscription_confirmation: {
        auto confirmed = verifier.confirm_subscription(*verified);
        if (!confirmed) {
          const bool refused = confirmed.error().code == "sns.subscribe_url_refused";
          return respond(error_response(refused ? 403 : 502, confirmed.error().code, confirmed.error().message));
        }
        httpd::Response res = json_response(200, json{{"confirmed", true}, {"topic_arn", verified->topic_arn}});
        res.outcome = "subscription_confirmed";
        return respond(std::move(res));
      }
      case sns::MessageType::unsubscribe_confirmation: {
        httpd::Response res = json_response(200, json{{"acknowledged", true}, {"topic_arn", verified->topic_arn}});
        res.outcome = "unsubscribe_acknowledged";
        return respond(std::move(res));
      }
    }
  }

  void log_request(const httpd::Request& req, const httpd::Response& res, Clock::duration took, bool written) {
    const std::string route = route_label(req.path);
    requests->with({route, std::to_string(res.status)}).inc();
    body_bytes->with({route}).observe(static_cast<double>(req.body.size()));
    json line{{"ts", timestamp_utc()},
              {"level", res.status >= 500 ? "error" : (res.status >= 400 ? "warn" : "info")},
              {"component", "server"},
              {"correlation_id", req.id},
              {"msg", written ? "http_request" : "http_request_dropped"},
              {"request_id", req.id},
              {"remote", req.remote_addr},
              {"method", req.method},
              {"path", req.path.substr(0, 256)},
              {"route", route},
              {"status", res.status},
              {"bytes_in", req.body.size()},
              {"duration_ms", std::chrono::duration<double, std::milli>(took).count()}};
    if (!res.outcome.empty()) line["outcome"] = res.outcome;
    log(line.dump(-1, ' ', false, json::error_handler_t::replace));
  }

  httpd::Router routes() {
    using httpd::Dispatch;
    httpd::Router router;
    router.add("POST", kWiz, httpd::Handler([this](httpd::Request& req, httpd::Responder respond) {
                 handle_wiz(req, std::move(respond));
               }),
               Dispatch::inline_io);
    router.add("POST", kSns, httpd::Handler([this](httpd::Request& req, httpd::Responder respond) {
                 handle_sns(req, std::move(respond));
               }),
               Dispatch::blocking);
    router.add("GET", kHealth, httpd::SyncHandler([](const httpd::Request&, httpd::Response& res) {
                 set_json(res, 200, json{{"status", "ok"}});
               }),
               Dispatch::inline_io);
    // The sink's health probe may read the queue's database.
    router.add("GET", kReady, httpd::SyncHandler([this](const httpd::Request&, httpd::Response& res) {
                 if (is_draining.load()) return set_json(res, 503, json{{"ready", false}, {"reason", "draining"}});
                 if (!sink.healthy()) return set_json(res, 503, json{{"ready", false}, {"reason", "queue unavailable"}});
                 set_json(res, 200, json{{"ready", true}});
               }),
               Dispatch::blocking);
    router.add("GET", kMetrics, httpd::SyncHandler([this](const httpd::Request&, httpd::Response& res) {
                 res.set_body(registry.expose(), metrics::kExpositionContentType);
               }),
               Dispatch::inline_io);
    return router;
  }

  httpd::Hooks hooks() {
    httpd::Hooks h;
    h.before = [](httpd::Request& req) { req.id = request_id_for(req); };
    h.refusal = [](const httpd::Request&, httpd::Response& res) {
      if (!res.body.empty()) return;
      const std::string error = default_error(res.status);
      if (res.outcome.empty()) res.outcome = error;
      const std::string allow = res.header("Allow");
      if (!allow.empty()) return set_json(res, res.status, json{{"error", error}, {"reason", "allowed: " + allow}});
      set_json(res, res.status, json{{"error", error}});
    };
    h.finish = [](const httpd::Request& req, httpd::Response& res) { res.set_header("X-Request-Id", req.id); };
    h.log = [this](const httpd::Request& req, const httpd::Response& res, Clock::duration took, bool written) {
      log_request(req, res, took, written);
    };
    return h;
  }

  httpd::ServerOptions transport_options() const {
    httpd::ServerOptions o;
    o.bind = options.bind;
    o.port = options.port;
    o.max_body_bytes = options.max_body_bytes;
    o.read_timeout = options.read_timeout;
    o.write_timeout = options.write_timeout;
    o.keep_alive_timeout = options.keep_alive_timeout;
    o.io_threads = options.io_threads;
    o.threads = options.threads;
    return o;
  }
};

IntakeServer::IntakeServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

IntakeServer::~IntakeServer() { stop(); }

Result<std::unique_ptr<IntakeServer>> IntakeServer::create(ServerOptions options, IntakeSink& sink,
                                                           sns::SnsVerifier& verifier, metrics::Registry& registry,
                                                           LogWriter log) {
  auto impl = std::make_unique<Impl>(std::move(options), sink, verifier, registry, std::move(log));
  if (auto ok = impl->register_metrics(); !ok) return ok.error();
  httpd::Router router = impl->routes();
  if (impl->options.extra_routes) {
    if (auto ok = impl->options.extra_routes(router); !ok) return ok.error();
  }
  impl->http = httpd::Server::create(impl->transport_options(), std::move(router), impl->hooks());
  return std::unique_ptr<IntakeServer>(new IntakeServer(std::move(impl)));
}

Result<int> IntakeServer::start() {
  Impl& s = *impl_;
  std::lock_guard lock(s.lifecycle);
  if (s.started) return make_error("server.already_started", "the intake server was already started");
  auto port = s.http->start();
  if (!port) return port.error();
  s.started = true;
  return *port;
}

void IntakeServer::drain() { impl_->is_draining.store(true); }
bool IntakeServer::draining() const { return impl_->is_draining.load(); }

void IntakeServer::stop() {
  impl_->is_draining.store(true);
  // Stops accepting, closes idle connections and waits for every request
  // already read to be answered (an accepted finding's answer waits for its
  // commit), then joins the server's threads.
  impl_->http->stop();
}

}  // namespace fixgate::server
