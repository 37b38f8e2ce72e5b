#include "sqlite/sqlite_db.h"

namespace fixgate::sqlite {

Error sqlite_error(sqlite3* db, std::string code, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  return make_error(std::move(code), std::move(message));
}

Result<Db> Db::open(const std::string& path, int flags, std::string error_code, std::string_view what) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error error = sqlite_error(raw, std::move(error_code), "cannot open " + std::string(what) + " " + path);
    sqlite3_close(raw);
    return error;
  }
  sqlite3_extended_result_codes(raw, 1);
  return Db(raw);
}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close(db_);
    db_ = other.db_;
    other.db_ = nullptr;
  }
  return *this;
}

Db::~Db() {
  if (db_ != nullptr) sqlite3_close(db_);
}

Result<void> Db::exec(const char* sql, const char* code) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string text = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return make_error(code, text);
  }
  return {};
}

Result<Stmt> Stmt::prepare(sqlite3* db, std::string_view sql, const char* code) {
  Stmt stmt;
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt.stmt_,
                         nullptr) != SQLITE_OK) {
    return sqlite_error(db, code, "cannot prepare statement");
  }
  return stmt;
}

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    stmt_ = other.stmt_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Stmt::~Stmt() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

void Stmt::bind(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }

void Stmt::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

void Stmt::bind_blob(int index, std::string_view bytes) {
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
}

int Stmt::step() { return sqlite3_step(stmt_); }

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Stmt::column_int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Stmt::column_text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}


std::string Stmt::column_blob(int column) const {
  const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  if (bytes == nullptr) return {};
  return std::string(bytes, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

}  // namespace fixgate::sqlite
