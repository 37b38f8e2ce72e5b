#include "httpd/http_server.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "core/text.h"

namespace fixgate::httpd {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

std::string Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

bool Request::has_header(std::string_view name) const {
  for (const auto& header : headers) {
    if (iequals(header.first, name)) return true;
  }
  return false;
}

std::optional<std::string> Request::param(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (percent_decode(pair.substr(0, eq), true) != name) continue;
    return eq == std::string_view::npos ? std::string{} : percent_decode(pair.substr(eq + 1), true);
  }
  return std::nullopt;
}

void Response::set_header(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }

std::string Response::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

void Response::set_body(std::string content, std::string type) {
  body = std::move(content);
  content_type = std::move(type);
}

void Router::add(std::string method, std::string path, Handler handler, Dispatch dispatch) {
  routes_.push_back(Route{std::move(method), std::move(path), std::nullopt, std::move(handler), dispatch});
}

namespace {
Handler wrap(SyncHandler handler) {
  return [handler = std::move(handler)](Request& request, Responder respond) {
    Response response;
    handler(request, response);
    respond(std::move(response));
  };
}
}  // namespace

void Router::add(std::string method, std::string path, SyncHandler handler, Dispatch dispatch) {
  add(std::move(method), std::move(path), wrap(std::move(handler)), dispatch);
}

void Router::add_pattern(std::string method, const std::string& pattern, SyncHandler handler, Dispatch dispatch) {
  routes_.push_back(Route{std::move(method), {}, std::regex(pattern), wrap(std::move(handler)), dispatch});
}

Router::Match Router::match(Request& request) const {
  Match found;
  auto note_method = [&found](const std::string& method) {
    if (found.allow.find(method) != std::string::npos) return;
    if (!found.allow.empty()) found.allow += ", ";
    found.allow += method;
  };
  // Exact paths first, so a pattern can never shadow one.
  for (const Route& route : routes_) {
    if (route.pattern || route.path != request.path) continue;
    if (route.method == request.method) return Match{&route.handler, route.dispatch, {}};
    note_method(route.method);
  }
  if (!found.allow.empty()) return found;
  for (const Route& route : routes_) {
    std::smatch groups;
    if (!route.pattern || !std::regex_match(request.path, groups, *route.pattern)) continue;
    if (route.method != request.method) {
      note_method(route.method);
      continue;
    }
    request.captures.clear();
    for (size_t i = 1; i < groups.size(); ++i) request.captures.push_back(groups[i].str());
    return Match{&route.handler, route.dispatch, {}};
  }
  return found;
}

// ---------------------------------------------------------------------------

class Session;

struct Server::Impl {
  ServerOptions options;
  Router router;
  Hooks hooks;

  // Live sessions, so stop() can reach idle ones and wait for busy ones.
  // Declared before the contexts: handlers destroyed with a context may still
  // hold a session, whose destructor needs these.
  std::mutex sessions_mutex;
  std::condition_variable sessions_gone;
  std::set<Session*> sessions;
  std::atomic<bool> stopping{false};  // set under sessions_mutex, so a session registers before or sees it

  std::vector<std::unique_ptr<net::io_context>> contexts;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards;
  std::vector<std::thread> io_threads;
  std::unique_ptr<net::thread_pool> pool;
  std::unique_ptr<tcp::acceptor> acceptor;
  size_t next_context = 0;

  std::mutex lifecycle;
  bool started = false;
  bool stopped = false;

  void forget(Session* session) {
    std::lock_guard lock(sessions_mutex);
    sessions.erase(session);
    if (sessions.empty()) sessions_gone.notify_all();
  }

