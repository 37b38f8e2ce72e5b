#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "sns/cert_fetcher.h"

namespace fixgate::sns {
namespace {

// The production fetcher speaks https only: a plain-http URL is refused by
// libcurl's protocol allowlist even when a server is listening there.
TEST(CurlCertFetcher, RefusesPlainHttpEvenWhenServed) {
  httplib::Server server;
  server.Get("/cert.pem", [](const httplib::Request&, httplib::Response& res) { res.set_content("pem", "text/plain"); });
  const int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread thread([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::yield();

  CurlCertFetcher fetcher;
  auto result = fetcher.fetch("http://127.0.0.1:" + std::to_string(port) + "/cert.pem");
  server.stop();
  thread.join();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, "sns.fetch_failed");
}

TEST(CurlCertFetcher, ConnectionFailureIsAnError) {
  CurlFetcherOptions options;
  options.connect_timeout = std::chrono::milliseconds(500);
  options.total_timeout = std::chrono::milliseconds(1000);
  CurlCertFetcher fetcher(options);
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  auto result = fetcher.fetch("https://127.0.0.1:1/cert.pem");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, "sns.fetch_failed");
}

}  // namespace
}  // namespace fixgate::sns
