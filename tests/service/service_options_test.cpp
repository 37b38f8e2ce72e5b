#include "service/service_options.h"

#include <gtest/gtest.h>

namespace fixgate::service {
namespace {

using nlohmann::json;

TEST(QueueSettings, AbsentSectionGivesTheDefaults) {
  auto settings = queue_settings_from_json(json());
  ASSERT_TRUE(settings.ok());
  EXPECT_EQ(settings->workers, 8u);
  EXPECT_EQ(settings->retry.max_attempts, 5);
  EXPECT_EQ(settings->durability, queue::Durability::full);
  EXPECT_EQ(settings->worker_nice, 10);
}

TEST(QueueSettings, EveryKeyIsRead) {
  auto settings = queue_settings_from_json(json{{"workers", 4},
                                                {"lease_batch", 16},
                                                {"visibility_timeout_ms", 5000},
                                                {"max_attempts", 3},
                                                {"backoff_base_ms", 100},
                                                {"backoff_cap_ms", 800},
                                                {"dedupe_window_s", 60},
                                                {"durability", "normal"},
                                                {"worker_nice", 0}});
  ASSERT_TRUE(settings.ok()) << settings.error().to_string();
  EXPECT_EQ(settings->workers, 4u);
  EXPECT_EQ(settings->lease_batch, 16u);
  EXPECT_EQ(settings->visibility_timeout.count(), 5000);
  EXPECT_EQ(settings->retry.max_attempts, 3);
  EXPECT_EQ(settings->retry.base.count(), 100);
  EXPECT_EQ(settings->retry.cap.count(), 800);
  EXPECT_EQ(settings->dedupe_window.count(), 60000);
  EXPECT_EQ(settings->durability, queue::Durability::normal);
  EXPECT_EQ(settings->worker_nice, 0);
}

TEST(QueueSettings, ErrorsNameTheKey) {
  struct Case { json section; const char* code; const char* key; };
  const Case cases[] = {
      {json{{"workerz", 1}}, "queue.unknown_key", "queue.workerz"},
      {json{{"workers", "two"}}, "queue.bad_type", "queue.workers"},
      {json{{"workers", 0}}, "queue.bad_value", "queue.workers"},
      {json{{"max_attempts", 1000}}, "queue.bad_value", "queue.max_attempts"},
      {json{{"durability", "fsync"}}, "queue.bad_value", "queue.durability"},
      {json{{"worker_nice", 20}}, "queue.bad_value", "queue.worker_nice"},
      {json{{"worker_nice", -5}}, "queue.bad_value", "queue.worker_nice"},
      {json{{"backoff_base_ms", 500}, {"backoff_cap_ms", 100}}, "queue.bad_value", "queue.backoff_cap_ms"},
      {json::array(), "queue.bad_type", "queue"},
  };
  for (const auto& c : cases) {
    auto settings = queue_settings_from_json(c.section);
    ASSERT_FALSE(settings.ok()) << c.section.dump();
    EXPECT_EQ(settings.error().code, c.code) << c.section.dump();
    EXPECT_NE(settings.error().message.find(c.key), std::string::npos) << settings.error().message;
  }
}

}  // namespace
}  // namespace fixgate::service
