// Shared by the audit log and the durable queue: a thin RAII layer over the SQLite C API so every
// call site turns an SQLite failure into a Result carrying sqlite's own message.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace fixgate::sqlite {

// The error for a failed SQLite call on `db`: code as given, message
// "<what>: <sqlite message>".
Error sqlite_error(sqlite3* db, std::string code, std::string_view what);

// Owns one connection. Movable, not copyable; closes on destruction.
class Db {
 public:
  // Opens `path` with `flags` (SQLITE_OPEN_*). Fails with `error_code` and the
  // message "cannot open <what> <path>: <sqlite message>".
  static Result<Db> open(const std::string& path, int flags, std::string error_code, std::string_view what);

  Db() = default;
  Db(Db&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  sqlite3* get() const { return db_; }
  // Runs one or more statements that return no rows. Errors carry `code`.
  Result<void> exec(const char* sql, const char* code = "sqlite.exec");

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// Owns one prepared statement. Bind indexes are 1-based, column indexes 0-based.
class Stmt {
 public:
  static Result<Stmt> prepare(sqlite3* db, std::string_view sql, const char* code = "sqlite.prepare");

  Stmt() = default;
  Stmt(Stmt&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Stmt& operator=(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  void bind(int index, int64_t value);
  void bind(int index, std::string_view text);
  void bind_blob(int index, std::string_view bytes);
  // SQLITE_ROW, SQLITE_DONE, or an SQLite error code.
  int step();
  // Resets and clears bindings so the statement can be run again.
  void reset();

  int64_t column_int64(int column) const;
  std::string column_text(int column) const;
  std::string column_blob(int column) const;

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace fixgate::sqlite
