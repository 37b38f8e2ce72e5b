// A throwaway PostgreSQL cluster for tests and benchmarks: initdb into a temp
// dir, postgres listening only on a unix socket in that dir (no TCP port to
// clash with), stopped and deleted by the destructor. Debian's binaries are
// expected under /usr/lib/postgresql/15/bin ($FIXGATE_PG_BIN overrides).
//
// initdb refuses to run as root, so when the test runs as root (CI) the
// cluster belongs to the `postgres` system user and its commands run through
// `runuser -u postgres --`.
#pragma once

#include <optional>
#include <string>

namespace fixgate::testing {

class PgCluster {
 public:
  // Why a cluster cannot be started here (binaries or the postgres user
  // missing), or nullopt.
  static std::optional<std::string> unavailable();

  // Creates and starts the cluster. fsync=false suits tests; benchmarks pass
  // true to measure durable commits. ok() is false when it did not come up
  // (error() says why, with the server log's tail).
  explicit PgCluster(bool fsync = false);
  ~PgCluster();
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& socket_dir() const { return dir_; }

  // A URI for the cluster's database as `user` (optionally with a password)
  // over the socket; with `schema`, sessions use it as their search_path.
  std::string uri(const std::string& schema = "", const std::string& user = "postgres",
                  const std::string& password = "") const;
  // Creates an empty schema with a fresh name and returns its name. A schema
  // per test keeps tests apart at a fraction of a database's cost.
  std::string create_schema();
  // Runs `sql` as the superuser with `schema` first on the search_path; "" on
  // success, else the server's message.
  std::string exec(const std::string& schema, const std::string& sql) const;

 private:
  std::string run(const std::string& command) const;  // "" on success, else what failed
  std::string dir_;
  std::string bin_;
  std::string error_;
  bool started_ = false;
  bool as_postgres_user_ = false;
  int schemas_ = 0;
};

}  // namespace fixgate::testing
