#include "load_client.h"

#include <algorithm>
#include <array>
#include <exception>
#include <memory>
#include <optional>
#include <thread>

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace fixgate::bench {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

constexpr size_t kBodySample = 512;
constexpr size_t kReadChunk = 16 * 1024;

// What one generator thread gathers; merged once the threads have joined, so
// the hot path takes no lock.
struct Tally {
  std::map<int, size_t> statuses;
  std::map<int, std::string> first_bodies;
  size_t transport_errors = 0;
  std::string first_error;
  Clock::time_point first_error_at = Clock::time_point::max();
  std::vector<double> latencies_ms;
  size_t connects = 0;
  double cpu_seconds = 0;
  std::string failure;  // an exception that stopped the thread (from the factory)
};

// One keep-alive connection's closed loop: take the next request index, send,
// read the whole response, repeat; reopen the socket when the server closed it.
class Connection {
 public:
  // Sends the requests with indexes [first, end).
  Connection(asio::io_context& io, const tcp::endpoint& endpoint, const LoadPlan& plan, const std::string& host_header,
             size_t first, size_t end, Tally& tally, std::function<void()> on_done)
      : socket_(io),
        connector_(io),
        endpoint_(endpoint),
        plan_(plan),
        host_header_(host_header),
        next_(first),
        end_(end),
        tally_(tally),
        on_done_(std::move(on_done)) {}

  void start() { next_request(); }

  // Called by the thread's watchdog: closing the socket completes the pending
  // operation with operation_aborted, which fail() reports as a timeout.
  void enforce_timeout(Clock::time_point now) {
    if (!in_flight_ || now - start_ < plan_.timeout) return;
    timed_out_ = true;
    close();
  }

 private:
  void next_request() {
    if (next_ == end_) {
      close();
      on_done_();
      return;
    }
    index_ = next_++;
    request_.method = "POST";
    request_.target = "/";
    request_.headers.clear();
    request_.body.clear();
    plan_.make_request(index_, request_);
    retried_ = false;
    timed_out_ = false;  // a watchdog close that raced a response already complete
    in_flight_ = true;
    start_ = Clock::now();
    send();
  }

  // The connect runs on a socket of its own whose descriptor then moves to
  // socket_: an asynchronous connect leaves EPOLLOUT in the descriptor's
  // epoll registration, and the ACK of every request would then wake the
  // loop for nothing (one connection against a server answering in two
  // writes: 2.8 epoll_wait per request with it, 2.0 without).
  void connect() {
    buffer_.clear();
    reused_ = false;
    ++tally_.connects;
    connector_.async_connect(endpoint_, [this](error_code ec) {
      if (ec) return fail(ec, "connect");
      // Without it a request written in two segments waits for the server's delayed ACK (40 ms).
      connector_.set_option(tcp::no_delay(true), ec);
      if (!ec) {
        const auto fd = connector_.release(ec);
        if (!ec) {
          socket_.assign(endpoint_.protocol(), fd, ec);
          if (ec) ::close(fd);
        }
        if (!ec) socket_.non_blocking(true, ec);  // send() writes what fits, without blocking
      }
      if (ec) return fail(ec, "connect");
      send();
    });
  }

  // The request is written at once (it nearly always fits in the socket's
  // buffer), so no completion is queued and the loop takes no extra turn per
  // request; a remainder is written asynchronously.
  void send() {
    if (!socket_.is_open()) return connect();
    format_head();
    error_code ec;
    size_t written =
        socket_.write_some(std::array<asio::const_buffer, 2>{asio::buffer(head_), asio::buffer(request_.body)}, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      written = 0;
      ec = {};
    }
    if (ec) return fail(ec, "write");
    if (written == head_.size() + request_.body.size()) return read();
    const size_t from_head = std::min(written, head_.size());
    const std::array<asio::const_buffer, 2> rest{asio::buffer(head_) + from_head,
                                                 asio::buffer(request_.body) + (written - from_head)};
    asio::async_write(socket_, rest, [this](error_code write_ec, size_t) {
      if (write_ec) return fail(write_ec, "write");
      read();
    });
  }

  void format_head() {
    head_.clear();
    head_.append(request_.method).append(" ").append(request_.target).append(" HTTP/1.1\r\nHost: ");
    head_.append(host_header_).append("\r\n");
    for (const auto& [name, value] : request_.headers) head_.append(name).append(": ").append(value).append("\r\n");
    if (!request_.body.empty() || (request_.method != "GET" && request_.method != "HEAD")) {
      head_.append("Content-Length: ").append(std::to_string(request_.body.size())).append("\r\n");
    }
    head_.append("\r\n");
  }

  void read() {
    parser_.emplace();
    parser_->eager(true);
    parser_->skip(request_.method == "HEAD");  // a HEAD response announces a body it does not carry
    if (buffer_.size() > 0) return parse_buffered();  // the server sent more than the last response
    read_more();
  }

  // Asio tries the read at once and waits for epoll only when nothing has
  // arrived yet. (async_wait instead would skip that try, but costs an
  // epoll_ctl per request, which is dearer than the try on a busy loop.)
  void read_more() {
    socket_.async_read_some(buffer_.prepare(kReadChunk), [this](error_code ec, size_t n) {
      if (ec == asio::error::eof) return end_of_input();
      if (ec) return fail(ec, "read");
      buffer_.commit(n);
      parse_buffered();
    });
  }

  void parse_buffered() {
    if (!parse()) return;
    if (parser_->is_done()) return complete();
    read_more();
  }

  // Feeds the buffered bytes to the parser; false when it failed (reported).
  bool parse() {
    while (buffer_.size() > 0 && !parser_->is_done()) {
      error_code ec;
      const size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == http::error::need_more) break;
      if (ec) {
        fail(ec, "read");
        return false;
      }
    }
    return true;
  }

  // The server closed the connection: the end of a body delimited by the
  // close, a close before any byte of the response (end_of_stream, which a
  // stale keep-alive connection gets), or a truncated response.
  void end_of_input() {
    if (!parser_->got_some()) return fail(http::error::end_of_stream, "read");
    error_code ec;
    parser_->put_eof(ec);
    if (ec) return fail(ec, "read");
    complete();
  }

  void complete() {
    in_flight_ = false;
    tally_.latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start_).count());
    auto& response = parser_->get();
    const int status = static_cast<int>(response.result_int());
    auto [it, first] = tally_.statuses.try_emplace(status, 0);
    ++it->second;
    if (first) tally_.first_bodies[status] = response.body().substr(0, kBodySample);
    const bool keep_alive = response.keep_alive() && !parser_->need_eof();
    parser_.reset();
    if (keep_alive) {
      reused_ = true;
    } else {
      close();
    }
    next_request();
  }

  void fail(error_code ec, const char* stage) {
    // A keep-alive connection the server closed between two requests fails
    // before any byte of the response; the request never reached it, so it is
    // sent once more on a fresh connection, as browsers do.
    const bool stale = reused_ && !retried_ && !timed_out_ &&
                       (ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
                        ec == asio::error::broken_pipe);
    close();
    if (stale) {
      retried_ = true;
      return connect();
    }
    in_flight_ = false;
    ++tally_.transport_errors;
    const auto now = Clock::now();
    if (now < tally_.first_error_at) {
      tally_.first_error_at = now;
      tally_.first_error.assign("request ").append(std::to_string(index_)).append(": ").append(stage).append(": ");
      tally_.first_error.append(timed_out_ ? std::string("timed out") : ec.message());
    }
    timed_out_ = false;
    next_request();
  }

  void close() {
    error_code ignored;
    if (connector_.is_open()) connector_.close(ignored);
    if (!socket_.is_open()) return;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;     // the connected socket requests go out on
  tcp::socket connector_;  // only while connecting
  const tcp::endpoint endpoint_;
  const LoadPlan& plan_;
  const std::string& host_header_;
  size_t next_;
  const size_t end_;
  Tally& tally_;
  std::function<void()> on_done_;

  boost::beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  std::string head_;
  Request request_;
  size_t index_ = 0;
  Clock::time_point start_;
  bool in_flight_ = false;
  bool reused_ = false;   // the socket already carried a response
  bool retried_ = false;  // this request was already resent once
  bool timed_out_ = false;
};

