// The event-driven HTTP server over loopback: routing (exact, pattern, 404,
// 405 + Allow), answers from other threads, handlers that never answer or
// throw, the refusals it makes itself (400, 413, 431), Expect: 100-continue,
// pipelining, keep-alive and read timeouts, and a stop that finishes what was
// read but waits for nobody idle.
#include <gtest/gtest.h>
#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "httpd/http_server.h"

namespace fixgate::httpd {
namespace {

using namespace std::chrono_literals;

// A raw loopback connection, for what a well-behaved client library never sends.
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval guard{10, 0};  // the test's own bound: never hang the suite
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof guard);
  }
  ~RawConnection() { ::close(fd_); }
  bool connected() const { return connected_; }
  void send(const std::string& bytes) { ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size())); }
  // Reads until `marker` has been seen `count` times, or the peer closes.
  std::string read_until(const std::string& marker, int count = 1) {
    std::string received;
    char buffer[4096];
    for (;;) {
      int seen = 0;
      for (size_t at = received.find(marker); at != std::string::npos; at = received.find(marker, at + 1)) ++seen;
      if (seen >= count) return received;
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) return received;
      received.append(buffer, static_cast<size_t>(n));
    }
  }
  // True when the server closed the connection (not our 10 s guard).
  bool closed_by_peer() {
    char buffer[4096];
    ssize_t n = 0;
    while ((n = ::recv(fd_, buffer, sizeof buffer, 0)) > 0) {
    }
    return n == 0;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

struct LogEntry {
  std::string id;
  std::string path;
  int status;
  bool written;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void start(Router router) {
    Hooks hooks;
    hooks.before = [this](Request& request) { request.id = "req-" + std::to_string(++counter); };
    hooks.refusal = [](const Request&, Response& response) {
      if (response.body.empty()) response.set_body("refused " + std::to_string(response.status), "text/plain");
    };
    hooks.finish = [](const Request& request, Response& response) { response.set_header("X-Request-Id", request.id); };
    hooks.log = [this](const Request& request, const Response& response, std::chrono::steady_clock::duration,
                       bool written) {
      std::lock_guard lock(log_mutex);
      log.push_back(LogEntry{request.id, request.path, response.status, written});
    };
    server = Server::create(options, std::move(router), std::move(hooks));
    auto bound = server->start();
    ASSERT_TRUE(bound.ok()) << bound.error().to_string();
    port = *bound;
  }

  void TearDown() override {
    if (server) server->stop();
  }

  httplib::Client client() {
    httplib::Client c("127.0.0.1", port);
    c.set_keep_alive(true);
    c.set_read_timeout(10, 0);
    return c;
  }

  std::vector<LogEntry> logged() {
    std::lock_guard lock(log_mutex);
    return log;
  }

  // A router whose POST /later parks its Responder for the test to answer,
  // beside GET /now, which answers at once.
  Router parking_router() {
    Router router;
    router.add("POST", "/later", Handler([this](Request&, Responder respond) { parked.set_value(respond); }),
               Dispatch::inline_io);
    router.add("GET", "/now", text("now"), Dispatch::inline_io);
    return router;
  }

  // POSTs on a connection of its own, from another thread.
  std::future<httplib::Result> post_in_background(std::string path) {
    return std::async(std::launch::async, [this, path] {
      auto c = client();
      return c.Post(path, "x", "text/plain");
    });
  }

  static SyncHandler text(std::string body) {
    return [body](const Request&, Response& response) { response.set_body(body, "text/plain"); };
  }

  ServerOptions options = [] {
    ServerOptions o;
    o.port = 0;
    o.max_body_bytes = 1024;
    o.max_header_bytes = 2048;
    o.read_timeout = 2000ms;
    o.keep_alive_timeout = 2000ms;
    o.io_threads = 1;  // one event loop: a test that passes proves nothing blocks it
    o.threads = 2;
    return o;
  }();
  std::unique_ptr<Server> server;
  int port = 0;
  std::atomic<int> counter{0};
  std::mutex log_mutex;
  std::vector<LogEntry> log;
  std::promise<Responder> parked;
};

TEST_F(HttpServerTest, RoutesByPathAndMethodWith404And405) {
  Router router;
  router.add("GET", "/a", text("get a"), Dispatch::inline_io);
  router.add("POST", "/a", text("post a"), Dispatch::blocking);
  start(std::move(router));
  auto c = client();
  EXPECT_EQ(c.Get("/a")->body, "get a");
  EXPECT_EQ(c.Post("/a", "x", "text/plain")->body, "post a");
  auto wrong = c.Delete("/a");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->get_header_value("Allow"), "GET, POST");
  EXPECT_EQ(wrong->body, "refused 405");
  auto missing = c.Get("/b?x=1");
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, "refused 404");
  EXPECT_EQ(missing->get_header_value("X-Request-Id"), "req-4");
}

