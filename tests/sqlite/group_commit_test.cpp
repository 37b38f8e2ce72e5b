#include "sqlite/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

namespace fixgate::sqlite {
namespace {

struct Write {
  int value = 0;
  int committed_in = -1;  // which commit carried it
};

TEST(GroupCommit, LoneCallerCommitsAtOnce) {
  GroupCommit<Write> group;
  Write w{7};
  int commits = 0;
  group.submit(w, [&](const std::vector<Write*>& batch) {
    ASSERT_EQ(batch.size(), 1u);
    batch[0]->committed_in = commits++;
  });
  EXPECT_EQ(w.committed_in, 0);
  EXPECT_EQ(commits, 1);
}

TEST(GroupCommit, ConcurrentCallersShareCommitsAndEachIsCommittedOnceBeforeReturning) {
  GroupCommit<Write> group;
  constexpr int kThreads = 16;
  constexpr int kPerThread = 50;
  std::atomic<int> commits{0};
  std::atomic<bool> inside{false};
  std::vector<std::vector<Write>> writes(kThreads, std::vector<Write>(kPerThread));
  std::vector<std::thread> threads;
  std::atomic<int> overlapping{0};
  std::atomic<int> returned_uncommitted{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Write& w = writes[t][i];
        w.value = t * kPerThread + i;
        group.submit(w, [&](const std::vector<Write*>& batch) {
          if (inside.exchange(true)) ++overlapping;  // commits must never run side by side
          const int id = commits++;
          // A slow commit (an fsync) is what lets later callers pile up.
          std::this_thread::sleep_for(std::chrono::microseconds(500));
          for (Write* item : batch) item->committed_in = id;
          inside.store(false);
        });
        if (w.committed_in < 0) ++returned_uncommitted;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(overlapping.load(), 0);
  EXPECT_EQ(returned_uncommitted.load(), 0);
  std::set<int> values;
  for (const auto& per_thread : writes) {
    for (const Write& w : per_thread) values.insert(w.value);
  }
  EXPECT_EQ(values.size(), static_cast<size_t>(kThreads * kPerThread));
  // Sixteen callers and a slow commit: far fewer commits than writes.
  EXPECT_LT(commits.load(), kThreads * kPerThread / 2);
  EXPECT_GE(commits.load(), kPerThread);  // one caller's writes are sequential
}

// One caller's batch rides in a single commit, mixed with others' writes, and
// the call returns only once every one of its items is committed.
TEST(GroupCommit, SubmitAllCommitsACallersItemsTogether) {
  GroupCommit<Write> group;
  constexpr int kThreads = 8;
  constexpr int kItems = 20;
  std::atomic<int> commits{0};
  std::atomic<int> split_batches{0};
  std::atomic<int> returned_uncommitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 10; ++round) {
        std::vector<Write> writes(kItems);
        std::vector<Write*> items;
        for (Write& w : writes) items.push_back(&w);
        group.submit_all(std::span<Write* const>(items), [&](const std::vector<Write*>& batch) {
          const int id = commits++;
          std::this_thread::sleep_for(std::chrono::microseconds(300));
          for (Write* item : batch) item->committed_in = id;
        });
        for (const Write& w : writes) {
          if (w.committed_in < 0) ++returned_uncommitted;
          if (w.committed_in != writes.front().committed_in) ++split_batches;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(returned_uncommitted.load(), 0);
  EXPECT_EQ(split_batches.load(), 0);
  EXPECT_LT(commits.load(), kThreads * 10);  // callers shared commits

  int untouched = 0;
  group.submit_all(std::span<Write* const>(), [&](const std::vector<Write*>&) { ++untouched; });
  EXPECT_EQ(untouched, 0) << "an empty batch commits nothing";
}

}  // namespace
}  // namespace fixgate::sqlite
