#include "pgaudit/pg_session.h"

#include <array>

#include "pgaudit/conninfo.h"

namespace fixgate::pgaudit {
namespace {

// libpq messages end in a newline and may span lines ("DETAIL: ..."); errors
// here are one line.
std::string one_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += ";";
    } else if (c == '\t') {
      if (out.empty() || out.back() != ' ') out += ' ';
    } else if (c != '\r') {
      if (c != ' ' || out.empty() || out.back() != ' ') out += c;
    }
  }
  return out;
}

}  // namespace

Session::~Session() {
  if (conn_ && pool_ != nullptr) pool_->give_back(std::move(conn_));
}

Error Session::error_from(const PGresult* result, std::string_view what) const {
  std::string message;
  if (result != nullptr) {
    if (const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)) {
      message = primary;
      if (const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL))
        message += " (" + std::string(detail) + ")";
    }
  }
  if (message.empty()) message = PQerrorMessage(conn_.get());
  if (message.empty() && result != nullptr)
    message = std::string("unexpected ") + PQresStatus(PQresultStatus(result));
  // Scrubbed before it is reflowed, so a password is found as libpq quoted it.
  return make_error("audit.postgres",
                    pool_->scrub(std::string(what) + ": " + one_line(pool_->scrub(message))));
}

Result<PgResultPtr> Session::exec(const std::string& sql, ExecStatusType want, std::string_view what) {
  PgResultPtr result(PQexec(conn_.get(), sql.c_str()));
  if (!result || PQresultStatus(result.get()) != want) return error_from(result.get(), what);
  return result;
}

Result<PgResultPtr> Session::exec_params(const std::string& sql, const std::vector<std::string>& params,
                                         ExecStatusType want, std::string_view what) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p.c_str());
  PgResultPtr result(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0));
  if (!result || PQresultStatus(result.get()) != want) return error_from(result.get(), what);
  return result;
}

void Session::rollback() {
  if (PQtransactionStatus(conn_.get()) == PQTRANS_IDLE) return;
  PgResultPtr ignored(PQexec(conn_.get(), "ROLLBACK"));
}

ConnectionPool::ConnectionPool(std::string conninfo, std::string display, size_t max_connections,
                               int connect_timeout_seconds)
    : conninfo_(std::move(conninfo)),
      display_(std::move(display)),
      secrets_(conninfo_secrets(conninfo_)),
      max_connections_(max_connections == 0 ? 1 : max_connections),
      connect_timeout_seconds_(connect_timeout_seconds) {}

std::string ConnectionPool::scrub(std::string message) const {
  return scrub_secrets(std::move(message), secrets_);
}

Result<PgConnPtr> ConnectionPool::connect() {
  // Defaults come before the user's conninfo ("dbname", expanded), so the same
  // keywords there win; client_encoding comes after it because records are
  // UTF-8 and hashed as such: any conversion would break the chain.
  const std::string timeout = std::to_string(connect_timeout_seconds_);
  const std::array<const char*, 5> keywords = {"connect_timeout", "fallback_application_name", "dbname",
                                               "client_encoding", nullptr};
  const std::array<const char*, 5> values = {timeout.c_str(), "fixgate", conninfo_.c_str(), "UTF8", nullptr};
  PgConnPtr conn(PQconnectdbParams(keywords.data(), values.data(), 1));
  if (!conn) return make_error("audit.postgres", "cannot connect to " + display_ + ": out of memory");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return make_error("audit.postgres", scrub("cannot connect to " + display_ + ": " +
                                              one_line(scrub(PQerrorMessage(conn.get())))));
  }
  return conn;
}

Result<Session> ConnectionPool::acquire() {
  {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !idle_.empty() || open_ < max_connections_; });
    if (!idle_.empty()) {
      PgConnPtr conn = std::move(idle_.back());
      idle_.pop_back();
      return Session(this, std::move(conn));
    }
    ++open_;
  }
  auto conn = connect();
  if (!conn) {
    std::lock_guard lock(mutex_);
    --open_;
    available_.notify_one();
    return conn.error();
  }
  return Session(this, std::move(conn).value());
}

Result<Session> ConnectionPool::acquire_fresh() {
  {
    std::unique_lock lock(mutex_);
    open_ -= idle_.size();  // idle ones share the fate of the one that just proved stale
    idle_.clear();
  }
  return acquire();
}

void ConnectionPool::give_back(PgConnPtr conn) {
  if (PQstatus(conn.get()) == CONNECTION_OK && PQtransactionStatus(conn.get()) != PQTRANS_IDLE) {
    PgResultPtr ignored(PQexec(conn.get(), "ROLLBACK"));
  }
  const bool reusable =
      PQstatus(conn.get()) == CONNECTION_OK && PQtransactionStatus(conn.get()) == PQTRANS_IDLE;
  if (!reusable) conn.reset();
  std::lock_guard lock(mutex_);
  if (reusable) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
  available_.notify_one();
}

}  // namespace fixgate::pgaudit