TEST_F(HttpServerTest, PatternRoutesCaptureAndQueryParametersAreDecoded) {
  Router router;
  router.add("GET", "/items/special", text("exact wins"), Dispatch::inline_io);
  router.add_pattern("GET", "/items/([0-9]+)", [](const Request& request, Response& response) {
    response.set_body(request.captures.at(0) + "|" + request.param("q").value_or("<none>") + "|" +
                          request.param("empty").value_or("<none>") + "|" + request.param("absent").value_or("<none>"),
                      "text/plain");
  }, Dispatch::inline_io);
  start(std::move(router));
  auto c = client();
  EXPECT_EQ(c.Get("/items/42?q=a%20b%2F&empty")->body, "42|a b/||<none>");
  EXPECT_EQ(c.Get("/items/special")->body, "exact wins");
  EXPECT_EQ(c.Get("/items/x1")->status, 404);
  EXPECT_EQ(c.Post("/items/7", "", "text/plain")->status, 405);
}

TEST(RequestTest, HeadersAreCaseInsensitiveAndParamsPercentDecoded) {
  Request request;
  request.headers = {{"Content-Type", "application/json"}, {"X-Twice", "first"}, {"x-twice", "second"}};
  request.query = "status=pending+now&bad=%zz%4&sp=a%20b&flag&status=ignored";
  EXPECT_EQ(request.header("content-type"), "application/json");
  EXPECT_EQ(request.header("X-TWICE"), "first");
  EXPECT_TRUE(request.has_header("x-twice"));
  EXPECT_FALSE(request.has_header("Authorization"));
  EXPECT_EQ(request.header("Authorization"), "");
  EXPECT_EQ(request.param("status"), "pending now");
  EXPECT_EQ(request.param("bad"), "%zz%4") << "a broken escape is kept as it was sent";
  EXPECT_EQ(request.param("sp"), "a b");
  EXPECT_EQ(request.param("flag"), "");
  EXPECT_EQ(request.param("missing"), std::nullopt);
}

// io_threads = 1: the second connection is answered while the first request's
// answer is still pending on another thread, so the loop never waited for it.
TEST_F(HttpServerTest, AnswersFromAnotherThreadWithoutHoldingTheEventLoop) {
  start(parking_router());
  auto slow = post_in_background("/later");
  Responder respond = parked.get_future().get();
  auto c = client();
  EXPECT_EQ(c.Get("/now")->body, "now");
  std::thread([respond] {
    Response response;
    response.status = 202;
    response.set_body("done later", "text/plain");
    respond(response);
    respond(response);  // a second call is ignored
  }).join();
  auto answered = slow.get();
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->status, 202);
  EXPECT_EQ(answered->body, "done later");
}

TEST_F(HttpServerTest, BlockingHandlersRunOffTheEventLoop) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  Router router;
  router.add("POST", "/block", SyncHandler([released](const Request&, Response& response) {
               released.wait();
               response.set_body("unblocked", "text/plain");
             }),
             Dispatch::blocking);
  router.add("GET", "/now", text("now"), Dispatch::inline_io);
  start(std::move(router));
  auto blocked = post_in_background("/block");
  while (counter.load() == 0) std::this_thread::sleep_for(1ms);  // the blocking request was read
  auto c = client();
  EXPECT_EQ(c.Get("/now")->body, "now");
  release.set_value();
  EXPECT_EQ(blocked.get()->body, "unblocked");
}

