// The exceptions registry: waivers people add, approve and revoke at run time,
// kept in SQLite in the state directory beside the audit log.
//
// A waiver says "do not fix this finding automatically" for a scope (controls,
// resources, accounts, tags; every non-empty list must match). Only an approved
// waiver whose expiry day has not passed is honoured, and that is judged by
// decide() against the decision clock, not here: waivers() hands every stored
// waiver, whatever its status, to the decision so a revoked or expired one is
// reported in the evidence instead of silently ignored.
//
// Every change (add, approve, revoke) is written to the audit log inside the
// same SQLite transaction that changes the registry: if the audit record cannot
// be written the change is rolled back, so there is no unaudited waiver.
//
// Thread-safe: one connection behind a mutex. Several processes may share the
// file (the CLI adds while `fixgate serve` decides); the lookups notice their
// commits through PRAGMA data_version and reload.
//
// Decision-time lookups read an immutable snapshot (waiver_index.h) that a
// reload replaces whole: snapshot() hands it out by shared pointer and
// waivers_for() copies only the few waivers that cover one finding, so a
// lookup's cost does not grow with the registry's size.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "config/config.h"
#include "core/finding.h"
#include "core/result.h"
#include "exceptions/waiver_index.h"
#include "sqlite/sqlite_db.h"

namespace fixgate::exceptions {

using Clock = std::function<std::chrono::system_clock::time_point()>;

// What `fixgate exceptions add` asks for. With an approver (who must differ
// from requested_by) the waiver is stored approved, else pending.
struct WaiverRequest {
  std::string id;  // e.g. WVR-1042: upper-case prefix, '-', upper-case letters/digits
  std::vector<std::string> controls;
  std::vector<std::string> resources;  // ARN or native id; a trailing '*' matches a prefix
  std::vector<std::string> accounts;   // 12-digit account ids
  std::vector<Tag> tags;               // value "*" matches any value
  std::string expires;                 // YYYY-MM-DD (required; valid through that UTC day)
  std::string reason;
  std::string requested_by;
  std::string approver;  // empty: pending
};

struct StoredWaiver {
  Waiver waiver;  // id, scope, status, expires, approver, reason
  std::string created_by;
  std::string created_at;  // RFC 3339 UTC
  std::string updated_by;  // who approved or revoked it last; "" when never
  std::string updated_at;
  std::string revoke_reason;

  // The stored waiver plus "effective_status" as of `now`.
  nlohmann::json to_json(std::chrono::system_clock::time_point now) const;
};

// The status a person should see at `now`: "expired" for an approved waiver
// whose expiry day has passed, else the stored status.
std::string effective_status(const Waiver& waiver, std::chrono::system_clock::time_point now);

// Checks a request before anything is stored. Errors name the field:
// "exceptions.invalid_id", "exceptions.invalid_scope", "exceptions.invalid_expiry"
// (malformed or already past at `now`), "exceptions.missing_field" (reason,
// requested_by), "exceptions.self_approval" (approver == requested_by).
Result<void> validate_request(const WaiverRequest& request, std::chrono::system_clock::time_point now);

struct RegistryOptions {
  Clock clock;                         // empty: system clock
  std::string actor = "fixgate";       // the audit records' actor besides the named person
  std::set<std::string> reserved_ids;  // ids the configuration already uses (never shadowed)
};

class Registry {
 public:
  // Opens (creating when missing) the registry at `path`. `audit` must outlive
  // the registry. Fails with "exceptions.open" naming the file.
  static Result<std::unique_ptr<Registry>> open(const std::string& path, audit::AuditSink& audit,
                                                RegistryOptions options = {});

  // Validates, audits ("exception" / event "added") and stores a new waiver.
  // Besides validate_request's errors: "exceptions.duplicate_id" when the id is
  // stored already or reserved by the configuration.
  Result<StoredWaiver> add(const WaiverRequest& request);

  // Pending → approved by `approver`, who must not be the requester
  // ("exceptions.self_approval"). "exceptions.not_found", "exceptions.not_pending".
  Result<StoredWaiver> approve(const std::string& id, const std::string& approver);

  // Pending or approved → revoked, with who and why (both required).
  // "exceptions.not_found"; "exceptions.already_revoked".
  Result<StoredWaiver> revoke(const std::string& id, const std::string& by, const std::string& reason);

  Result<StoredWaiver> get(const std::string& id);
  // Every waiver, ordered by id.
  Result<std::vector<StoredWaiver>> list();

  // The current snapshot of every stored waiver, indexed; no copy is made. It
  // stays valid (and unchanged) for as long as the caller holds it, whatever
  // commits meanwhile. Reloaded only when some connection committed a change;
  // on a read error the last snapshot is kept and the error returned.
  Result<std::shared_ptr<const WaiverIndex>> snapshot();

  // The stored waivers that cover `finding` (WaiverIndex::covering): what
  // decide() needs in Enrichment::waivers for that finding — it ignores every
  // other waiver — copied, typically none or one.
  Result<std::vector<Waiver>> waivers_for(const Finding& finding);

  // Every stored waiver in decide()'s shape, copied (cost grows with the
  // registry: prefer waivers_for or snapshot at decision time).
  Result<std::vector<Waiver>> waivers();

 private:
  Registry(sqlite::Db db, sqlite::Stmt data_version, audit::AuditSink& audit, RegistryOptions options);
  std::chrono::system_clock::time_point now() const;
  Result<std::vector<StoredWaiver>> load_locked(const std::string& only_id);
  Result<StoredWaiver> change_locked(const StoredWaiver& updated, const std::string& event, const std::string& by);

  std::mutex mutex_;
  sqlite::Db db_;
  audit::AuditSink& audit_;
  RegistryOptions options_;
  sqlite::Stmt data_version_;  // PRAGMA data_version, prepared once
  int64_t seen_version_ = -1;
  std::shared_ptr<const WaiverIndex> snapshot_ = std::make_shared<const WaiverIndex>(std::vector<Waiver>{});
};

}  // namespace fixgate::exceptions
