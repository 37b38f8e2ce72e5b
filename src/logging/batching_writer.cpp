#include "logging/batching_writer.h"

#include <unistd.h>

#include <cerrno>

namespace fixgate::logging {

BatchingWriter::BatchingWriter(int fd, std::chrono::milliseconds max_delay, size_t flush_bytes)
    : fd_(fd), max_delay_(max_delay), flush_bytes_(flush_bytes) {
  thread_ = std::thread([this] { run(); });
}

BatchingWriter::~BatchingWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_writer_.notify_one();
  thread_.join();
}

Writer BatchingWriter::writer() {
  return [this](std::string_view line) { append(line); };
}

void BatchingWriter::append(std::string_view line) {
  std::unique_lock lock(mutex_);
  written_.wait(lock, [this] { return pending_.size() < 64 * flush_bytes_ || stopping_; });
  const bool was_empty = pending_.empty();
  pending_.append(line);
  pending_.push_back('\n');
  // The first line starts the delay clock; a full batch goes at once.
  if (was_empty || pending_.size() >= flush_bytes_) wake_writer_.notify_one();
}

void BatchingWriter::flush() {
  std::unique_lock lock(mutex_);
  if (pending_.empty() && written_batches_ == appended_batches_) return;
  const unsigned long long target = appended_batches_ + (pending_.empty() ? 0 : 1);
  flush_requested_ = true;
  wake_writer_.notify_one();
  written_.wait(lock, [&] { return written_batches_ >= target; });
}

void BatchingWriter::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_writer_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping with nothing left
    if (!stopping_ && pending_.size() < flush_bytes_) {
      // Wait out the delay so the lines logged meanwhile share the write
      // (a flush() or a full batch cuts it short).
      wake_writer_.wait_for(lock, max_delay_,
                            [this] { return stopping_ || flush_requested_ || pending_.size() >= flush_bytes_; });
    }
    flush_requested_ = false;
    std::string chunk;
    chunk.swap(pending_);
    ++appended_batches_;
    lock.unlock();
    write_out(chunk);
    lock.lock();
    ++written_batches_;
    written_.notify_all();
  }
}

void BatchingWriter::write_out(const std::string& chunk) const {
  size_t done = 0;
  while (done < chunk.size()) {
    const ssize_t n = ::write(fd_, chunk.data() + done, chunk.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the log's reader is gone; nothing better to do with the lines
    done += static_cast<size_t>(n);
  }
}

}  // namespace fixgate::logging
