#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "sns/cert_fetcher.h"
#include "sns_test_support.h"

namespace fixgate::sns {
namespace {

using namespace std::chrono_literals;

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// A TLS server on loopback with a throwaway certificate for IP:127.0.0.1; the
// fetcher trusts exactly that certificate through CurlFetcherOptions::ca_file.
class TlsLoopback : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("fixgate-sns-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    write_file(dir / "cert.pem", signer.cert_pem());
    write_file(dir / "key.pem", signer.key_pem());
    server = std::make_unique<httplib::SSLServer>((dir / "cert.pem").c_str(), (dir / "key.pem").c_str());
    ASSERT_TRUE(server->is_valid());
    server->Get("/cert.pem", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("-----BEGIN CERTIFICATE-----\n", "application/x-pem-file");
    });
    server->Get("/huge.pem", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(200 * 1024, 'x'), "application/x-pem-file");
    });
    server->Get("/redirect.pem", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/cert.pem");
    });
    server->Get("/slow.pem", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(2s);
      res.set_content("late", "text/plain");
    });
    port = server->bind_to_any_port("127.0.0.1");
    ASSERT_GT(port, 0);
    thread = std::thread([this] { server->listen_after_bind(); });
    while (!server->is_running()) std::this_thread::sleep_for(1ms);
    options.ca_file = (dir / "cert.pem").string();
  }
  void TearDown() override {
    server->stop();
    thread.join();
    std::filesystem::remove_all(dir);
  }
  std::string url(const std::string& path) const { return "https://127.0.0.1:" + std::to_string(port) + path; }

  testing::TestSigner signer{std::chrono::system_clock::now() - 1h, std::chrono::system_clock::now() + 1h,
                             "IP:127.0.0.1"};
  std::filesystem::path dir;
  std::unique_ptr<httplib::SSLServer> server;
  std::thread thread;
  int port = 0;
  CurlFetcherOptions options;
};

TEST_F(TlsLoopback, FetchesOverVerifiedTls) {
  CurlCertFetcher fetcher(options);
  auto body = fetcher.fetch(url("/cert.pem"));
  ASSERT_TRUE(body.ok()) << body.error().to_string();
  EXPECT_EQ(*body, "-----BEGIN CERTIFICATE-----\n");
}

TEST_F(TlsLoopback, UntrustedCertificateIsRefused) {
  CurlCertFetcher fetcher;  // system trust store: the throwaway cert is not in it
  auto body = fetcher.fetch(url("/cert.pem"));
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().code, "sns.fetch_failed");
}

TEST_F(TlsLoopback, BodyOverTheCapIsRefused) {
  CurlCertFetcher fetcher(options);
  auto body = fetcher.fetch(url("/huge.pem"));
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().code, "sns.fetch_too_large");
}

TEST_F(TlsLoopback, RedirectsAreNotFollowed) {
  CurlCertFetcher fetcher(options);
  auto body = fetcher.fetch(url("/redirect.pem"));
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().code, "sns.fetch_failed");
  EXPECT_NE(body.error().message.find("HTTP 302"), std::string::npos) << body.error().message;
}

TEST_F(TlsLoopback, SlowServerHitsTheTotalTimeout) {
  options.total_timeout = 500ms;
  CurlCertFetcher fetcher(options);
  const auto begin = std::chrono::steady_clock::now();
  auto body = fetcher.fetch(url("/slow.pem"));
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().code, "sns.fetch_failed");
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 2s);
}

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
