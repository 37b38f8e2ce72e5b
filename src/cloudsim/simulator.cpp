#include "cloudsim/simulator.h"

#include <httplib.h>

#include <deque>
#include <fstream>
#include <sstream>
#include <mutex>
#include <thread>

#include "aws/sigv4.h"
#include "cloudsim/auth.h"
#include "cloudsim/ops.h"
#include "cloudsim/wire.h"
#include "core/text.h"

namespace fixgate::cloudsim {
namespace {

using nlohmann::json;

constexpr size_t kMaxLog = 2000;

struct LogEntry {
  std::string operation;
  std::string account;
  std::string principal;
  std::string source_identity;
  std::string request_id;
  int status = 0;
};

Protocol protocol_for(const std::string& service) {
  if (service == "ec2") return Protocol::kEc2;
  if (service == "s3") return Protocol::kRestXml;
  if (service == "s3control") return Protocol::kS3Control;
  if (service == "kms" || service == "tagging" || service == "cloudtrail") return Protocol::kJson;
  return Protocol::kQuery;
}

// Guesses the service of an unsigned request so its error uses the right envelope.
std::string service_without_auth(const httplib::Request& req) {
  const std::string target = req.get_header_value("X-Amz-Target");
  if (starts_with(target, "TrentService.")) return "kms";
  if (starts_with(target, "ResourceGroupsTaggingAPI")) return "tagging";
  if (starts_with(target, "com.amazonaws.cloudtrail")) return "cloudtrail";
  const std::string host = to_lower(req.get_header_value("Host"));
  for (const char* s : {"sts", "iam", "ec2", "rds", "kms", "tagging", "cloudtrail"}) {
    if (starts_with(host, std::string(s) + ".")) return s;
  }
  if (req.has_header("x-amz-content-sha256") || host.find("s3") != std::string::npos) return "s3";
  return "sts";
}

std::string http_date(TimePoint t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

// The bucket a virtual-host-style Host names ("b.s3.us-east-1.amazonaws.com",
// "b.s3.localhost", "b.localhost"), or "" for path-style hosts.
std::string bucket_from_host(std::string host) {
  host = to_lower(host);
  if (!host.empty() && host[0] == '[') return "";
  const size_t colon = host.rfind(':');
  if (colon != std::string::npos) host = host.substr(0, colon);
  size_t pos = host.find(".s3.");
  if (pos == std::string::npos) pos = host.find(".s3-");
  if (pos != std::string::npos && pos > 0) return host.substr(0, pos);
  const std::string suffix = ".localhost";
  if (host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return host.substr(0, host.size() - suffix.size());
  }
  return "";
}

}  // namespace

// Issued sessions as CloudTrail would name them; never the secret or token.
static json sessions_to_json(const std::map<std::string, Session>& sessions) {
  json out = json::array();
  for (const auto& [key, s] : sessions) {
    json tags = json::array();
    for (const auto& [k, v] : s.tags) tags.push_back({{"Key", k}, {"Value", v}});
    out.push_back({{"access_key_id", key}, {"account", s.account_id}, {"role", s.role_name},
                   {"session_name", s.session_name}, {"source_identity", s.source_identity}, {"tags", tags},
                   {"expiration", format_iso8601(s.expiration)}});
  }
  return out;
}

struct Simulator::Impl {
  json seed;
  std::function<TimePoint()> clock;

  mutable std::mutex mu;  // guards world, sessions, counts, log
  World world;
  std::map<std::string, Session> sessions;
  std::map<std::string, int> counts;
  std::deque<LogEntry> log;
  FaultBook faults;

  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  int port = 0;

  TimePoint now() const { return clock ? clock() : std::chrono::system_clock::now(); }

