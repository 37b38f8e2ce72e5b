// An AuditSink held in memory, for tests of components that write audit
// records. Same chain and validation rules as the SQLite store; nothing is
// durable. Thread-safe.
#pragma once

#include <mutex>
#include <vector>

#include "audit/audit_log.h"

namespace fixgate::audit {

class MemoryAuditLog final : public AuditSink {
 public:
  explicit MemoryAuditLog(const Clock& clock = system_clock()) : clock_(clock) {}

  using AuditSink::verify;
  Result<AuditRecord> append(const AuditEntry& entry) override;
  Result<std::vector<AuditRecord>> append_batch(const std::vector<AuditEntry>& entries) override;
  Result<VerifyReport> verify(const VerifyOptions& options) override;
  Result<std::vector<AuditRecord>> read(const AuditQuery& query) override;

  // Direct access to the stored records, so tests can tamper with them.
  std::vector<AuditRecord>& records_for_test() { return records_; }

 private:
  const Clock& clock_;
  std::mutex mutex_;
  std::vector<AuditRecord> records_;
};

}  // namespace fixgate::audit
