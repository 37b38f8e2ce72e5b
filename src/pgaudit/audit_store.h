// Opens the audit log a user named: PostgreSQL for a postgresql:// or
// postgres:// URI (distributed mode: every worker appends to one chain), the
// embedded SQLite file for anything else.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "audit/audit_log.h"
#include "core/result.h"

namespace fixgate::pgaudit {

// The environment variable that names a shared audit log for every command
// not given --audit-db, e.g. FIXGATE_AUDIT_URL=postgresql://fixgate@db/fixgate.
inline constexpr const char* kAuditUrlEnv = "FIXGATE_AUDIT_URL";

struct AuditStoreOptions {
  bool read_only = false;  // verify/show/export: never creates anything
};

// A PgAuditLog for a PostgreSQL URI, else audit::SqliteAuditLog::open(location).
// Errors are those stores' own ("audit.open", "audit.postgres", ...), never
// holding the URI's password.
Result<std::unique_ptr<audit::AuditSink>> open_audit_store(const std::string& location,
                                                           AuditStoreOptions options = {});

// `location` fit to print: a URI's password replaced by "***"; a path as is.
std::string display_audit_location(const std::string& location);

// Which audit log a command uses: `given` (its --audit-db) when set, else
// $FIXGATE_AUDIT_URL when set, else `state_default()` (called only then, as it
// may create the state directory).
std::string choose_audit_location(const std::string& given,
                                  const std::function<std::string()>& state_default);

}  // namespace fixgate::pgaudit
