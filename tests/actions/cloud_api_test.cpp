#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "actions/cloud_api.h"
#include "actions/rollback_store.h"
#include "fake_cloud.h"

namespace fixgate::actions {
namespace {

TEST(RetryingCloudApi, RetriesOnlyRetryableErrorsWithGrowingCappedDelay) {
  testing::FakeCloud cloud;
  cloud.kms_rotation["k"] = false;
  std::vector<std::chrono::milliseconds> slept;
  RetryingCloudApi api(cloud, {.max_attempts = 5, .base_delay = std::chrono::milliseconds(100), .max_delay = std::chrono::milliseconds(250)},
                       [&](std::chrono::milliseconds d) { slept.push_back(d); });
  cloud.fail_next("EnableKeyRotation", "ThrottlingException", 3);
  ASSERT_TRUE(api.call({"kms", "EnableKeyRotation", {{"KeyId", "k"}}}).ok());
  EXPECT_EQ(api.retries(), 3);
  EXPECT_EQ(slept, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(100), std::chrono::milliseconds(200),
                                                          std::chrono::milliseconds(250)}));
  cloud.fail_next("EnableKeyRotation", "AccessDeniedException", 1);
  auto denied = api.call({"kms", "EnableKeyRotation", {{"KeyId", "k"}}});
  EXPECT_EQ(denied.error().code, "aws.AccessDeniedException");
  EXPECT_EQ(api.retries(), 3);
}

TEST(RetryingCloudApi, GivesUpAfterMaxAttempts) {
  testing::FakeCloud cloud;
  cloud.kms_rotation["k"] = false;
  RetryingCloudApi api(cloud, {.max_attempts = 3}, [](std::chrono::milliseconds) {});
  cloud.fail_next("GetKeyRotationStatus", "Throttling", 10);
  auto result = api.call({"kms", "GetKeyRotationStatus", {{"KeyId", "k"}}});
  EXPECT_EQ(result.error().code, "aws.Throttling");
  EXPECT_EQ(cloud.calls("GetKeyRotationStatus"), 3);
}

TEST(ErrorCodes, AwsCodeRoundTrips) {
  EXPECT_EQ(aws_error_code(aws_error("NoSuchBucket", "x")), "NoSuchBucket");
  EXPECT_EQ(aws_error_code(make_error("actions.bad_resource", "x")), "");
  EXPECT_TRUE(is_retryable(aws_error("RequestLimitExceeded", "")));
  EXPECT_TRUE(is_retryable(aws_error("SlowDown", "")));
  EXPECT_FALSE(is_retryable(aws_error("AccessDenied", "")));
}

TEST(FileRollbackStore, PersistsAcrossInstancesAndRejectsPathTricks) {
  const auto dir = std::filesystem::temp_directory_path() / ("fixgate-rollback-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  RollbackRecord record;
  record.action_id = "act-0123456789abcdef";
  record.action = "aws.kms.enable_key_rotation";
  record.correlation_id = "c";
  record.finding_id = "f";
  record.resource_arn = "arn:aws:kms:us-east-1:111111111111:key/k";
  record.resource_type = "AWS::KMS::Key";
  record.prior_state = {{"KeyId", "k"}, {"KeyRotationEnabled", false}};
  record.status = "applied";
  {
    FileRollbackStore store(dir.string());
    ASSERT_TRUE(store.put(record).ok());
  }
  FileRollbackStore again(dir.string());
  auto loaded = again.get("act-0123456789abcdef");
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  EXPECT_EQ(loaded->to_json(), record.to_json());
  EXPECT_EQ(loaded->target().resource_key(), record.resource_arn);
  EXPECT_EQ(again.get("../../etc/passwd").error().code, "actions.bad_action_id");
  EXPECT_EQ(again.get("act-ffffffffffffffff").error().code, "actions.rollback_not_found");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace fixgate::actions
