#include "notify/service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "../aws/loopback_server.h"
#include "audit/memory_audit_log.h"
#include "fixtures.h"

namespace fixgate::notify {
namespace {

namespace fs = std::filesystem;
using aws::testing_support::LoopbackServer;
using namespace fixgate::notify::testing;

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fixgate-notify-service-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Config config_with_hook(const std::string& url) {
    return reference_config_with(R"yaml(
notifications:
  delivery: {initial_backoff_ms: 50, max_attempts: 5}
  channels:
    hook: {type: webhook, url: ")yaml" + url + R"yaml(/hook"}
  routes:
    - outcomes: [notify]
      channels: [hook]
)yaml");
  }

  fs::path dir_;
  audit::MemoryAuditLog audit_;
  LoopbackServer receiver_{[this](const aws::testing_support::Recorded&, httplib::Response& res) {
    res.status = calls_++ == 0 ? 503 : 200;  // the first attempt fails, the retry succeeds
  }};
  std::atomic<int> calls_{0};
};

TEST_F(ServiceTest, NoSectionMeansNoService) {
  auto service = NotificationService::open(reference_config_with(""), dir_.string(), audit_);
  ASSERT_TRUE(service.ok());
  EXPECT_EQ(service->get(), nullptr);
}

TEST_F(ServiceTest, InvalidSectionIsAnError) {
  auto service = NotificationService::open(reference_config_with("notifications: {routes: []}\n"), dir_.string(), audit_);
  ASSERT_FALSE(service.ok());
  EXPECT_EQ(service.error().code, "notify.config");
}

TEST_F(ServiceTest, BackgroundThreadDeliversAndRetriesFromTheOutboxInTheStateDir) {
  const Config config = config_with_hook(receiver_.url());
  auto opened = NotificationService::open(config, dir_.string(), audit_);
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  auto& service = **opened;
  EXPECT_TRUE(fs::exists(dir_ / "notifications.db"));
  service.start();
  Decided d = decide_example("wiz-s3-public-no-owner.json", config);
  ASSERT_EQ(service.enqueue({d.finding, d.decision, {}, nullptr})->queued.size(), 1u);
  for (int i = 0; i < 500 && service.stats().sent == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  service.stop();
  const ServiceStats stats = service.stats();
  EXPECT_EQ(stats.sent, 1u);
  EXPECT_EQ(stats.retried, 1u);
  EXPECT_EQ(stats.errors, 0u) << stats.last_error;
  EXPECT_EQ(receiver_.requests().size(), 2u);
}

TEST_F(ServiceTest, DrainDeliversWhatIsDueAndLeavesLaterRetriesQueued) {
  const Config config = config_with_hook(receiver_.url());
  auto opened = NotificationService::open(config, dir_.string(), audit_);
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  auto& service = **opened;
  Decided d = decide_example("wiz-s3-public-no-owner.json", config);
  ASSERT_TRUE(service.enqueue({d.finding, d.decision, {}, nullptr}).ok());
  const DeliveryReport first = service.drain(std::chrono::seconds(5));
  EXPECT_EQ(first.retried, 1u);  // 503, retry due in 50 ms: not waited for
  EXPECT_EQ(first.sent, 0u);
  EXPECT_EQ(service.notifier().outbox().list(OutboxState::pending)->size(), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(service.drain(std::chrono::seconds(5)).sent, 1u);
}

// With a registry, the service's deliveries are counted there; without one
// (every test above) it works the same and counts nothing.
TEST_F(ServiceTest, RegistersDeliveryMetricsWhenGivenARegistry) {
  const Config config = config_with_hook(receiver_.url());
  metrics::Registry registry;
  ServiceOptions options;
  options.metrics = &registry;
  auto opened = NotificationService::open(config, dir_.string(), audit_, options);
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  Decided d = decide_example("wiz-s3-public-no-owner.json", config);
  ASSERT_TRUE((*opened)->enqueue({d.finding, d.decision, {}, nullptr}).ok());
  EXPECT_EQ((*opened)->drain(std::chrono::seconds(5)).retried, 1u);
  const std::string text = registry.expose();
  EXPECT_NE(text.find("fixgate_notification_deliveries_total{channel=\"hook\",result=\"retry\"} 1\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("fixgate_notification_outbox_rows{state=\"pending\"} 1\n"), std::string::npos) << text;

  // A second service on the same registry would count into the same names: refused.
  auto second = NotificationService::open(config, (dir_ / "second").string(), audit_, options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, "metrics.duplicate");
}

}  // namespace
}  // namespace fixgate::notify