  void handle(const httplib::Request& req, httplib::Response& res);
  void admin(const httplib::Request& req, httplib::Response& res);
  Reply serve(const httplib::Request& req, const TimePoint now);
  void record(const LogEntry& e) {
    std::lock_guard<std::mutex> lock(mu);
    log.push_back(e);
    if (log.size() > kMaxLog) log.pop_front();
  }
};

Reply Simulator::Impl::serve(const httplib::Request& req, const TimePoint now) {
  aws::HttpRequest wire;
  wire.method = req.method;
  const size_t q = req.target.find('?');
  wire.path = req.target.substr(0, q);
  if (q != std::string::npos) wire.query = aws::parse_query(req.target.substr(q + 1));
  for (const auto& [k, v] : req.headers) {
    if (k == "REMOTE_ADDR" || k == "REMOTE_PORT" || k == "LOCAL_ADDR" || k == "LOCAL_PORT") continue;  // httplib-internal
    wire.headers.emplace_back(k, v);
  }
  wire.body = req.body;

  Call call;
  call.method = req.method;
  call.body = req.body;
  for (const auto& [k, v] : wire.headers) call.headers[to_lower(k)] = v;
  for (const auto& [k, v] : wire.query) call.params.emplace(k, v);

  auto parsed = is_presigned(wire) ? parse_presigned(wire) : aws::parse_authorization(req.get_header_value("Authorization"));
  std::string service = parsed.ok() ? parsed->service : service_without_auth(req);
  call.region = parsed.ok() ? parsed->region : "us-east-1";
  const bool control = service == "s3" && starts_with(wire.path, "/v20180820/");
  if (control) service = "s3control";
  call.service = service;
  Protocol protocol = protocol_for(service);
  call.request_id = new_request_id(protocol);

  // The operation name.
  if (protocol == Protocol::kQuery || protocol == Protocol::kEc2) {
    if (starts_with(to_lower(call.header("content-type")), "application/x-www-form-urlencoded")) {
      for (auto& kv : parse_form(req.body)) call.params.insert(kv);
    }
    call.operation = call.param("Action");
  } else if (protocol == Protocol::kJson) {
    const std::string target = call.header("x-amz-target");
    const size_t dot = target.rfind('.');
    call.operation = dot == std::string::npos ? "" : target.substr(dot + 1);
  } else {
    call.path = aws::percent_decode(wire.path);
    call.bucket = bucket_from_host(call.header("host"));
    if (!control && call.bucket.empty()) {
      const std::string p = call.path.size() > 1 ? call.path.substr(1) : "";
      call.bucket = p.substr(0, p.find('/'));
    }
    call.operation = s3_operation(req.method, call.params, control);
    if (control && wire.path != "/v20180820/configuration/publicAccessBlock") call.operation.clear();
  }

  // Authenticate (and note the long-term key's last use, as IAM does).
  std::unique_lock<std::mutex> lock(mu);
  auto auth = authenticate(wire, world, sessions, now);
  if (auto* failure = std::get_if<AuthFailure>(&auth)) {
    Reply r = render_error(protocol, auth_error(protocol, *failure, now), call.request_id);
    lock.unlock();
    record({service + ":" + call.operation, "", "", "", call.request_id, r.status});
    return r;
  }
  const Caller& caller = std::get<Caller>(auth);
  Account* account = world.find_account(caller.account_id);
  std::string source_identity;
  if (caller.is_session) source_identity = sessions.at(caller.access_key_id).source_identity;
  if (!caller.is_session) {
    for (IamUser& u : account->users) {
      for (AccessKey& k : u.access_keys) {
        if (k.id == caller.access_key_id) k.last_used = AccessKeyLastUsed{now, service == "s3control" ? "s3" : service, call.region};
      }
    }
  }
  call.account_id = caller.account_id;
  call.principal_arn = caller.arn;
  call.user_id = caller.user_id;

  const OperationInfo* op = find_operation(service, call.operation);
  if (op == nullptr) {
    ApiError e;
    switch (protocol) {
      case Protocol::kQuery: e = {400, "InvalidAction", "Could not find operation " + call.operation + " for service " + service}; break;
      case Protocol::kEc2: e = {400, "InvalidAction", "The action " + call.operation + " is not valid for this web service."}; break;
      case Protocol::kJson: e = {400, "UnknownOperationException", "Unknown operation " + call.operation}; break;
      case Protocol::kRestXml:
      case Protocol::kS3Control:
        e = {501, "NotImplemented", "A header you provided implies functionality that is not implemented"};
        break;
    }
    Reply r = render_error(protocol, e, call.request_id);
    lock.unlock();
    record({service + ":" + call.operation, call.account_id, caller.arn, source_identity, call.request_id, r.status});
    return r;
  }

  // Faults apply to the account the call acts on: AssumeRole's is the role's.
  std::string target_account = call.account_id;
  if (service == "sts" && call.operation == "AssumeRole") {
    const std::string arn = call.param("RoleArn");
    if (starts_with(arn, "arn:aws:iam::") && arn.size() >= 25) target_account = arn.substr(13, 12);
  }
  const std::string name = service + ":" + call.operation;
  ++counts[name];
  lock.unlock();

  if (auto fault = faults.take(service, call.operation, target_account)) {
    if (fault->latency_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(fault->latency_ms));
    std::optional<ApiError> e;
    const std::string denied_message =
        "User: " + caller.arn + " is not authorized to perform: " + (service == "s3control" ? "s3" : service) + ":" +
        call.operation;
    switch (fault->kind) {
      case FaultKind::kThrottle:
        if (protocol == Protocol::kEc2) e = ApiError{503, "RequestLimitExceeded", "Request limit exceeded."};
        else if (protocol == Protocol::kRestXml || protocol == Protocol::kS3Control) e = ApiError{503, "SlowDown", "Please reduce your request rate."};
        else if (protocol == Protocol::kJson) e = ApiError{400, "ThrottlingException", "Rate exceeded"};
        else e = ApiError{400, "Throttling", "Rate exceeded"};
        break;
      case FaultKind::kDeny:
        if (protocol == Protocol::kEc2) e = ApiError{403, "UnauthorizedOperation", "You are not authorized to perform this operation."};
        else if (protocol == Protocol::kRestXml || protocol == Protocol::kS3Control) e = ApiError{403, "AccessDenied", "Access Denied"};
        else if (protocol == Protocol::kJson) e = ApiError{400, "AccessDeniedException", denied_message};
        else e = ApiError{403, "AccessDenied", denied_message};
        break;
      case FaultKind::kInternalError:
        if (protocol == Protocol::kEc2 || protocol == Protocol::kRestXml || protocol == Protocol::kS3Control) {
          e = ApiError{500, "InternalError", "We encountered an internal error. Please try again."};
        } else if (service == "kms") {
          e = ApiError{500, "KMSInternalException", "An internal error has occurred."};
        } else {
          e = ApiError{500, "InternalFailure", "The request processing has failed because of an unknown error, exception or failure.", false};
        }
        break;
      case FaultKind::kLatency: break;
    }
    if (e) {
      Reply r = render_error(protocol, *e, call.request_id);
      record({name, target_account, caller.arn, source_identity, call.request_id, r.status});
      return r;
    }
  }

  lock.lock();
  account = world.find_account(caller.account_id);  // the world may have been reseeded meanwhile
  Reply r;
  if (account == nullptr) {
    r = render_error(protocol, auth_error(protocol, {AuthFailureKind::kUnknownKey, "account gone"}, now), call.request_id);
  } else {
    OpContext ctx{world, *account, sessions, now};
    Outcome out = op->handler(ctx, call);
    if (auto* e = std::get_if<ApiError>(&out)) r = render_error(op->protocol, *e, call.request_id);
    else r = std::get<Reply>(std::move(out));
  }
  lock.unlock();
  record({name, target_account, caller.arn, source_identity, call.request_id, r.status});
  return r;
}

void Simulator::Impl::handle(const httplib::Request& req, httplib::Response& res) {
  if (starts_with(req.path, "/__sim/")) {
    admin(req, res);
    return;
  }
  const TimePoint t = now();
  Reply r;
  try {
    r = serve(req, t);
  } catch (const std::exception& e) {
    // A handler bug must not kill the server thread; report it as AWS would.
    r = render_error(Protocol::kQuery, ApiError{500, "InternalFailure", std::string("simulator error: ") + e.what(), false},
                     new_request_id(Protocol::kQuery));
  }
  res.status = r.status;
  for (const auto& [k, v] : r.headers) res.set_header(k, v);
  res.set_header("Date", http_date(t));
  if (!r.body.empty() || !r.content_type.empty()) res.set_content(r.body, r.content_type.empty() ? "application/xml" : r.content_type.c_str());
}

void Simulator::Impl::admin(const httplib::Request& req, httplib::Response& res) {
  auto reply = [&](int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(2), "application/json");
  };
  if (req.remote_addr != "127.0.0.1" && req.remote_addr != "::1") {
    reply(403, {{"error", "admin endpoints are loopback-only"}});
    return;
  }
  const std::string& p = req.path;
  const std::string& m = req.method;
  auto body_json = [&]() { return json::parse(req.body, nullptr, false); };
  if (p == "/__sim/state" && m == "GET") {
    std::lock_guard<std::mutex> lock(mu);
    reply(200, world_to_json(world));
  } else if (p == "/__sim/seed" && m == "POST") {
    const json seed_json = body_json();
    if (seed_json.is_discarded()) return reply(400, {{"error", "seed: body is not valid JSON"}});
    auto w = world_from_json(seed_json, now());
    if (!w.ok()) return reply(400, {{"error", w.error().to_string()}});
    std::lock_guard<std::mutex> lock(mu);
    world = std::move(w.value());
    reply(200, {{"ok", true}});
  } else if (p == "/__sim/reset" && m == "POST") {
    auto w = world_from_json(seed, now());
    if (!w.ok()) return reply(500, {{"error", w.error().to_string()}});
    {
      std::lock_guard<std::mutex> lock(mu);
      world = std::move(w.value());
      sessions.clear();
      counts.clear();
      log.clear();
    }
    faults.clear();
    reply(200, {{"ok", true}});
  } else if (p == "/__sim/calls" && m == "GET") {
    std::lock_guard<std::mutex> lock(mu);
    json entries = json::array();
    for (const LogEntry& e : log) {
      entries.push_back({{"operation", e.operation}, {"account", e.account}, {"principal", e.principal},
                         {"source_identity", e.source_identity}, {"request_id", e.request_id}, {"status", e.status}});
    }
    reply(200, {{"counts", counts}, {"log", std::move(entries)}});
  } else if (p == "/__sim/sessions" && m == "GET") {
    std::lock_guard<std::mutex> lock(mu);
    reply(200, {{"sessions", sessions_to_json(sessions)}});
  } else if (p == "/__sim/calls" && m == "DELETE") {
    std::lock_guard<std::mutex> lock(mu);
    counts.clear();
    log.clear();
    reply(200, {{"ok", true}});
  } else if (p == "/__sim/faults" && m == "GET") {
    json list = json::array();
    for (const FaultSpec& f : faults.list()) list.push_back(fault_to_json(f));
    reply(200, {{"faults", std::move(list)}});
  } else if (p == "/__sim/faults" && m == "POST") {
    const json j = body_json();
    if (j.is_discarded()) return reply(400, {{"error", "fault: body is not valid JSON"}});
    auto f = fault_from_json(j);
    if (!f.ok()) return reply(400, {{"error", f.error().to_string()}});
    faults.add(f.value());
    reply(200, {{"ok", true}, {"fault", fault_to_json(f.value())}});
  } else if (p == "/__sim/faults" && m == "DELETE") {
    faults.clear();
    reply(200, {{"ok", true}});
  } else if (p == "/__sim/sessions/expire" && m == "POST") {
    std::lock_guard<std::mutex> lock(mu);
    const TimePoint t = now() - std::chrono::seconds(1);
    for (auto& [id, s] : sessions) s.expiration = t;
    reply(200, {{"ok", true}, {"expired", sessions.size()}});
  } else if (p == "/__sim/operations" && m == "GET") {
    reply(200, {{"operations", operation_names()}});
  } else {
    reply(404, {{"error", "no admin endpoint " + m + " " + p}});
  }
}

Simulator::Simulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Simulator::~Simulator() { stop(); }

Result<std::unique_ptr<Simulator>> Simulator::create(const json& seed, SimulatorOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->clock = std::move(options.clock);
  auto world = world_from_json(seed, impl->now());
  if (!world.ok()) return world.error();
  impl->seed = seed;
  impl->world = std::move(world.value());
  return std::unique_ptr<Simulator>(new Simulator(std::move(impl)));
}

Result<std::unique_ptr<Simulator>> Simulator::create_from_file(const std::string& seed_path, SimulatorOptions options) {
  std::ifstream in(seed_path);
  if (!in) return make_error("cloudsim.seed", "cannot open seed file " + seed_path);
  std::stringstream buf;
  buf << in.rdbuf();
  json seed = json::parse(buf.str(), nullptr, false);
  if (seed.is_discarded()) return make_error("cloudsim.seed", seed_path + ": not valid JSON");
  auto sim = create(seed, std::move(options));
  if (!sim.ok()) return make_error("cloudsim.seed", seed_path + ": " + sim.error().message);
  return sim;
}

Result<int> Simulator::start(int port) {
  if (impl_->server) return make_error("cloudsim.bind", "simulator already started on port " + std::to_string(impl_->port));
  auto server = std::make_unique<httplib::Server>();
  Impl* impl = impl_.get();
  auto h = [impl](const httplib::Request& req, httplib::Response& res) { impl->handle(req, res); };
  server->Get(".*", h).Post(".*", h).Put(".*", h).Delete(".*", h).Patch(".*", h);
  server->set_payload_max_length(8 * 1024 * 1024);
  server->set_keep_alive_timeout(2);
  const int bound = port == 0 ? server->bind_to_any_port("127.0.0.1") : (server->bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound <= 0) return make_error("cloudsim.bind", "cannot bind 127.0.0.1:" + std::to_string(port));
  impl_->port = bound;
  httplib::Server* raw = server.get();
  impl_->server = std::move(server);
  impl_->thread = std::thread([raw] { raw->listen_after_bind(); });
  return bound;
}

void Simulator::stop() {
  if (!impl_ || !impl_->server) return;
  impl_->server->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->server.reset();
}

int Simulator::port() const { return impl_->port; }
std::string Simulator::endpoint() const { return "http://127.0.0.1:" + std::to_string(impl_->port); }

void Simulator::add_fault(FaultSpec fault) { impl_->faults.add(std::move(fault)); }
void Simulator::clear_faults() { impl_->faults.clear(); }

std::map<std::string, int> Simulator::call_counts() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->counts;
}

int Simulator::call_count(const std::string& service_operation) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto it = impl_->counts.find(service_operation);
  return it == impl_->counts.end() ? 0 : it->second;
}

void Simulator::clear_calls() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->counts.clear();
  impl_->log.clear();
}

json Simulator::sessions_json() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return sessions_to_json(impl_->sessions);
}

json Simulator::state_json() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return world_to_json(impl_->world);
}

Result<void> Simulator::load_seed(const json& seed) {
  auto w = world_from_json(seed, impl_->now());
  if (!w.ok()) return w.error();
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->world = std::move(w.value());
  return {};
}

Result<void> Simulator::reset() {
  auto w = world_from_json(impl_->seed, impl_->now());
  if (!w.ok()) return w.error();
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->world = std::move(w.value());
    impl_->sessions.clear();
    impl_->counts.clear();
    impl_->log.clear();
  }
  impl_->faults.clear();
  return {};
}

void Simulator::expire_sessions() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  const TimePoint t = impl_->now() - std::chrono::seconds(1);
  for (auto& [id, s] : impl_->sessions) s.expiration = t;
}

void Simulator::with_world(const std::function<void(World&)>& fn) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  fn(impl_->world);
}

}  // namespace fixgate::cloudsim