TEST_F(HttpServerTest, AHandlerThatNeverAnswersOrThrowsGets500) {
  Router router;
  router.add("GET", "/forget", Handler([](Request&, Responder) {}), Dispatch::inline_io);
  router.add("GET", "/throw", SyncHandler([](const Request&, Response&) { throw std::runtime_error("boom"); }),
             Dispatch::blocking);
  start(std::move(router));
  auto c = client();
  auto forgot = c.Get("/forget");
  ASSERT_TRUE(forgot);
  EXPECT_EQ(forgot->status, 500);
  EXPECT_EQ(forgot->body, "refused 500");
  auto c2 = client();
  auto threw = c2.Get("/throw");
  ASSERT_TRUE(threw);
  EXPECT_EQ(threw->status, 500);
}

TEST_F(HttpServerTest, OversizedBodyIs413AndTheConnectionCloses) {
  Router router;
  router.add("POST", "/in", text("ok"), Dispatch::inline_io);
  start(std::move(router));
  RawConnection raw(port);
  ASSERT_TRUE(raw.connected());
  raw.send("POST /in HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + std::string(100, 'p'));
  const std::string answer = raw.read_until("refused 413");
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  EXPECT_TRUE(raw.closed_by_peer());
  const auto entries = logged();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].path, "/in");
  EXPECT_EQ(entries[0].status, 413);
}

TEST_F(HttpServerTest, OversizedHeadersAre431AndGarbageIs400) {
  Router router;
  router.add("GET", "/", text("ok"), Dispatch::inline_io);
  start(std::move(router));
  {
    RawConnection raw(port);
    raw.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'h') + "\r\n\r\n");
    EXPECT_EQ(raw.read_until("\r\n\r\n").rfind("HTTP/1.1 431", 0), 0u);
    EXPECT_TRUE(raw.closed_by_peer());
  }
  {
    RawConnection raw(port);
    raw.send("NOT HTTP AT ALL\r\n\r\n");
    EXPECT_EQ(raw.read_until("\r\n\r\n").rfind("HTTP/1.1 400", 0), 0u);
    EXPECT_TRUE(raw.closed_by_peer());
  }
}