// The request indexes [first, end) of one connection.
struct Share {
  size_t first = 0;
  size_t end = 0;
};

// One generator thread: its connections on its own single-threaded io_context.
void run_thread(const LoadPlan& plan, const tcp::endpoint& endpoint, const std::string& host_header,
                const std::vector<Share>& shares, Tally& tally) {
  const double cpu_before = thread_cpu_seconds();
  try {
    asio::io_context io(1);  // one thread: lets Asio skip its scheduler locking
    asio::steady_timer watchdog(io);
    size_t active = shares.size();
    std::vector<std::unique_ptr<Connection>> conns;
    conns.reserve(shares.size());
    size_t requests = 0;
    for (const auto& share : shares) {
      requests += share.end - share.first;
      conns.push_back(std::make_unique<Connection>(io, endpoint, plan, host_header, share.first, share.end, tally, [&] {
        if (--active == 0) watchdog.cancel();
      }));
    }
    tally.latencies_ms.reserve(requests);
    // A coarse periodic check instead of a timer per request, which would
    // cost a timerfd update per request.
    const auto tick = std::clamp<Clock::duration>(plan.timeout / 4, std::chrono::milliseconds(1),
                                                  std::chrono::milliseconds(250));
    std::function<void()> arm = [&] {
      watchdog.expires_after(tick);
      watchdog.async_wait([&](error_code ec) {
        if (ec || active == 0) return;
        const auto now = Clock::now();
        for (auto& c : conns) c->enforce_timeout(now);
        arm();
      });
    };
    arm();
    for (auto& c : conns) c->start();
    io.run();
  } catch (const std::exception& e) {
    tally.failure = e.what();
  }
  tally.cpu_seconds = thread_cpu_seconds() - cpu_before;
}

