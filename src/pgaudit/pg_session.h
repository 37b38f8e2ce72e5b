// libpq connections for the PostgreSQL audit store: a small pool that hands a
// connection to one thread at a time, and query helpers that turn libpq
// failures into "audit.postgres" errors with every password scrubbed.
//
// libpq connections are not thread-safe, so each call borrows one for its
// whole transaction. Connections found broken (server restart, network) are
// dropped when returned; the next borrow opens a fresh one.
#pragma once

#include <libpq-fe.h>

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace fixgate::pgaudit {

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

struct ConnDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using PgConnPtr = std::unique_ptr<PGconn, ConnDeleter>;

class ConnectionPool;

// One borrowed connection; going out of scope returns it to the pool (or
// closes it when it is broken or was left inside a transaction).
class Session {
 public:
  Session(ConnectionPool* pool, PgConnPtr conn) : pool_(pool), conn_(std::move(conn)) {}
  Session(Session&&) = default;
  Session& operator=(Session&&) = delete;
  ~Session();

  PGconn* get() const { return conn_.get(); }
  bool broken() const { return PQstatus(conn_.get()) != CONNECTION_OK; }

  // Runs `sql` (one statement or several; the last one's result is returned)
  // and expects `want`. Failures name `what` and carry libpq's message.
  Result<PgResultPtr> exec(const std::string& sql, ExecStatusType want, std::string_view what);
  // One statement with text parameters.
  Result<PgResultPtr> exec_params(const std::string& sql, const std::vector<std::string>& params,
                                  ExecStatusType want, std::string_view what);
  // Ends a transaction that failed half-way; the session stays usable.
  void rollback();

 private:
  Error error_from(const PGresult* result, std::string_view what) const;
  ConnectionPool* pool_;
  PgConnPtr conn_;
};

class ConnectionPool {
 public:
  // `conninfo` is kept only in memory; `display` (password redacted) is what
  // errors show. At most `max_connections` connections are open at once.
  ConnectionPool(std::string conninfo, std::string display, size_t max_connections,
                 int connect_timeout_seconds);

  // Borrows an idle connection, opens one while under the limit, else waits.
  // Fails ("audit.postgres") when a new connection cannot be made.
  Result<Session> acquire();
  // Like acquire(), but never reuses an idle connection (after one proved stale).
  Result<Session> acquire_fresh();

  const std::string& display() const { return display_; }
  std::string scrub(std::string message) const;

 private:
  friend class Session;
  Result<PgConnPtr> connect();
  void give_back(PgConnPtr conn);

  const std::string conninfo_;
  const std::string display_;
  const std::vector<std::string> secrets_;
  const size_t max_connections_;
  const int connect_timeout_seconds_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<PgConnPtr> idle_;  // guarded by mutex_
  size_t open_ = 0;              // guarded by mutex_: idle + borrowed
};

}  // namespace fixgate::pgaudit
