#include "audit/audit_writer.h"

#include <algorithm>
#include <exception>
#include <memory>

namespace fixgate::audit {
namespace {

void deliver(const AuditWriter::Callback& done, Result<AuditRecord> result) {
  // A throwing callback must not take the writer thread (and every later
  // caller's acknowledgement) down with it.
  try {
    done(std::move(result));
  } catch (...) {
  }
}

}  // namespace

AuditWriter::AuditWriter(AuditSink& sink, AuditWriterOptions options)
    : sink_(sink), options_(options), thread_([this] { run(); }) {}

AuditWriter::~AuditWriter() { close(); }

std::future<Result<AuditRecord>> AuditWriter::submit(AuditEntry entry) {
  auto promise = std::make_shared<std::promise<Result<AuditRecord>>>();
  auto future = promise->get_future();
  submit(std::move(entry), [promise](Result<AuditRecord> result) { promise->set_value(std::move(result)); });
  return future;
}

void AuditWriter::submit(AuditEntry entry, Callback done) {
  if (auto valid = validate_entry(entry); !valid) {
    deliver(done, valid.error());
    return;
  }
  std::unique_lock lock(mutex_);
  space_.wait(lock, [this] { return closing_ || queue_.size() < options_.max_pending; });
  if (closing_) {
    lock.unlock();
    deliver(done, make_error("audit.writer_closed", "the audit writer is closed; the record was not written"));
    return;
  }
  queue_.push_back(Pending{std::move(entry), std::move(done), std::chrono::steady_clock::now()});
  if (queue_.size() == 1 || queue_.size() >= options_.max_batch) work_.notify_one();
}

void AuditWriter::close() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  work_.notify_all();
  space_.notify_all();
  std::lock_guard join(join_mutex_);
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void AuditWriter::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    work_.wait(lock, [this] { return closing_ || !queue_.empty(); });
    if (queue_.empty()) return;  // closing and drained
    const auto deadline = queue_.front().queued_at + options_.max_delay;
    work_.wait_until(lock, deadline, [this] { return closing_ || queue_.size() >= options_.max_batch; });
    std::deque<Pending> batch;
    const size_t take = std::min(queue_.size(), options_.max_batch);
    for (size_t i = 0; i < take; ++i) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    space_.notify_all();
    commit(batch);
    lock.lock();
  }
}

void AuditWriter::commit(std::deque<Pending>& batch) {
  std::vector<AuditEntry> entries;
  entries.reserve(batch.size());
  for (Pending& p : batch) entries.push_back(std::move(p.entry));
  auto records = sink_.append_batch(entries);
  for (size_t i = 0; i < batch.size(); ++i) {
    if (records) {
      deliver(batch[i].done, std::move((*records)[i]));
    } else {
      deliver(batch[i].done, records.error());
    }
  }
}

}  // namespace fixgate::audit
