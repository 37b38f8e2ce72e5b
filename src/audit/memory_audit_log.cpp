#include "audit/memory_audit_log.h"

#include <algorithm>

namespace fixgate::audit {

Result<AuditRecord> MemoryAuditLog::append(const AuditEntry& entry) {
  auto records = append_batch(std::vector<AuditEntry>{entry});
  if (!records) return records.error();
  return std::move(records->front());
}

Result<std::vector<AuditRecord>> MemoryAuditLog::append_batch(const std::vector<AuditEntry>& entries) {
  std::vector<AuditRecord> out(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    if (auto valid = validate_entry(entries[i]); !valid) return valid.error();
    auto body = canonical_body(entries[i].body);
    if (!body) return body.error();
    out[i].kind = entries[i].kind;
    out[i].correlation_id = entries[i].correlation_id;
    out[i].finding_id = entries[i].finding_id;
    out[i].actor = entries[i].actor;
    out[i].body = std::move(body).value();
  }
  std::lock_guard lock(mutex_);
  const std::string time = format_time(clock_.now());
  int64_t seq = records_.empty() ? 0 : records_.back().seq;
  std::string prev = records_.empty() ? std::string(kGenesisHash) : records_.back().hash;
  for (AuditRecord& r : out) {
    r.seq = ++seq;
    r.time = time;
    r.prev_hash = prev;
    r.hash = record_hash(r);
    prev = r.hash;
    records_.push_back(r);
  }
  return out;
}

Result<VerifyReport> MemoryAuditLog::verify(const VerifyOptions& options) {
  std::lock_guard lock(mutex_);
  ChainVerifier verifier(options);
  for (const AuditRecord& r : records_) {
    if (!verifier.feed(r)) break;
  }
  return verifier.finish();
}

Result<std::vector<AuditRecord>> MemoryAuditLog::read(const AuditQuery& query) {
  std::lock_guard lock(mutex_);
  std::vector<AuditRecord> out;
  auto matches = [&](const AuditRecord& r) {
    return r.seq > query.after_seq && (query.before_seq <= 0 || r.seq < query.before_seq) &&
           (!query.correlation_id || r.correlation_id == *query.correlation_id) &&
           (!query.finding_id || r.finding_id == *query.finding_id) && (!query.kind || r.kind == *query.kind);
  };
  auto take = [&](const AuditRecord& r) {
    if (matches(r)) out.push_back(r);
    return query.limit > 0 && out.size() >= query.limit;
  };
  if (query.newest_first) {
    for (auto it = records_.rbegin(); it != records_.rend(); ++it) {
      if (take(*it)) break;
    }
  } else {
    for (const AuditRecord& r : records_) {
      if (take(r)) break;
    }
  }
  return out;
}

}  // namespace fixgate::audit
