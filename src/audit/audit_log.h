// The audit log: append-only, hash-chained evidence of every decision and action.
//
// Each record carries the SHA-256 of its own canonical serialisation and the hash
// of the record before it (64 zeros for seq 1), so editing, deleting, reordering
// or inserting any record breaks the chain at a point verify() can name. There is
// no secret key: a writer who rewrites the whole chain from some point onwards is
// only caught against a head hash kept elsewhere (VerifyOptions::anchor).
//
// AuditSink is the seam: SqliteAuditLog (sqlite_audit_log.h) is the embedded
// store, MemoryAuditLog (memory_audit_log.h) a test double, and a PostgreSQL
// store can implement the same four calls reusing ChainVerifier.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace fixgate::audit {

// Where record times come from; replaceable so tests get fixed times.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point now() const = 0;
};

// The wall clock. Thread-safe; lives for the whole program.
const Clock& system_clock();

inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// What a caller asks to record. kind: lower-case word such as "decision",
// "action_intent", "action_result", "approval", "exception", "notification",
// "rejection". body: a JSON object holding the full evidence.
struct AuditEntry {
  std::string kind;
  std::string correlation_id;
  std::string finding_id;
  std::string actor;
  nlohmann::json body = nlohmann::json::object();
};

// A record as stored. body is the canonical JSON text the hash covers.
struct AuditRecord {
  int64_t seq = 0;
  std::string time;  // RFC 3339 UTC with milliseconds, e.g. 2026-11-25T12:01:50.123Z
  std::string kind;
  std::string correlation_id;
  std::string finding_id;
  std::string actor;
  std::string body;
  std::string prev_hash;
  std::string hash;
};

// Which records read() returns. Unset filters match everything; records come
// in seq order (descending when newest_first), at most `limit` of them (0: no
// limit), and only those with seq > after_seq and, when before_seq > 0, seq < before_seq.
struct AuditQuery {
  std::optional<std::string> correlation_id;
  std::optional<std::string> finding_id;
  std::optional<std::string> kind;
  int64_t after_seq = 0;
  int64_t before_seq = 0;
  size_t limit = 100;
  bool newest_first = false;
};

enum class BreakKind {
  hash_mismatch,       // a record's content no longer matches its hash: edited
  seq_gap,             // a seq number is missing or repeated: deleted
  prev_hash_mismatch,  // a record does not link to the one before: reordered, inserted or rewritten
  anchor_mismatch,     // the log disagrees with a head hash known from elsewhere: truncated or rewritten
};
const char* to_string(BreakKind kind);

struct ChainBreak {
  int64_t seq = 0;        // the first record (or missing seq) where the chain is broken
  BreakKind kind = BreakKind::hash_mismatch;
  std::string message;    // one line for a user, naming the seq and what is wrong
};

// A seq and the hash its record must have, taken from an earlier verify or export.
struct Anchor {
  int64_t seq = 0;
  std::string hash;
};

struct VerifyOptions {
  std::optional<Anchor> anchor;
};

struct VerifyReport {
  bool ok() const { return !first_break.has_value(); }
  int64_t records = 0;     // records checked and found intact before any break
  std::string head_hash;   // hash of the last intact record (kGenesisHash when none)
  std::optional<ChainBreak> first_break;
  std::vector<std::string> warnings;  // e.g. the append-only triggers are missing
};

// Checks `entry` before it is written. Errors ("audit.invalid_entry") name the field.
Result<void> validate_entry(const AuditEntry& entry);

// Canonical JSON of a body: keys sorted, no whitespace, UTF-8. Fails
// ("audit.invalid_entry") when the body is not an object or holds invalid UTF-8.
Result<std::string> canonical_body(const nlohmann::json& body);

// SHA-256 (lower-case hex) over the canonical serialisation of every field but
// `hash`: "fixgate.audit.v1" followed, for seq, time, kind, correlation_id,
// finding_id, actor, body, prev_hash in that order, by "<byte length>:<bytes>,".
// Length prefixes make the split between fields unambiguous.
std::string record_hash(const AuditRecord& record);

// RFC 3339 UTC with milliseconds.
std::string format_time(std::chrono::system_clock::time_point time);

// Walks records in seq order and stops at the first broken link. Every sink's
// verify() feeds it; it holds O(1) state, so logs of any length stream through.
class ChainVerifier {
 public:
  explicit ChainVerifier(VerifyOptions options = {}) : options_(std::move(options)) {}
  // Returns false once the chain is broken; later records are ignored.
  bool feed(const AuditRecord& record);
  // The verdict after the last record, including the anchor check.
  VerifyReport finish();

 private:
  VerifyOptions options_;
  VerifyReport report_;
  std::string prev_hash_{kGenesisHash};
  bool anchor_seen_ = false;
};

// A store of audit records. Implementations are safe to call from many threads.
class AuditSink {
 public:
  virtual ~AuditSink() = default;

  // Writes one record after the current head and returns it with seq, time and
  // hashes filled in. Returns only once the record is durable.
  virtual Result<AuditRecord> append(const AuditEntry& entry) = 0;
  // Writes all entries as consecutive records in one atomic commit: either every
  // record is durable or none is written. An invalid entry fails the whole batch.
  virtual Result<std::vector<AuditRecord>> append_batch(const std::vector<AuditEntry>& entries) = 0;
  // Checks the whole chain. A broken chain is a successful call whose report is
  // not ok(); an error means the store could not be read at all.
  virtual Result<VerifyReport> verify(const VerifyOptions& options) = 0;
  Result<VerifyReport> verify() { return verify(VerifyOptions{}); }
  // Records matching `query`, as stored (no verification).
  virtual Result<std::vector<AuditRecord>> read(const AuditQuery& query) = 0;
};

}  // namespace fixgate::audit
