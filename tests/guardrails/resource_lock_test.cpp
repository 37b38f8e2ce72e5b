#include "guardrails/resource_lock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace fixgate::guardrails {
namespace {

using namespace std::chrono_literals;

TEST(ResourceLocks, SecondLockOnSameArnTimesOutOtherArnIsFree) {
  ResourceLocks locks;
  auto first = locks.try_lock("arn:aws:s3:::a", 0ms);
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(locks.try_lock("arn:aws:s3:::a", 10ms).has_value());
  EXPECT_TRUE(locks.try_lock("arn:aws:s3:::b", 0ms).has_value());
}

TEST(ResourceLocks, GuardReleasesOnDestructionAndMove) {
  ResourceLocks locks;
  {
    auto guard = locks.try_lock("k", 0ms);
    ASSERT_TRUE(guard.has_value());
    std::optional<ResourceLockGuard> moved(std::move(*guard));
    guard.reset();  // the moved-from guard must not release
    EXPECT_TRUE(locks.is_locked("k"));
  }
  EXPECT_FALSE(locks.is_locked("k"));
  EXPECT_TRUE(locks.try_lock("k", 0ms).has_value());
}

TEST(ResourceLocks, WaiterGetsTheLockWhenHolderReleases) {
  ResourceLocks locks;
  auto held = std::make_optional(*locks.try_lock("k", 0ms));
  std::atomic<bool> acquired{false};
  std::thread waiter([&] { acquired = locks.try_lock("k", 5s).has_value(); });
  std::this_thread::sleep_for(20ms);
  held.reset();
  waiter.join();
  EXPECT_TRUE(acquired);
}

TEST(ResourceLocks, MutualExclusionUnderContention) {
  ResourceLocks locks;
  int inside = 0;
  int max_inside = 0;
  int entries = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto guard = locks.try_lock("arn", 5s);
        if (!guard) continue;
        ++inside;  // only safe because the lock excludes the others
        max_inside = std::max(max_inside, inside);
        ++entries;
        --inside;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(max_inside, 1);
  EXPECT_EQ(entries, 800);
}

}  // namespace
}  // namespace fixgate::guardrails
