// The embedded audit store: one SQLite file in WAL mode.
//
// The records table is guarded by triggers that RAISE on UPDATE and DELETE, so
// the log is append-only through SQLite; verify() still catches edits made by
// someone who drops the triggers or edits the file directly, and warns when the
// triggers are missing.
//
// Several processes may append to the same file: each append takes SQLite's
// write lock (BEGIN IMMEDIATE) and reads the head inside it, so the chain stays
// gapless. Within a process, one SqliteAuditLog serves any number of threads.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "audit/audit_log.h"

namespace fixgate::audit {

// How far a commit goes before append() returns.
enum class Durability {
  // synchronous=FULL: the WAL is fsynced at every commit, so an acknowledged
  // record survives power loss as well as a crash. The default: audit evidence
  // is worth one fsync per commit. Concurrent append()/append_batch() calls
  // share one commit (group commit inside the log), so N workers pay about one
  // fsync per round, not N; AuditWriter batches further with a timer.
  full,
  // synchronous=NORMAL: in WAL mode a commit survives a process crash but the
  // last commits may roll back on power loss. Only for tests and benchmarks.
  normal,
};

struct SqliteAuditOptions {
  const Clock* clock = nullptr;  // nullptr: system_clock(). Must outlive the log.
  Durability durability = Durability::full;
  int busy_timeout_ms = 10000;   // how long to wait for another process's write lock
  bool read_only = false;        // open an existing log for verify/show/export only
};

class SqliteAuditLog final : public AuditSink {
 public:
  // Opens the log at `path`, creating the file and schema when absent (unless
  // read_only, which fails with "audit.open" when there is no log). Fails with
  // "audit.open" when the file is not an audit log of a known schema version.
  static Result<std::unique_ptr<SqliteAuditLog>> open(const std::string& path, SqliteAuditOptions options = {});

  ~SqliteAuditLog() override;
  SqliteAuditLog(const SqliteAuditLog&) = delete;
  SqliteAuditLog& operator=(const SqliteAuditLog&) = delete;

  using AuditSink::verify;
  Result<AuditRecord> append(const AuditEntry& entry) override;
  Result<std::vector<AuditRecord>> append_batch(const std::vector<AuditEntry>& entries) override;
  Result<VerifyReport> verify(const VerifyOptions& options) override;
  Result<std::vector<AuditRecord>> read(const AuditQuery& query) override;

  const std::string& path() const { return path_; }

 private:
  struct Impl;
  // One caller's records waiting for the next group commit.
  struct PendingAppend {
    std::vector<AuditRecord>* records;
    std::optional<Error> error;  // set when the commit failed
  };
  SqliteAuditLog(std::string path, std::unique_ptr<Impl> impl);
  void commit_appends(const std::vector<PendingAppend*>& batch);
  std::string path_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fixgate::audit
