#include "pg_cluster.h"

#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fixgate::testing {
namespace {

constexpr const char* kDefaultBin = "/usr/lib/postgresql/15/bin";

std::string bin_dir() {
  const char* bin = std::getenv("FIXGATE_PG_BIN");
  return bin != nullptr && *bin != '\0' ? bin : kDefaultBin;
}

std::string tail_of(const std::string& path, size_t bytes = 1500) {
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

std::string quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A test binary that crashed never ran its cluster's destructor: stop and
// delete the clusters whose owning process is gone, so servers do not pile up.
void reap_orphaned_clusters(const std::string& bin) {
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator("/tmp", ignored)) {
    const std::string dir = entry.path().string();
    if (entry.path().filename().string().rfind("fixgate-pg-", 0) != 0) continue;
    std::ifstream owner(dir + "/owner.pid");
    long pid = 0;
    if (!(owner >> pid) || pid <= 0 || kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    if (std::filesystem::exists(dir + "/data/postmaster.pid")) {
      const std::string stop = "cd /tmp && " + std::string(geteuid() == 0 ? "runuser -u postgres -- " : "") +
                               quote(bin + "/pg_ctl") + " -D " + quote(dir + "/data") +
                               " -m immediate -w stop >/dev/null 2>&1";
      const int stopped = std::system(stop.c_str());  // best effort: the directory goes either way
      (void)stopped;
    }
    std::filesystem::remove_all(dir, ignored);
  }
}

}  // namespace

std::optional<std::string> PgCluster::unavailable() {
  const std::string bin = bin_dir();
  for (const char* tool : {"initdb", "pg_ctl", "postgres"}) {
    if (access((bin + "/" + tool).c_str(), X_OK) != 0) {
      return "PostgreSQL 15 is not installed (" + bin + "/" + tool +
             " missing): run scripts/bootstrap.sh (Debian package postgresql) or set FIXGATE_PG_BIN";
    }
  }
  if (geteuid() == 0 && getpwnam("postgres") == nullptr) {
    return "running as root, but there is no postgres system user to own the test cluster (initdb refuses "
           "root)";
  }
  return std::nullopt;
}

PgCluster::PgCluster(bool fsync) : bin_(bin_dir()) {
  if (auto why = unavailable()) {
    error_ = *why;
    return;
  }
  reap_orphaned_clusters(bin_);
  std::string pattern = "/tmp/fixgate-pg-XXXXXX";  // short: a socket path must fit in 107 bytes
  if (mkdtemp(pattern.data()) == nullptr) {
    error_ = "cannot create a temp dir for the cluster";
    return;
  }
  dir_ = pattern;
  std::ofstream(dir_ + "/owner.pid") << getpid() << '\n';
  as_postgres_user_ = geteuid() == 0;
  if (as_postgres_user_) {
    const passwd* pw = getpwnam("postgres");
    if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      error_ = "cannot hand " + dir_ + " to the postgres user";
      return;
    }
  }
  const std::string data = dir_ + "/data";
  if (auto failed = run(quote(bin_ + "/initdb") + " -D " + quote(data) +
                        " -U postgres -A trust -E UTF8 --locale=C --no-sync --no-instructions");
      !failed.empty()) {
    error_ = "initdb failed: " + failed;
    return;
  }
  // The role fixgate_pw must give its password (the no-password-in-errors
  // test); everyone else is trusted on this private socket.
  {
    std::ofstream hba(data + "/pg_hba.conf", std::ios::trunc);
    hba << "local all fixgate_pw scram-sha-256\nlocal all all trust\n";
  }
  const std::string options =
      "-k " + dir_ + " -c listen_addresses='' -c max_connections=200" + (fsync ? "" : " -c fsync=off");
  if (auto failed = run(quote(bin_ + "/pg_ctl") + " -D " + quote(data) + " -l " +
                        quote(dir_ + "/server.log") + " -w -t 60 -o " + quote(options) + " start");
      !failed.empty()) {
    error_ = "pg_ctl start failed: " + failed + "\n" + tail_of(dir_ + "/server.log");
    return;
  }
  started_ = true;
}

PgCluster::~PgCluster() {
  if (started_) (void)run(quote(bin_ + "/pg_ctl") + " -D " + quote(dir_ + "/data") + " -m immediate -w stop");
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::string PgCluster::run(const std::string& command) const {
  const std::string log = dir_ + "/commands.log";
  // From the cluster dir: the postgres user may not be allowed into ours.
  std::string line =
      "cd " + quote(dir_) + " && " + (as_postgres_user_ ? "runuser -u postgres -- " + command : command);
  line += " >>" + quote(log) + " 2>&1";
  const int status = std::system(line.c_str());
  if (status == 0) return "";
  return "exit status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + "\n" + tail_of(log);
}

std::string PgCluster::uri(const std::string& schema, const std::string& user,
                           const std::string& password) const {
  std::string uri = "postgresql://" + user;
  if (!password.empty()) uri += ":" + password;
  uri += "@/postgres?host=" + dir_;
  if (!schema.empty()) uri += "&options=-csearch_path%3D" + schema;
  return uri;
}

std::string PgCluster::create_schema() {
  const std::string name = "fixgate_test_" + std::to_string(++schemas_);
  const std::string failed = exec("", "CREATE SCHEMA " + name);
  if (!failed.empty()) std::fprintf(stderr, "CREATE SCHEMA %s: %s\n", name.c_str(), failed.c_str());
  return name;
}

std::string PgCluster::exec(const std::string& schema, const std::string& sql) const {
  PGconn* conn = PQconnectdb(uri(schema).c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* result = PQexec(conn, sql.c_str());
    const ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
      error = primary != nullptr ? primary : PQerrorMessage(conn);
      if (error.empty()) error = "failed";
    }
    PQclear(result);
  }
  PQfinish(conn);
  return error;
}

}  // namespace fixgate::testing
