// The batching log writer: every line arrives whole, once, in each thread's
// order; flush() and the destructor leave nothing behind; a quiet writer still
// gets its line out without a flush.
#include "logging/batching_writer.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace fixgate::logging {
namespace {

class BatchingWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "fixgate-log-XXXXXX").string();
    fd_ = ::mkstemp(pattern.data());
    ASSERT_GE(fd_, 0);
    path_ = pattern;
  }
  void TearDown() override {
    ::close(fd_);
    std::filesystem::remove(path_);
  }
  std::vector<std::string> lines() const {
    std::ifstream in(path_);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  int fd_ = -1;
  std::string path_;
};

TEST_F(BatchingWriterTest, ConcurrentLinesArriveWholeOnceAndInEachThreadsOrder) {
  constexpr int kThreads = 8;
  constexpr int kLines = 2000;
  {
    BatchingWriter batching(fd_, std::chrono::milliseconds(5), 4096);  // small batches: many writes
    Writer write = batching.writer();
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kLines; ++i) write("{\"thread\":" + std::to_string(t) + ",\"n\":" + std::to_string(i) + "}");
      });
    }
    for (auto& thread : threads) thread.join();
  }  // the destructor writes what is left
  const auto written = lines();
  ASSERT_EQ(written.size(), static_cast<size_t>(kThreads * kLines));
  std::map<int, int> next;
  for (const std::string& line : written) {
    int thread = -1, n = -1;
    ASSERT_EQ(std::sscanf(line.c_str(), "{\"thread\":%d,\"n\":%d}", &thread, &n), 2) << line;
    EXPECT_EQ(n, next[thread]) << "thread " << thread << " out of order";
    next[thread] = n + 1;
  }
}

TEST_F(BatchingWriterTest, FlushWritesEverythingLoggedBeforeIt) {
  BatchingWriter batching(fd_, std::chrono::hours(1));  // only flush() can get the lines out
  Writer write = batching.writer();
  write("first");
  write("second");
  batching.flush();
  EXPECT_EQ(lines(), (std::vector<std::string>{"first", "second"}));
  batching.flush();  // nothing pending: returns at once
  EXPECT_EQ(lines().size(), 2u);
}

TEST_F(BatchingWriterTest, ALoneLineIsWrittenAfterTheDelayWithoutAFlush) {
  BatchingWriter batching(fd_, std::chrono::milliseconds(20));
  batching.writer()("lonely");
  for (int i = 0; i < 1000 && lines().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(lines(), (std::vector<std::string>{"lonely"}));
}

}  // namespace
}  // namespace fixgate::logging
