// A log Writer for busy processes: lines from any number of threads are
// collected in memory and written to a file descriptor in batches by one
// thread, at most `max_delay` after they were logged.
//
// Why: `fixgate serve` logs a line per request and per finding. Written one
// by one, each line is a write() on stderr, and on a virtual machine a system
// call costs about as much as the rest of the request. Batched, thousands of
// lines share one. The price: a process killed with SIGKILL loses the lines
// of its last max_delay (the audit log, not the log, is the record of what
// fixgate decided and did).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "logging/logger.h"

namespace fixgate::logging {

class BatchingWriter {
 public:
  // `fd` stays open and owned by the caller (e.g. STDERR_FILENO).
  explicit BatchingWriter(int fd, std::chrono::milliseconds max_delay = std::chrono::milliseconds(50),
                          size_t flush_bytes = 64 * 1024);
  // Writes everything still collected, then stops the writing thread.
  ~BatchingWriter();
  BatchingWriter(const BatchingWriter&) = delete;
  BatchingWriter& operator=(const BatchingWriter&) = delete;

  // Appends each line and a newline. Lines are never split or interleaved.
  // While more than 64 × flush_bytes wait (the descriptor is not draining),
  // callers wait too, as they would on a blocking write().
  Writer writer();

  // Returns once every line appended before the call has been written.
  void flush();

 private:
  void append(std::string_view line);
  void run();
  void write_out(const std::string& chunk) const;

  const int fd_;
  const std::chrono::milliseconds max_delay_;
  const size_t flush_bytes_;
  std::mutex mutex_;
  std::condition_variable wake_writer_;
  std::condition_variable written_;
  std::string pending_;
  unsigned long long appended_batches_ = 0;  // batches handed to the writing thread
  unsigned long long written_batches_ = 0;   // of which written
  bool flush_requested_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace fixgate::logging
