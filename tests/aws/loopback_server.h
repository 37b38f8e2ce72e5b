// A scripted HTTP server on 127.0.0.1 (ephemeral port) for AWS client tests: every
// request is recorded, and the handler decides the response.
#pragma once

#include <httplib.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aws/sigv4.h"

namespace fixgate::aws::testing_support {

struct Recorded {
  std::string method;
  std::string target;  // path?query as received
  HttpRequest request; // rebuilt for signature verification (query decoded)
  int remote_port = 0;
};

class LoopbackServer {
 public:
  using Handler = std::function<void(const Recorded&, httplib::Response&)>;

  explicit LoopbackServer(Handler handler) : handler_(std::move(handler)) {
    auto on_request = [this](const httplib::Request& req, httplib::Response& res) {
      Recorded r;
      r.method = req.method;
      r.target = req.target;
      r.remote_port = req.remote_port;
      r.request.method = req.method;
      const size_t q = req.target.find('?');
      r.request.path = req.target.substr(0, q);
      if (q != std::string::npos) r.request.query = parse_query(req.target.substr(q + 1));
      for (const auto& [k, v] : req.headers) {
        if (k == "REMOTE_ADDR" || k == "REMOTE_PORT" || k == "LOCAL_ADDR" || k == "LOCAL_PORT") continue;
        r.request.headers.emplace_back(k, v);
      }
      r.request.body = req.body;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        requests_.push_back(r);
      }
      handler_(r, res);
    };
    server_.Get(".*", on_request);
    server_.Post(".*", on_request);
    server_.Put(".*", on_request);
    server_.Delete(".*", on_request);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ~LoopbackServer() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Recorded> requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

 private:
  Handler handler_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<Recorded> requests_;
};

}  // namespace fixgate::aws::testing_support
