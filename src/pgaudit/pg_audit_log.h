// The shared audit store for distributed mode: one hash chain in PostgreSQL
// that any number of worker processes append to.
//
// Appends serialise in the database: each one takes a transaction-scoped
// advisory lock keyed by the audit table, reads the head inside it and inserts
// seq head+1 onwards, so the chain stays linear and gapless across processes
// (a writer that skips the lock still cannot fork it: seq is the primary key
// and an insert trigger refuses any row that does not extend the head by one).
// Within a process, concurrent appends share one such transaction (group
// commit, as SqliteAuditLog does), so many threads pay one WAL flush per round.
// UPDATE, DELETE and TRUNCATE are refused by triggers; verify() warns when
// they are missing, disabled or altered, and still catches edits made by
// someone who removed them.
//
// Record times come from the PostgreSQL server's clock, read under the append
// lock, so they follow seq order whichever worker wrote a record.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "audit/audit_log.h"

namespace fixgate::pgaudit {

struct PgAuditOptions {
  // nullptr: the server's clock. A clock here (tests) must outlive the log.
  const audit::Clock* clock = nullptr;
  bool read_only = false;      // verify/show/export only; never creates the schema
  size_t max_connections = 4;  // per log; appends use one at a time (group commit)
  int connect_timeout_seconds = 10;
};

class PgAuditLog final : public audit::AuditSink {
 public:
  // Connects with a libpq conninfo ("postgresql://user@host/db?sslmode=require"
  // or "host=... dbname=..."); passwords may also come from PGPASSWORD or a
  // .pgpass file. Creates the schema when absent (unless read_only: then
  // "audit.open", no audit log). Fails with "audit.postgres" (libpq's message,
  // password scrubbed) when the server cannot be reached, "audit.open" when the
  // database holds an audit log of an unknown schema version.
  static Result<std::unique_ptr<PgAuditLog>> open(const std::string& conninfo, PgAuditOptions options = {});

  ~PgAuditLog() override;
  PgAuditLog(const PgAuditLog&) = delete;
  PgAuditLog& operator=(const PgAuditLog&) = delete;

  // All four are safe from any number of threads. Errors: "audit.postgres"
  // (connection or query failed; nothing of a failed append is written),
  // "audit.invalid_entry", "audit.read_only".
  using AuditSink::verify;
  Result<audit::AuditRecord> append(const audit::AuditEntry& entry) override;
  Result<std::vector<audit::AuditRecord>> append_batch(
      const std::vector<audit::AuditEntry>& entries) override;
  Result<audit::VerifyReport> verify(const audit::VerifyOptions& options) override;
  Result<std::vector<audit::AuditRecord>> read(const audit::AuditQuery& query) override;

  // The conninfo with its password replaced by "***": safe to show.
  const std::string& location() const;

 private:
  struct Impl;
  explicit PgAuditLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fixgate::pgaudit
