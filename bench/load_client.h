// An event-driven HTTP/1.1 load generator for the load benchmarks (server_bench,
// serve_load): C keep-alive loopback connections multiplexed on one io_context
// per generator thread, instead of a blocking client thread per connection,
// so the generator's own CPU per request stays a small, separately measured
// share of a 2-core machine that also runs the server.
//
// Closed loop: each connection sends its next request only once the previous
// response has arrived, until it has sent its share (requests / connections). Works against any HTTP/1.1 server: it reconnects when
// the server closes a connection (`Connection: close`, or a close between
// requests) and needs only Content-Length or chunked responses.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "load_measure.h"

namespace fixgate::bench {

// One request as the plan's factory fills it (it starts as a POST to "/" with
// no header). The client adds Host and Content-Length (not on a GET or HEAD
// without a body); HTTP/1.1 keeps the connection alive unless a header here
// says `Connection: close`.
struct Request {
  std::string method = "POST";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct LoadPlan {
  std::string host = "127.0.0.1";  // an IP address or a name resolved once before the run
  uint16_t port = 0;
  size_t connections = 1;
  size_t requests = 0;  // in total, over every connection
  // Called once per request index (0..requests-1), on a generator thread; with
  // more than one generator thread it is called concurrently, so it must be
  // thread-safe then. Its cost counts as the generator's CPU.
  std::function<void(size_t index, Request& out)> make_request;
  // Each runs its own io_context with its share of the connections.
  size_t threads = 1;
  // A request with no complete response after this long is a transport error
  // ("timed out"); its connection is closed and reopened for the next request.
  std::chrono::milliseconds timeout{30000};
};

struct LoadReport {
  std::map<int, size_t> statuses;           // HTTP status -> responses
  std::map<int, std::string> first_bodies;  // HTTP status -> the first such response's body (≤ 512 bytes)
  size_t transport_errors = 0;              // requests with no response (connect, write, read, timeout)
  std::string first_transport_error;        // "request 17: connect: Connection refused", empty when none
  std::vector<double> latencies_ms;         // one per response, sorted; from just before the request is
                                            // written (or connected, when it opens its connection)
  double wall_seconds = 0;                  // from the generator threads' start to their end
  double generator_cpu_seconds = 0;         // the generator threads' own CPU (CLOCK_THREAD_CPUTIME_ID)
  size_t connects = 0;                      // connections opened, reconnects included

  size_t responses() const {
    size_t n = 0;
    for (const auto& [status, count] : statuses) n += count;
    return n;
  }
  size_t count(int status) const {
    auto it = statuses.find(status);
    return it == statuses.end() ? 0 : it->second;
  }
  // The p-quantile (0..1) of the response latencies in ms; 0 when there are none.
  double latency_ms(double p) const { return percentile(latencies_ms, p); }
  double max_latency_ms() const { return latencies_ms.empty() ? 0.0 : latencies_ms.back(); }
};

// Runs the plan to completion on plan.threads new threads and returns when
// every request has either a response or a transport error. Errors (as
// values): "load.bad_plan" (no factory, no connections, no port, more threads
// than connections) and "load.resolve_failed" before any request is sent;
// "load.generator_failed" when the factory threw (that thread's remaining
// requests are not sent). Failed requests are not errors of the run: they are
// counted in the report.
Result<LoadReport> run_load(const LoadPlan& plan);

}  // namespace fixgate::bench