Result<tcp::endpoint> resolve(const LoadPlan& plan) {
  error_code ec;
  const auto address = asio::ip::make_address(plan.host, ec);
  if (!ec) return tcp::endpoint(address, plan.port);
  asio::io_context io;
  tcp::resolver resolver(io);
  const auto results = resolver.resolve(plan.host, std::to_string(plan.port), ec);
  if (ec || results.empty()) {
    std::string message(plan.host);
    message.append(": ").append(ec ? ec.message() : std::string("no address"));
    return make_error("load.resolve_failed", message);
  }
  return results.begin()->endpoint();
}

}  // namespace

Result<LoadReport> run_load(const LoadPlan& plan) {
  if (!plan.make_request) return make_error("load.bad_plan", "no request factory");
  if (plan.port == 0) return make_error("load.bad_plan", "no port");
  if (plan.connections == 0 || plan.threads == 0 || plan.threads > plan.connections) {
    return make_error("load.bad_plan", "need 1 <= threads <= connections");
  }
  auto endpoint = resolve(plan);
  if (!endpoint) return endpoint.error();
  std::string host_header(plan.host);
  host_header.append(":").append(std::to_string(plan.port));

  // Fixed shares, not a shared counter: a server that serves fewer
  // connections at a time than are open (a thread per connection) serves the
  // waiting ones once others have sent their share, instead of leaving them
  // with one request stuck for the whole run.
  std::vector<std::vector<Share>> shares(plan.threads);
  size_t first = 0;
  for (size_t c = 0; c < plan.connections; ++c) {
    const size_t count = plan.requests / plan.connections + (c < plan.requests % plan.connections ? 1 : 0);
    shares[c % plan.threads].push_back(Share{first, first + count});
    first += count;
  }
  std::vector<Tally> tallies(plan.threads);
  const auto begin = Clock::now();
  {
    std::vector<std::thread> threads;
    for (size_t t = 0; t < plan.threads; ++t) {
      threads.emplace_back(run_thread, std::cref(plan), std::cref(*endpoint), std::cref(host_header),
                           std::cref(shares[t]), std::ref(tallies[t]));
    }
    for (auto& t : threads) t.join();
  }
  LoadReport report;
  report.wall_seconds = std::chrono::duration<double>(Clock::now() - begin).count();

  Clock::time_point first_error_at = Clock::time_point::max();
  for (auto& tally : tallies) {
    if (!tally.failure.empty()) return make_error("load.generator_failed", tally.failure);
    for (const auto& [status, count] : tally.statuses) report.statuses[status] += count;
    for (auto& [status, body] : tally.first_bodies) report.first_bodies.try_emplace(status, std::move(body));
    report.transport_errors += tally.transport_errors;
    if (tally.first_error_at < first_error_at) {
      first_error_at = tally.first_error_at;
      report.first_transport_error = std::move(tally.first_error);
    }
    report.latencies_ms.insert(report.latencies_ms.end(), tally.latencies_ms.begin(), tally.latencies_ms.end());
    report.connects += tally.connects;
    report.generator_cpu_seconds += tally.cpu_seconds;
  }
  std::sort(report.latencies_ms.begin(), report.latencies_ms.end());
  return report;
}

}  // namespace fixgate::bench
