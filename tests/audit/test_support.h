// Helpers shared by the audit tests: a temp directory, a fixed clock and raw
// SQLite access for tampering with a log behind the library's back.
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "support/temp_dir.h"

namespace fixgate::audit::testing {

using fixgate::testing::TempDir;

class FixedClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return now_; }
  void set_ms(int64_t ms) { now_ = std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)); }

 private:
  std::chrono::system_clock::time_point now_{std::chrono::milliseconds(1764072110123)};
};

// Runs SQL on the file through a separate raw connection; returns sqlite's
// message on failure, "" on success.
inline std::string raw_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    return "cannot open";
  }
  sqlite3_busy_timeout(db, 5000);
  char* message = nullptr;
  std::string error;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    error = message != nullptr ? message : "unknown error";
  }
  sqlite3_free(message);
  sqlite3_close(db);
  return error;
}

// `{}` in a call converts to JSON null; the tests mean an empty object by it.
inline AuditEntry entry(std::string kind, std::string correlation, std::string finding, nlohmann::json body) {
  if (body.is_null()) body = nlohmann::json::object();
  return AuditEntry{std::move(kind), std::move(correlation), std::move(finding), "fixgate-test", std::move(body)};
}

}  // namespace fixgate::audit::testing