  void accept_next();
  bool is_stopping() const { return stopping.load(std::memory_order_relaxed); }
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Server::Impl& server, tcp::socket socket) : server_(server), stream_(std::move(socket)) {}

  ~Session() {
    if (registered_) server_.forget(this);
  }

  void start() {
    boost::system::error_code ec;
    auto& socket = stream_.socket();
    socket.set_option(tcp::no_delay(true), ec);
    const auto endpoint = socket.remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
    {
      std::lock_guard lock(server_.sessions_mutex);
      if (server_.stopping) return close();
      server_.sessions.insert(this);
      registered_ = true;
    }
    read_next();
  }

  // Called on this session's thread when the server stops.
  void on_stop() {
    if (phase_ == Phase::reading) {
      boost::system::error_code ec;
      stream_.socket().cancel(ec);
    }
    // Handling or writing: the response goes out, then the connection closes.
  }

  void respond(Response response) {
    net::dispatch(stream_.get_executor(),
                  [self = shared_from_this(), response = std::move(response)]() mutable { self->send(std::move(response)); });
  }

  Server::Impl& server() { return server_; }
  auto executor() { return stream_.get_executor(); }
  Request& request() { return request_; }

 private:
  enum class Phase { reading, handling, writing, closed };

  void read_next() {
    phase_ = Phase::reading;
    parser_.emplace();
    parser_->body_limit(server_.options.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
    stream_.expires_after(served_ == 0 ? server_.options.read_timeout : server_.options.keep_alive_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    started_ = Clock::now();
    stream_.expires_after(server_.options.read_timeout);
    const auto& header = parser_->get();
    const auto expect = header[http::field::expect];
    if (!parser_->is_done() && iequals(std::string_view(expect.data(), expect.size()), "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](beast::error_code write_ec, size_t) {
                         if (write_ec) return self->close();
                         self->read_body();
                       });
      return;
    }
    read_body();
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->on_request(ec); });
  }

  // Fills request_ from what the parser has (the header at least).
  void take_request(bool with_body) {
    auto& message = parser_->get();
    request_ = Request{};
    request_.method = std::string(message.method_string());
    request_.target = std::string(message.target());
    const size_t question = request_.target.find('?');
    request_.path = request_.target.substr(0, question);
    if (question != std::string::npos) request_.query = request_.target.substr(question + 1);
    request_.headers.reserve(8);
    for (const auto& field : message) {
      request_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    if (with_body) request_.body = std::move(message.body());
    request_.remote_addr = remote_;
    keep_alive_ = message.keep_alive();
    version_ = message.version();
  }

  void on_request(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    take_request(true);
    phase_ = Phase::handling;
    if (server_.hooks.before) server_.hooks.before(request_);
    const Router::Match match = server_.router.match(request_);
    if (match.handler == nullptr) {
      Response refusal;
      refusal.status = match.allow.empty() ? 404 : 405;
      if (!match.allow.empty()) refusal.set_header("Allow", match.allow);
      return refuse(std::move(refusal));
    }
    auto state = std::make_shared<Responder::State>(shared_from_this());
    if (match.dispatch == Dispatch::blocking) {
      net::post(*server_.pool, [handler = match.handler, state, self = shared_from_this()] {
        run_handler(*handler, self->request_, state);
      });
      return;
    }
    run_handler(*match.handler, request_, state);
  }

  static void run_handler(const Handler& handler, Request& request, const std::shared_ptr<Responder::State>& state);

  void on_read_error(beast::error_code ec) {
    // Checked first: Beast's timeout also compares equal to a reset.
    const bool timed_out = ec == beast::error::timeout;
    const bool gone = !timed_out && (ec == http::error::end_of_stream || ec == net::error::eof ||
                                     ec == net::error::operation_aborted || ec == net::error::connection_reset ||
                                     ec == net::error::broken_pipe);
    // A refusal found while reading the header (a Content-Length over the
    // limit) still has the request line, which the access log wants.
    const bool has_header = parser_ && (parser_->is_header_done() || !parser_->get().target().empty());
    if (has_header) {
      take_request(false);
    } else {
      request_ = Request{};
      request_.remote_addr = remote_;
    }
    if (gone) return close();
    if (timed_out) {
      // A stalled client is dropped, not answered (it is not sending, so it
      // may not be reading either); logged when it had started a request.
      if (has_header || buffer_.size() > 0) {
        if (server_.hooks.before) server_.hooks.before(request_);
        Response dropped;
        dropped.status = 408;
        dropped.outcome = "request_timeout";
        if (server_.hooks.refusal) server_.hooks.refusal(request_, dropped);
        log(dropped, false);
      }
      return close();
    }
    if (version_ != 10 && version_ != 11) version_ = 11;
    if (server_.hooks.before) server_.hooks.before(request_);
    phase_ = Phase::handling;
    Response refusal;
    if (ec == http::error::body_limit) refusal.status = 413;
    else if (ec == http::error::header_limit) refusal.status = 431;
    else refusal.status = 400;
    refusal.close = true;  // the rest of the stream cannot be trusted to start a request
    refuse(std::move(refusal));
  }

  void refuse(Response response) {
    if (server_.hooks.refusal) server_.hooks.refusal(request_, response);
    send(std::move(response));
  }

  void send(Response response) {
    if (phase_ == Phase::closed) return;
    phase_ = Phase::writing;
    if (server_.hooks.finish) server_.hooks.finish(request_, response);
    response_ = std::move(response);
    auto message = std::make_shared<http::response<http::string_body>>();
    message->version(version_);
    message->result(static_cast<unsigned>(response_.status));
    for (const auto& [name, value] : response_.headers) message->insert(name, value);
    if (!response_.content_type.empty()) message->set(http::field::content_type, response_.content_type);
    message->body() = response_.body;
    const bool keep = keep_alive_ && !response_.close && !server_.is_stopping();
    message->keep_alive(keep);
    message->prepare_payload();
    // A HEAD answer states the body's length but carries none: the client reads
    // no body, and would otherwise take it for the start of the next response.
    if (request_.method == "HEAD") message->body().clear();
    stream_.expires_after(server_.options.write_timeout);
    http::async_write(stream_, *message, [self = shared_from_this(), message, keep](beast::error_code ec, size_t) {
      self->log(self->response_, !ec);
      ++self->served_;
      if (ec || !keep || self->server_.is_stopping()) return self->close();
      self->read_next();
    });
  }

  void log(const Response& response, bool written) {
    if (server_.hooks.log) server_.hooks.log(request_, response, Clock::now() - started_, written);
  }

  // A closed session no longer holds up stop(), even while something (a
  // Responder already used, a finished callback) still owns the object.
  void close() {
    phase_ = Phase::closed;
    boost::system::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
    if (registered_) {
      registered_ = false;
      server_.forget(this);
    }
  }

  Server::Impl& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Request request_;
  Response response_;
  std::string remote_;
  Phase phase_ = Phase::reading;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  size_t served_ = 0;
  bool registered_ = false;
  Clock::time_point started_ = Clock::now();
};

