#include "approvals/store.h"

#include <chrono>

namespace fixgate::approvals {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS approvals (
  id             TEXT PRIMARY KEY,
  status         TEXT NOT NULL,
  correlation_id TEXT NOT NULL,
  action         TEXT NOT NULL,
  created_at_ms  INTEGER NOT NULL,
  body           TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS approvals_by_correlation ON approvals (correlation_id, action, status);)sql";

std::string time_text(int64_t ms) {
  if (ms == 0) return "";
  return audit::format_time(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

std::string str(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t num(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

nlohmann::json stored_json(const ApprovalRequest& r) {
  return {{"id", r.id},
          {"status", to_string(r.status)},
          {"correlation_id", r.correlation_id},
          {"finding_id", r.finding_id},
          {"action", r.action},
          {"params", r.params},
          {"plan", r.plan},
          {"decision", r.decision},
          {"finding", r.finding},
          {"why", r.why},
          {"requested_by", r.requested_by},
          {"created_at_ms", r.created_at_ms},
          {"expires_at_ms", r.expires_at_ms},
          {"decided_by", r.decided_by},
          {"decided_at_ms", r.decided_at_ms},
          {"note", r.note},
          {"result", r.result}};
}

Result<ApprovalRequest> from_stored(const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return make_error("approvals.corrupt", "a stored request is not JSON");
  ApprovalRequest r;
  r.id = str(j, "id");
  const auto status = parse_status(str(j, "status"));
  if (!status) return make_error("approvals.corrupt", "request " + r.id + " has an unknown status");
  r.status = *status;
  r.correlation_id = str(j, "correlation_id");
  r.finding_id = str(j, "finding_id");
  r.action = str(j, "action");
  r.params = j.value("params", nlohmann::json::object());
  r.plan = j.value("plan", nlohmann::json::array());
  r.decision = j.value("decision", nlohmann::json::object());
  r.finding = j.value("finding", nlohmann::json::object());
  r.why = str(j, "why");
  r.requested_by = str(j, "requested_by");
  r.created_at_ms = num(j, "created_at_ms");
  r.expires_at_ms = num(j, "expires_at_ms");
  r.decided_by = str(j, "decided_by");
  r.decided_at_ms = num(j, "decided_at_ms");
  r.note = str(j, "note");
  r.result = j.contains("result") ? j["result"] : nlohmann::json(nullptr);
  return r;
}

}  // namespace

const char* to_string(Status status) {
  switch (status) {
    case Status::pending: return "pending";
    case Status::approved: return "approved";
    case Status::denied: return "denied";
    case Status::expired: break;
  }
  return "expired";
}

std::optional<Status> parse_status(std::string_view text) {
  for (Status s : {Status::pending, Status::approved, Status::denied, Status::expired}) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

nlohmann::json ApprovalRequest::to_json() const {
  nlohmann::json out = stored_json(*this);
  out.erase("created_at_ms");
  out.erase("expires_at_ms");
  out.erase("decided_at_ms");
  out["created_at"] = time_text(created_at_ms);
  out["expires_at"] = time_text(expires_at_ms);
  out["decided_at"] = decided_at_ms == 0 ? nlohmann::json(nullptr) : nlohmann::json(time_text(decided_at_ms));
  return out;
}

nlohmann::json finding_to_json(const Finding& f) {
  nlohmann::json tags = nlohmann::json::array();
  for (const auto& tag : f.tags) tags.push_back({{"key", tag.key}, {"value", tag.value}});
  return {{"source", to_string(f.source)},
          {"id", f.id},
          {"status", f.status},
          {"open", f.open},
          {"severity", to_string(f.severity)},
          {"title", f.title},
          {"control_ids", f.control_ids},
          {"resource_arn", f.resource_arn},
          {"resource_id", f.resource_id},
          {"resource_type", f.resource_type},
          {"native_resource_type", f.native_resource_type},
          {"resource_name", f.resource_name},
          {"cloud_platform", f.cloud_platform},
          {"account", f.account},
          {"region", f.region},
          {"tags", tags},
          {"projects", f.projects},
          {"raw", f.raw}};
}

Result<Finding> finding_from_json(const nlohmann::json& j) {
  if (!j.is_object() || str(j, "id").empty()) return make_error("approvals.corrupt", "the stored finding has no id");
  Finding f;
  const std::string source = str(j, "source");
  f.source = source == "wiz" ? FindingSource::wiz : source == "asff" ? FindingSource::asff : FindingSource::unknown;
  f.id = str(j, "id");
  f.status = str(j, "status");
  f.open = j.value("open", false);
  f.severity = parse_severity(str(j, "severity")).value_or(Severity::unknown);
  f.severity_label = str(j, "severity");
  f.title = str(j, "title");
  if (j.contains("control_ids") && j["control_ids"].is_array()) {
    for (const auto& c : j["control_ids"]) {
      if (c.is_string()) f.control_ids.push_back(c.get<std::string>());
    }
  }
  f.resource_arn = str(j, "resource_arn");
  f.resource_id = str(j, "resource_id");
  f.resource_type = str(j, "resource_type");
  f.native_resource_type = str(j, "native_resource_type");
  f.resource_name = str(j, "resource_name");
  f.cloud_platform = str(j, "cloud_platform");
  f.account = str(j, "account");
  f.region = str(j, "region");
  if (j.contains("tags") && j["tags"].is_array()) {
    for (const auto& t : j["tags"]) {
      if (t.is_object()) f.tags.push_back({str(t, "key"), str(t, "value")});
    }
  }
  if (j.contains("projects") && j["projects"].is_array()) {
    for (const auto& p : j["projects"]) {
      if (p.is_string()) f.projects.push_back(p.get<std::string>());
    }
  }
  f.raw = str(j, "raw");
  return f;
}

Result<std::unique_ptr<ApprovalStore>> ApprovalStore::open(const std::string& path) {
  auto db = sqlite::Db::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, "approvals.open",
                             "approvals store");
  if (!db) return db.error();
  sqlite3_busy_timeout(db->get(), 5000);
  if (auto r = db->exec("PRAGMA journal_mode=WAL", "approvals.open"); !r) return r.error();
  if (auto r = db->exec("PRAGMA synchronous=FULL", "approvals.open"); !r) return r.error();
  if (auto r = db->exec(kSchema, "approvals.open"); !r) return r.error();
  return std::unique_ptr<ApprovalStore>(new ApprovalStore(std::move(*db)));
}

Result<bool> ApprovalStore::transaction(const std::function<Result<bool>()>& write,
                                        const std::function<Result<void>()>& before_commit) {
  if (auto r = db_.exec("BEGIN IMMEDIATE", "approvals.write"); !r) return r.error();
  Result<bool> written = write();
  if (!written || !*written) {
    (void)db_.exec("ROLLBACK");
    return written;
  }
  if (before_commit) {
    if (Result<void> r = before_commit(); !r) {
      (void)db_.exec("ROLLBACK");
      return make_error("approvals.audit", "nothing changed because the audit record could not be written: " +
                                               r.error().to_string());
    }
  }
  if (auto r = db_.exec("COMMIT", "approvals.write"); !r) {
    (void)db_.exec("ROLLBACK");
    return r.error();
  }
  return true;
}

Result<void> ApprovalStore::insert(const ApprovalRequest& request, const std::function<Result<void>()>& before_commit) {
  std::lock_guard lock(mutex_);
  auto done = transaction(
      [&]() -> Result<bool> {
        auto stmt = sqlite::Stmt::prepare(db_.get(),
                                          "INSERT INTO approvals (id, status, correlation_id, action, created_at_ms, body) "
                                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                          "approvals.write");
        if (!stmt) return stmt.error();
        stmt->bind(1, request.id);
        stmt->bind(2, std::string(to_string(request.status)));
        stmt->bind(3, request.correlation_id);
        stmt->bind(4, request.action);
        stmt->bind(5, request.created_at_ms);
        stmt->bind(6, stored_json(request).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        if (stmt->step() != SQLITE_DONE) return sqlite::sqlite_error(db_.get(), "approvals.write", "storing " + request.id);
        return true;
      },
      before_commit);
  if (!done) return done.error();
  return {};
}

Result<std::vector<ApprovalRequest>> ApprovalStore::query(const std::string& where,
                                                          const std::vector<std::string>& binds, size_t limit) {
  auto stmt = sqlite::Stmt::prepare(
      db_.get(), "SELECT body FROM approvals " + where + " ORDER BY created_at_ms DESC, id LIMIT " + std::to_string(limit),
      "approvals.read");
  if (!stmt) return stmt.error();
  for (size_t i = 0; i < binds.size(); ++i) stmt->bind(static_cast<int>(i + 1), binds[i]);
  std::vector<ApprovalRequest> out;
  int rc = SQLITE_ROW;
  while ((rc = stmt->step()) == SQLITE_ROW) {
    auto request = from_stored(stmt->column_text(0));
    if (!request) return request.error();
    out.push_back(std::move(*request));
  }
  if (rc != SQLITE_DONE) return sqlite::sqlite_error(db_.get(), "approvals.read", "reading approval requests");
  return out;
}

Result<ApprovalRequest> ApprovalStore::get(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto found = query("WHERE id = ?1", {id}, 1);
  if (!found) return found.error();
  if (found->empty()) return make_error("approvals.not_found", "no approval request " + id);
  return std::move(found->front());
}

Result<std::vector<ApprovalRequest>> ApprovalStore::list(const ListQuery& q) {
  std::lock_guard lock(mutex_);
  if (q.status) return query("WHERE status = ?1", {to_string(*q.status)}, q.limit);
  return query("", {}, q.limit);
}

Result<std::optional<ApprovalRequest>> ApprovalStore::find_pending(const std::string& correlation_id,
                                                                    const std::string& action) {
  std::lock_guard lock(mutex_);
  auto found = query("WHERE correlation_id = ?1 AND action = ?2 AND status = 'pending'", {correlation_id, action}, 1);
  if (!found) return found.error();
  if (found->empty()) return std::optional<ApprovalRequest>();
  return std::optional<ApprovalRequest>(std::move(found->front()));
}

Result<bool> ApprovalStore::update_if(const ApprovalRequest& updated, Status expected,
                                      const std::function<Result<void>()>& before_commit) {
  std::lock_guard lock(mutex_);
  return transaction(
      [&]() -> Result<bool> {
        auto stmt = sqlite::Stmt::prepare(db_.get(), "UPDATE approvals SET status = ?1, body = ?2 WHERE id = ?3 AND status = ?4",
                                          "approvals.write");
        if (!stmt) return stmt.error();
        stmt->bind(1, std::string(to_string(updated.status)));
        stmt->bind(2, stored_json(updated).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        stmt->bind(3, updated.id);
        stmt->bind(4, std::string(to_string(expected)));
        if (stmt->step() != SQLITE_DONE) return sqlite::sqlite_error(db_.get(), "approvals.write", "updating " + updated.id);
        return sqlite3_changes(db_.get()) == 1;
      },
      before_commit);
}

}  // namespace fixgate::approvals