TEST_F(HttpServerTest, ExpectContinueIsHonoured) {
  Router router;
  router.add("POST", "/in", SyncHandler([](const Request& request, Response& response) {
               response.set_body("got " + request.body, "text/plain");
             }),
             Dispatch::inline_io);
  start(std::move(router));
  RawConnection raw(port);
  raw.send("POST /in HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  EXPECT_EQ(raw.read_until("\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n");
  raw.send("hello");
  EXPECT_NE(raw.read_until("got hello").find("got hello"), std::string::npos);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  Router router;
  router.add_pattern("GET", "/echo/(.*)", [](const Request& request, Response& response) {
    response.set_body("<" + request.captures.at(0) + ">", "text/plain");
  }, Dispatch::blocking);
  start(std::move(router));
  RawConnection raw(port);
  raw.send("GET /echo/one HTTP/1.1\r\nHost: x\r\n\r\nGET /echo/two HTTP/1.1\r\nHost: x\r\n\r\n"
           "GET /echo/three HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string answers = raw.read_until("HTTP/1.1 200", 3) + raw.read_until("<three>");
  const size_t one = answers.find("<one>"), two = answers.find("<two>"), three = answers.find("<three>");
  ASSERT_NE(three, std::string::npos) << answers;
  EXPECT_LT(one, two);
  EXPECT_LT(two, three);
  EXPECT_TRUE(raw.closed_by_peer());
}

TEST_F(HttpServerTest, IdleKeepAliveAndStalledRequestsAreDropped) {
  options.keep_alive_timeout = 200ms;
  options.read_timeout = 300ms;
  Router router;
  router.add("POST", "/in", text("ok"), Dispatch::inline_io);
  start(std::move(router));
  {
    RawConnection idle(port);
    idle.send("POST /in HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx");
    EXPECT_NE(idle.read_until("ok").find("200 OK"), std::string::npos);
    EXPECT_TRUE(idle.closed_by_peer()) << "an idle keep-alive connection is closed after keep_alive_timeout";
  }
  {
    RawConnection stalled(port);
    stalled.send("POST /in HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{\"partial\":");
    EXPECT_TRUE(stalled.closed_by_peer());
  }
  // The stream's timer closes the socket before the server's handler logs the
  // drop, so the client can see the close first.
  for (int i = 0; i < 1000 && logged().size() < 2; ++i) std::this_thread::sleep_for(10ms);
  const auto entries = logged();
  std::string seen;
  for (const LogEntry& entry : entries) seen += entry.path + " " + std::to_string(entry.status) + (entry.written ? " written; " : " dropped; ");
  ASSERT_EQ(entries.size(), 2u) << seen;
  EXPECT_EQ(entries[1].status, 408);
  EXPECT_FALSE(entries[1].written) << "a stalled client is dropped, not answered";
}

TEST_F(HttpServerTest, AHeadAnswerHasALengthButNoBody) {
  Router router;
  router.add("GET", "/", text("ok"), Dispatch::inline_io);
  start(std::move(router));
  RawConnection raw(port);
  raw.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string answers = raw.read_until("HTTP/1.1 ", 2) + raw.read_until("\r\n\r\nok");
  ASSERT_EQ(answers.rfind("HTTP/1.1 405", 0), 0u) << answers;
  const size_t second = answers.find("HTTP/1.1 200");
  ASSERT_NE(second, std::string::npos) << answers;
  EXPECT_EQ(answers.substr(answers.find("\r\n\r\n") + 4, 9), "HTTP/1.1 ") << "no body after the HEAD answer";
  EXPECT_NE(answers.find("Content-Length: 11"), std::string::npos) << answers;  // "refused 405"
}

TEST_F(HttpServerTest, Http10WithoutKeepAliveIsClosedAfterTheAnswer) {
  Router router;
  router.add("GET", "/", text("ok"), Dispatch::inline_io);
  start(std::move(router));
  RawConnection raw(port);
  raw.send("GET / HTTP/1.0\r\n\r\n");
  EXPECT_EQ(raw.read_until("ok").rfind("HTTP/1.0 200", 0), 0u);
  EXPECT_TRUE(raw.closed_by_peer());
}

TEST_F(HttpServerTest, StopAnswersWhatWasReadClosesIdleConnectionsAndRefusesNewOnes) {
  options.keep_alive_timeout = 60000ms;  // stop() must not wait for idle connections to time out
  start(parking_router());
  auto idle = client();
  ASSERT_EQ(idle.Get("/now")->status, 200);  // now idle on a keep-alive connection
  auto in_flight = post_in_background("/later");
  Responder respond = parked.get_future().get();
  std::atomic<bool> stop_returned{false};
  auto stopping = std::async(std::launch::async, [&] {
    server->stop();
    stop_returned = true;
  });
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(stop_returned.load()) << "stop() waits for the request it already read";
  Response response;
  response.set_body("finished", "text/plain");
  respond(response);
  ASSERT_EQ(stopping.wait_for(10s), std::future_status::ready);
  auto answered = in_flight.get();
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->body, "finished");
  EXPECT_EQ(answered->get_header_value("Connection"), "close");
  RawConnection late(port);
  EXPECT_FALSE(late.connected());
}

TEST_F(HttpServerTest, BindFailureNamesTheAddress) {
  Router router;
  router.add("GET", "/", text("ok"), Dispatch::inline_io);
  start(std::move(router));
  ServerOptions same = options;
  same.port = port;
  auto second = Server::create(same, Router{}, {});
  auto bound = second->start();
  ASSERT_FALSE(bound.ok());
  EXPECT_EQ(bound.error().code, "server.bind_failed");
  EXPECT_NE(bound.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos);
  EXPECT_EQ(server->start().error().code, "server.already_started");
}

}  // namespace
}  // namespace fixgate::httpd