struct Responder::State {
  explicit State(std::shared_ptr<Session> s) : session(std::move(s)) {}
  ~State() {
    if (done.load()) return;
    Response failure;
    failure.status = 500;
    failure.close = true;
    failure.outcome = "internal_error";
    const Hooks& hooks = session->server().hooks;
    if (hooks.refusal) hooks.refusal(session->request(), failure);
    session->respond(std::move(failure));
  }
  std::shared_ptr<Session> session;
  std::atomic<bool> done{false};
};

void Responder::operator()(Response response) const {
  if (state_->done.exchange(true)) return;
  state_->session->respond(std::move(response));
}

void Session::run_handler(const Handler& handler, Request& request, const std::shared_ptr<Responder::State>& state) {
  try {
    handler(request, Responder(state));
  } catch (...) {
    // Left unanswered, the Responder's state answers 500 when the last copy goes.
  }
}

void Server::Impl::accept_next() {
  net::io_context& target = *contexts[next_context++ % contexts.size()];
  acceptor->async_accept(target, [this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
    if (!ec) {
      // The socket was opened on `target`: the session lives on that thread.
      auto executor = socket.get_executor();
      auto session = std::make_shared<Session>(*this, std::move(socket));
      net::post(executor, [session] { session->start(); });
    }
    accept_next();
  });
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { stop(); }

std::unique_ptr<Server> Server::create(ServerOptions options, Router router, Hooks hooks) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->router = std::move(router);
  impl->hooks = std::move(hooks);
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

namespace {

// A listening socket on `options.bind`:`options.port`, or "server.bind_failed".
Result<std::unique_ptr<tcp::acceptor>> listen_on(net::io_context& context, const ServerOptions& options,
                                                 const std::string& where) {
  boost::system::error_code ec;
  tcp::resolver resolver(context);
  const auto endpoints = resolver.resolve(options.bind, std::to_string(options.port),
                                          tcp::resolver::numeric_service | tcp::resolver::passive, ec);
  if (ec || endpoints.empty()) {
    return make_error("server.bind_failed", "cannot resolve " + where + ": " + ec.message());
  }
  auto acceptor = std::make_unique<tcp::acceptor>(context);
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(options.listen_backlog, ec);
  if (ec) return make_error("server.bind_failed", "cannot listen on " + where + ": " + ec.message());
  return acceptor;
}

}  // namespace

Result<int> Server::start() {
  Impl& s = *impl_;
  std::lock_guard lock(s.lifecycle);
  if (s.started) return make_error("server.already_started", "the HTTP server was already started");
  const std::string where = s.options.bind + ":" + std::to_string(s.options.port);
  size_t io_threads = s.options.io_threads;
  if (io_threads == 0) io_threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4);
  for (size_t i = 0; i < io_threads; ++i) {
    // Concurrency hint 1: each context is run by exactly one thread, so Asio
    // can skip most of its internal locking.
    s.contexts.push_back(std::make_unique<net::io_context>(1));
  }
  auto acceptor = listen_on(*s.contexts[0], s.options, where);
  if (!acceptor) {
    // Only after listen_on() returned: its resolver and socket belong to the
    // context and must be gone before it is.
    s.contexts.clear();
    return acceptor.error();
  }
  const int port = (*acceptor)->local_endpoint().port();
  s.acceptor = std::move(*acceptor);
  s.pool = std::make_unique<net::thread_pool>(std::max<size_t>(s.options.threads, 1));
  for (auto& context : s.contexts) s.guards.push_back(net::make_work_guard(*context));
  s.accept_next();
  for (auto& context : s.contexts) {
    s.io_threads.emplace_back([context = context.get()] { context->run(); });
  }
  s.started = true;
  return port;
}

void Server::stop() {
  Impl& s = *impl_;
  std::lock_guard lock(s.lifecycle);
  if (!s.started || s.stopped) return;
  s.stopped = true;
  std::vector<std::weak_ptr<Session>> live;
  {
    std::lock_guard sessions_lock(s.sessions_mutex);
    s.stopping.store(true);
    for (Session* session : s.sessions) live.push_back(session->weak_from_this());
  }
  net::post(*s.contexts[0], [&s] {
    boost::system::error_code ec;
    s.acceptor->close(ec);
  });
  for (auto& weak : live) {
    if (auto session = weak.lock()) {
      net::post(session->executor(), [session] { session->on_stop(); });
    }
  }
  {
    // Sessions end once their in-flight request is answered (bounded by the
    // handler and write_timeout); idle ones end as soon as their read is cancelled.
    std::unique_lock sessions_lock(s.sessions_mutex);
    s.sessions_gone.wait(sessions_lock, [&s] { return s.sessions.empty(); });
  }
  s.guards.clear();
  for (auto& context : s.contexts) context->stop();
  for (auto& thread : s.io_threads) thread.join();
  s.pool->join();
}

}  // namespace fixgate::httpd
