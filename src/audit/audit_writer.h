// Group commit for the audit log.
//
// Callers enqueue entries from any thread; one background thread appends them
// to the sink in batches (append_batch: one transaction, one fsync) and then
// tells each caller its record, so every acknowledgement means "durable". A
// batch is committed when it holds max_batch entries or when its oldest entry
// has waited max_delay, whichever comes first; while one commit runs the next
// batch fills, so throughput grows with load while latency stays bounded.
//
// The writer is itself an AuditSink: code written against AuditSink& gets group
// commit by being handed a writer instead of the store.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "audit/audit_log.h"

namespace fixgate::audit {

struct AuditWriterOptions {
  size_t max_batch = 1024;
  std::chrono::microseconds max_delay{2000};
  // submit() blocks while this many entries wait, so a stalled disk slows
  // producers down instead of growing memory without bound.
  size_t max_pending = 65536;
};

class AuditWriter final : public AuditSink {
 public:
  using Callback = std::function<void(Result<AuditRecord>)>;

  // `sink` must outlive the writer. Starts the background thread.
  explicit AuditWriter(AuditSink& sink, AuditWriterOptions options = {});
  // Commits everything still queued, then stops (see close()).
  ~AuditWriter() override;
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;

  // The future holds the durable record, or the error that kept it from being
  // written: "audit.invalid_entry" (checked here, so one bad entry never fails
  // a batch of good ones), the sink's error for the whole batch, or
  // "audit.writer_closed" after close().
  std::future<Result<AuditRecord>> submit(AuditEntry entry);
  // Same, but `done` runs on the writer thread once the outcome is known; it
  // must be quick and must not call back into this writer.
  void submit(AuditEntry entry, Callback done);

  // Commits what is queued, stops the thread and fails later submits. Idempotent.
  void close();

  // AuditSink: append() submits and waits for the durable record. append_batch()
  // goes straight to the sink as one commit (it is already a batch); verify()
  // and read() see what the sink has committed.
  using AuditSink::verify;
  Result<AuditRecord> append(const AuditEntry& entry) override { return submit(entry).get(); }
  Result<std::vector<AuditRecord>> append_batch(const std::vector<AuditEntry>& entries) override {
    return sink_.append_batch(entries);
  }
  Result<VerifyReport> verify(const VerifyOptions& options) override { return sink_.verify(options); }
  Result<std::vector<AuditRecord>> read(const AuditQuery& query) override { return sink_.read(query); }

 private:
  struct Pending {
    AuditEntry entry;
    Callback done;
    std::chrono::steady_clock::time_point queued_at;
  };
  void run();
  void commit(std::deque<Pending>& batch);

  AuditSink& sink_;
  const AuditWriterOptions options_;
  std::mutex mutex_;
  std::condition_variable work_;   // the writer waits for entries
  std::condition_variable space_;  // producers wait for room
  std::deque<Pending> queue_;      // guarded by mutex_
  bool closing_ = false;           // guarded by mutex_
  std::mutex join_mutex_;           // serialises close() callers around join()
  std::thread thread_;
};

}  // namespace fixgate::audit
