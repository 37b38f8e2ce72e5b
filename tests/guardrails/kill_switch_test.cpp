#include "guardrails/kill_switch.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace fixgate::guardrails {
namespace {

std::filesystem::path temp_file_path() {
  return std::filesystem::temp_directory_path() / ("fixgate-kill-" + std::to_string(::getpid()) + "-" +
                                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
}

TEST(KillSwitch, DisengagedByDefault) {
  KillSwitch sw;
  EXPECT_FALSE(sw.engaged().has_value());
}

TEST(KillSwitch, FlagEngagesAndReleases) {
  KillSwitch sw(true);
  ASSERT_TRUE(sw.engaged().has_value());
  EXPECT_NE(sw.engaged()->find("configuration"), std::string::npos);
  sw.set_engaged(false);
  EXPECT_FALSE(sw.engaged().has_value());
}

TEST(KillSwitch, FileIsCheckedAtEveryCall) {
  const auto path = temp_file_path();
  std::filesystem::remove(path);
  KillSwitch sw(false, path.string());
  EXPECT_FALSE(sw.engaged().has_value());
  std::ofstream(path) << "stop\n";
  ASSERT_TRUE(sw.engaged().has_value());
  EXPECT_NE(sw.engaged()->find(path.string()), std::string::npos);
  std::filesystem::remove(path);
  EXPECT_FALSE(sw.engaged().has_value());
}

}  // namespace
}  // namespace fixgate::guardrails
