// An event-driven HTTP/1.1 server (Boost.Beast over epoll) for fixgate's
// intake and approvals API.
//
// Why not a thread per connection: a durably acknowledged finding waits a few
// milliseconds for its fsync. With a thread per connection, every waiting
// request is a sleeping thread, and every wake-up is a context switch; on a
// virtual machine those switches and the per-request poll() calls cost more
// CPU than the request itself. Here a few I/O threads each run their own event
// loop over many connections, and a handler may answer later, from any thread
// (the queue's writer answers a whole batch of requests after one commit).
//
// Handlers come in two kinds: `inline` ones run on the I/O thread and must not
// block (parse, check, hand off); `blocking` ones (anything that may wait on a
// disk, a database or the network) run on a separate pool of `threads`.
//
// Limits, all refused before a handler runs: a body over max_body_bytes is 413
// and the connection is closed (its unread body would otherwise be read as the
// next request); headers over max_header_bytes are 431; an unparseable request
// is 400; a path served with other methods is 405 with Allow; any other path is
// 404. A request must arrive completely within read_timeout of its first byte
// (slow clients are dropped, not answered), an idle keep-alive connection is
// closed after keep_alive_timeout, and a response must be written within
// write_timeout. `Expect: 100-continue` is honoured.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace fixgate::httpd {

using Header = std::pair<std::string, std::string>;

struct Request {
  std::string method;       // as sent, e.g. "POST"
  std::string target;       // path and query as sent
  std::string path;         // target without the query
  std::string query;        // after '?', undecoded
  std::vector<Header> headers;
  std::string body;
  std::string remote_addr;
  std::vector<std::string> captures;  // a pattern route's capture groups
  std::string id;                     // set by Hooks::before (the intake's request id)

  // First value of a header, compared case-insensitively; "" when absent.
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
  // A query parameter, percent-decoded; nullopt when absent.
  std::optional<std::string> param(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::vector<Header> headers;
  std::string body;
  std::string content_type;
  bool close = false;    // close the connection after this response
  std::string outcome;   // a short machine word for the access log ("queued", an error code); never sent

  void set_header(std::string name, std::string value);
  std::string header(std::string_view name) const;
  void set_body(std::string content, std::string type);
};

// Completes one request. Call it exactly once, from any thread. A Responder
// dropped without being called answers 500 ("internal_error"), so a handler
// bug can never leave a client hanging.
class Responder {
 public:
  struct State;
  explicit Responder(std::shared_ptr<State> state) : state_(std::move(state)) {}
  void operator()(Response response) const;

 private:
  std::shared_ptr<State> state_;
};

enum class Dispatch { inline_io, blocking };

using Handler = std::function<void(Request& request, Responder respond)>;
// The simple case: fills the response and returns.
using SyncHandler = std::function<void(const Request& request, Response& response)>;

class Router {
 public:
  // Exact path (no query). Paths are matched before patterns.
  void add(std::string method, std::string path, Handler handler, Dispatch dispatch);
  void add(std::string method, std::string path, SyncHandler handler, Dispatch dispatch);
  // A whole-path regular expression; its groups land in Request::captures.
  void add_pattern(std::string method, const std::string& pattern, SyncHandler handler, Dispatch dispatch);

  struct Match {
    const Handler* handler = nullptr;  // null: no route for this method
    Dispatch dispatch = Dispatch::inline_io;
    std::string allow;  // when the path exists with other methods: "GET, POST" (for 405)
  };
  Match match(Request& request) const;

 private:
  struct Route {
    std::string method;
    std::string path;               // exact, or
    std::optional<std::regex> pattern;
    Handler handler;
    Dispatch dispatch;
  };
  std::vector<Route> routes_;
};

struct Hooks {
  // Runs first for every request, including those the server refuses itself.
  std::function<void(Request&)> before;
  // The body of a refusal the server makes itself (400, 404, 405, 413, 431,
  // 500); Allow and Connection are added by the server.
  std::function<void(const Request&, Response&)> refusal;
  // Runs on every response just before it is written (e.g. X-Request-Id).
  std::function<void(const Request&, Response&)> finish;
  // After a response was written, or a request was dropped (timeout, reset):
  // then `written` is false and the response says what would have been sent.
  std::function<void(const Request&, const Response&, std::chrono::steady_clock::duration took, bool written)> log;
};

struct ServerOptions {
  std::string bind = "127.0.0.1";
  int port = 8080;  // 0 = any free port; start() reports the one bound
  size_t max_body_bytes = 1024 * 1024;
  size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds write_timeout{10000};
  std::chrono::milliseconds keep_alive_timeout{5000};
  size_t io_threads = 0;  // 0 = one per core, at most 4
  size_t threads = 8;     // for Dispatch::blocking handlers
  int listen_backlog = 1024;
};

class Server {
 public:
  static std::unique_ptr<Server> create(ServerOptions options, Router router, Hooks hooks);
  ~Server();  // stop()s
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the I/O threads. Returns the bound port. Errors:
  // "server.bind_failed" (naming the address and the reason),
  // "server.already_started".
  Result<int> start();

  // Stops accepting, closes idle connections, lets requests already read run
  // to completion and their responses be written (then closes those
  // connections too), and joins every thread. Idempotent; callable from any
  // thread but a handler's.
  void stop();

 private:
  struct Impl;
  friend class Session;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fixgate::httpd
