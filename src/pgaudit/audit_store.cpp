#include "pgaudit/audit_store.h"

#include <cstdlib>

#include "audit/sqlite_audit_log.h"
#include "pgaudit/conninfo.h"
#include "pgaudit/pg_audit_log.h"

namespace fixgate::pgaudit {

Result<std::unique_ptr<audit::AuditSink>> open_audit_store(const std::string& location,
                                                           AuditStoreOptions options) {
  if (is_postgres_uri(location)) {
    auto log = PgAuditLog::open(location, PgAuditOptions{.read_only = options.read_only});
    if (!log) return log.error();
    return std::unique_ptr<audit::AuditSink>(std::move(log).value());
  }
  auto log = audit::SqliteAuditLog::open(location, audit::SqliteAuditOptions{.read_only = options.read_only});
  if (!log) return log.error();
  return std::unique_ptr<audit::AuditSink>(std::move(log).value());
}

std::string display_audit_location(const std::string& location) {
  return is_postgres_uri(location) ? display_conninfo(location) : location;
}

std::string choose_audit_location(const std::string& given,
                                  const std::function<std::string()>& state_default) {
  if (!given.empty()) return given;
  const char* url = std::getenv(kAuditUrlEnv);
  if (url != nullptr && *url != '\0') return url;
  return state_default();
}

}  // namespace fixgate::pgaudit
