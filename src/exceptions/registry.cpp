#include "exceptions/registry.h"

#include <algorithm>
#include <cctype>

#include "core/text.h"

namespace fixgate::exceptions {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS waivers (
  id            TEXT PRIMARY KEY,
  scope         TEXT NOT NULL,
  status        TEXT NOT NULL,
  expires       TEXT NOT NULL,
  approver      TEXT NOT NULL,
  reason        TEXT NOT NULL,
  created_by    TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  updated_by    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  revoke_reason TEXT NOT NULL
);)sql";

Error invalid(const char* code, const std::string& field, const std::string& what) {
  return make_error(code, field + ": " + what);
}

// Printable ASCII without spaces: ids, controls, account ids, resource keys.
bool plain_token(std::string_view text, size_t max) {
  if (text.empty() || text.size() > max) return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

bool valid_id(std::string_view id) {
  const size_t dash = id.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash > 16 || dash + 1 >= id.size() || id.size() > 48) {
    return false;
  }
  for (size_t i = 0; i < id.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(id[i]);
    if (i < dash && !std::isupper(c)) return false;
    if (i > dash && !std::isupper(c) && !std::isdigit(c) && c != '-') return false;
  }
  return true;
}

bool readable_text(std::string_view text) {
  return is_valid_utf8(text) &&
         std::none_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

nlohmann::json scope_json(const Waiver& w) {
  nlohmann::json tags = nlohmann::json::array();
  for (const auto& tag : w.tags) tags.push_back({{"key", tag.key}, {"value", tag.value}});
  return {{"controls", w.controls}, {"resources", w.resources}, {"accounts", w.accounts}, {"tags", tags}};
}

std::vector<std::string> string_list(const nlohmann::json& j, const char* key) {
  std::vector<std::string> out;
  if (const auto it = j.find(key); it != j.end() && it->is_array()) {
    for (const auto& item : *it) {
      if (item.is_string()) out.push_back(item.get<std::string>());
    }
  }
  return out;
}

}  // namespace

std::string effective_status(const Waiver& waiver, std::chrono::system_clock::time_point now) {
  if (waiver.status == WaiverStatus::approved && waiver.expires &&
      now >= std::chrono::sys_days(*waiver.expires) + std::chrono::days(1)) {
    return "expired";
  }
  return to_string(waiver.status);
}

nlohmann::json StoredWaiver::to_json(std::chrono::system_clock::time_point now) const {
  nlohmann::json out = scope_json(waiver);
  out["id"] = waiver.id;
  out["status"] = to_string(waiver.status);
  out["effective_status"] = effective_status(waiver, now);
  out["expires"] = waiver.expires ? nlohmann::json(format_date(*waiver.expires)) : nlohmann::json(nullptr);
  out["approver"] = waiver.approver;
  out["reason"] = waiver.reason;
  out["created_by"] = created_by;
  out["created_at"] = created_at;
  out["updated_by"] = updated_by;
  out["updated_at"] = updated_at;
  if (!revoke_reason.empty()) out["revoke_reason"] = revoke_reason;
  return out;
}

Result<void> validate_request(const WaiverRequest& r, std::chrono::system_clock::time_point now) {
  if (!valid_id(r.id)) {
    return invalid("exceptions.invalid_id", "id",
                   "\"" + escape_for_display(r.id) + "\" is not a waiver id like WVR-1042 (upper-case prefix, '-', "
                   "upper-case letters or digits; at most 48 characters)");
  }
  if (r.controls.empty() && r.resources.empty() && r.accounts.empty() && r.tags.empty()) {
    return invalid("exceptions.invalid_scope", "scope", "a waiver needs at least one control, resource, account or tag");
  }
  for (size_t i = 0; i < r.controls.size(); ++i) {
    if (!plain_token(r.controls[i], 128)) {
      return invalid("exceptions.invalid_scope", "controls[" + std::to_string(i) + "]",
                     "\"" + escape_for_display(r.controls[i]) + "\" is not a control id");
    }
  }
  for (size_t i = 0; i < r.resources.size(); ++i) {
    const std::string& res = r.resources[i];
    const size_t star = res.find('*');
    if (!plain_token(res, 2048) || res == "*" || (star != std::string::npos && star + 1 != res.size())) {
      return invalid("exceptions.invalid_scope", "resources[" + std::to_string(i) + "]",
                     "\"" + escape_for_display(res) + "\" is not a resource ARN or id ('*' only as a trailing prefix "
                     "wildcard, never alone)");
    }
  }
  for (size_t i = 0; i < r.accounts.size(); ++i) {
    const std::string& a = r.accounts[i];
    if (a.size() != 12 || !std::all_of(a.begin(), a.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return invalid("exceptions.invalid_scope", "accounts[" + std::to_string(i) + "]",
                     "\"" + escape_for_display(a) + "\" is not a 12-digit AWS account id");
    }
  }
  for (size_t i = 0; i < r.tags.size(); ++i) {
    if (trim(r.tags[i].key).empty() || !readable_text(r.tags[i].key) || !readable_text(r.tags[i].value)) {
      return invalid("exceptions.invalid_scope", "tags[" + std::to_string(i) + "]",
                     "a tag needs a non-empty key and printable text");
    }
  }
  const auto expires = parse_date(r.expires);
  if (!expires) {
    return invalid("exceptions.invalid_expiry", "expires",
                   r.expires.empty() ? std::string("required (YYYY-MM-DD): a waiver must end")
                                     : "\"" + escape_for_display(r.expires) + "\" is not a date (YYYY-MM-DD)");
  }
  if (now >= std::chrono::sys_days(*expires) + std::chrono::days(1)) {
    return invalid("exceptions.invalid_expiry", "expires", r.expires + " is already in the past");
  }
  if (trim(r.reason).empty() || !readable_text(r.reason)) {
    return invalid("exceptions.missing_field", "reason", "required: say why the finding may stay unfixed");
  }
  if (!plain_token(r.requested_by, 256)) {
    return invalid("exceptions.missing_field", "requested_by", "required: who asks for the waiver (no spaces)");
  }
  if (!r.approver.empty() && !plain_token(r.approver, 256)) {
    return invalid("exceptions.missing_field", "approver", "not a user name (no spaces)");
  }
  if (!r.approver.empty() && r.approver == r.requested_by) {
    return invalid("exceptions.self_approval", "approver",
                   "\"" + escape_for_display(r.approver) + "\" requested this waiver and cannot also approve it");
  }
  return {};
}

Registry::Registry(sqlite::Db db, sqlite::Stmt data_version, audit::AuditSink& audit, RegistryOptions options)
    : db_(std::move(db)), audit_(audit), options_(std::move(options)), data_version_(std::move(data_version)) {}

Result<std::unique_ptr<Registry>> Registry::open(const std::string& path, audit::AuditSink& audit,
                                                 RegistryOptions options) {
  auto db = sqlite::Db::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             "exceptions.open", "exceptions registry");
  if (!db) return db.error();
  sqlite3_busy_timeout(db->get(), 5000);
  if (auto r = db->exec("PRAGMA journal_mode=WAL", "exceptions.open"); !r) return r.error();
  if (auto r = db->exec("PRAGMA synchronous=FULL", "exceptions.open"); !r) return r.error();
  if (auto r = db->exec(kSchema, "exceptions.open"); !r) return r.error();
  auto data_version = sqlite::Stmt::prepare(db->get(), "PRAGMA data_version", "exceptions.open");
  if (!data_version) return data_version.error();
  return std::unique_ptr<Registry>(new Registry(std::move(*db), std::move(*data_version), audit, std::move(options)));
}

std::chrono::system_clock::time_point Registry::now() const {
  return options_.clock ? options_.clock() : std::chrono::system_clock::now();
}

Result<std::vector<StoredWaiver>> Registry::load_locked(const std::string& only_id) {
  auto stmt = sqlite::Stmt::prepare(
      db_.get(),
      "SELECT id, scope, status, expires, approver, reason, created_by, created_at, updated_by, updated_at, "
      "revoke_reason FROM waivers WHERE (?1 = '' OR id = ?1) ORDER BY id",
      "exceptions.read");
  if (!stmt) return stmt.error();
  stmt->bind(1, only_id);
  std::vector<StoredWaiver> out;
  int rc = SQLITE_ROW;
  while ((rc = stmt->step()) == SQLITE_ROW) {
    StoredWaiver s;
    Waiver& w = s.waiver;
    w.id = stmt->column_text(0);
    const nlohmann::json scope = nlohmann::json::parse(stmt->column_text(1), nullptr, false);
    if (!scope.is_object()) return make_error("exceptions.corrupt", "waiver " + w.id + ": scope is not JSON");
    w.controls = string_list(scope, "controls");
    w.resources = string_list(scope, "resources");
    w.accounts = string_list(scope, "accounts");
    if (const auto tags = scope.find("tags"); tags != scope.end() && tags->is_array()) {
      for (const auto& t : *tags) {
        if (t.is_object() && t.value("key", "") != "") w.tags.push_back({t.value("key", ""), t.value("value", "")});
      }
    }
    const auto status = parse_waiver_status(stmt->column_text(2));
    if (!status) return make_error("exceptions.corrupt", "waiver " + w.id + ": unknown status");
    w.status = *status;
    const std::string expires = stmt->column_text(3);
    if (!expires.empty()) w.expires = parse_date(expires);
    w.approver = stmt->column_text(4);
    w.reason = stmt->column_text(5);
    w.where.file = "exceptions registry";
    w.where.key = w.id;
    s.created_by = stmt->column_text(6);
    s.created_at = stmt->column_text(7);
    s.updated_by = stmt->column_text(8);
    s.updated_at = stmt->column_text(9);
    s.revoke_reason = stmt->column_text(10);
    out.push_back(std::move(s));
  }
  if (rc != SQLITE_DONE) return sqlite::sqlite_error(db_.get(), "exceptions.read", "reading waivers");
  return out;
}

Result<StoredWaiver> Registry::change_locked(const StoredWaiver& s, const std::string& event, const std::string& by) {
  if (auto r = db_.exec("BEGIN IMMEDIATE", "exceptions.write"); !r) return r.error();
  auto stmt = sqlite::Stmt::prepare(
      db_.get(),
      "INSERT INTO waivers (id, scope, status, expires, approver, reason, created_by, created_at, updated_by, "
      "updated_at, revoke_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
      "ON CONFLICT(id) DO UPDATE SET status = ?3, approver = ?5, updated_by = ?9, updated_at = ?10, "
      "revoke_reason = ?11",
      "exceptions.write");
  if (!stmt) {
    (void)db_.exec("ROLLBACK");
    return stmt.error();
  }
  const Waiver& w = s.waiver;
  stmt->bind(1, w.id);
  stmt->bind(2, scope_json(w).dump());
  stmt->bind(3, std::string(to_string(w.status)));
  stmt->bind(4, w.expires ? format_date(*w.expires) : std::string());
  stmt->bind(5, w.approver);
  stmt->bind(6, w.reason);
  stmt->bind(7, s.created_by);
  stmt->bind(8, s.created_at);
  stmt->bind(9, s.updated_by);
  stmt->bind(10, s.updated_at);
  stmt->bind(11, s.revoke_reason);
  if (stmt->step() != SQLITE_DONE) {
    Error e = sqlite::sqlite_error(db_.get(), "exceptions.write", "storing waiver " + w.id);
    (void)db_.exec("ROLLBACK");
    return e;
  }
  audit::AuditEntry entry;
  entry.kind = "exception";
  entry.actor = by.empty() ? options_.actor : by;
  entry.body = {{"event", event}, {"waiver", s.to_json(now())}, {"by", by}, {"via", options_.actor}};
  if (auto written = audit_.append(entry); !written) {
    (void)db_.exec("ROLLBACK");
    return make_error("exceptions.audit", "the change was not made because the audit record could not be written: " +
                                              written.error().to_string());
  }
  if (auto r = db_.exec("COMMIT", "exceptions.write"); !r) {
    (void)db_.exec("ROLLBACK");
    return r.error();
  }
  seen_version_ = -1;  // our own commits do not move data_version for this connection
  return s;
}

Result<StoredWaiver> Registry::add(const WaiverRequest& r) {
  const auto at = now();
  if (auto valid = validate_request(r, at); !valid) return valid.error();
  if (options_.reserved_ids.count(r.id) > 0) {
    return invalid("exceptions.duplicate_id", "id", r.id + " is already a waiver in the configuration file");
  }
  std::lock_guard lock(mutex_);
  auto existing = load_locked(r.id);
  if (!existing) return existing.error();
  if (!existing->empty()) return invalid("exceptions.duplicate_id", "id", r.id + " is already in the registry");
  StoredWaiver s;
  s.waiver.id = r.id;
  s.waiver.controls = r.controls;
  s.waiver.resources = r.resources;
  s.waiver.accounts = r.accounts;
  s.waiver.tags = r.tags;
  s.waiver.expires = parse_date(r.expires);
  s.waiver.status = r.approver.empty() ? WaiverStatus::pending : WaiverStatus::approved;
  s.waiver.approver = r.approver;
  s.waiver.reason = r.reason;
  s.created_by = r.requested_by;
  s.created_at = audit::format_time(at);
  return change_locked(s, "added", r.requested_by);
}

Result<StoredWaiver> Registry::approve(const std::string& id, const std::string& approver) {
  if (!plain_token(approver, 256)) return invalid("exceptions.missing_field", "approver", "required (no spaces)");
  std::lock_guard lock(mutex_);
  auto found = load_locked(id);
  if (!found) return found.error();
  if (found->empty()) return invalid("exceptions.not_found", "id", "no waiver " + escape_for_display(id) + " in the registry");
  StoredWaiver s = found->front();
  if (s.waiver.status != WaiverStatus::pending) {
    return invalid("exceptions.not_pending", "id", id + " is " + to_string(s.waiver.status) + ", not pending");
  }
  if (approver == s.created_by) {
    return invalid("exceptions.self_approval", "approver",
                   "\"" + escape_for_display(approver) + "\" requested " + id + " and cannot also approve it");
  }
  const auto at = now();
  if (effective_status(Waiver{.status = WaiverStatus::approved, .expires = s.waiver.expires}, at) == "expired") {
    return invalid("exceptions.invalid_expiry", "expires", id + " expired " + format_date(*s.waiver.expires));
  }
  s.waiver.status = WaiverStatus::approved;
  s.waiver.approver = approver;
  s.updated_by = approver;
  s.updated_at = audit::format_time(at);
  return change_locked(s, "approved", approver);
}

Result<StoredWaiver> Registry::revoke(const std::string& id, const std::string& by, const std::string& reason) {
  if (!plain_token(by, 256)) return invalid("exceptions.missing_field", "by", "required: who revokes (no spaces)");
  if (trim(reason).empty() || !readable_text(reason)) {
    return invalid("exceptions.missing_field", "reason", "required: say why the waiver ends");
  }
  std::lock_guard lock(mutex_);
  auto found = load_locked(id);
  if (!found) return found.error();
  if (found->empty()) return invalid("exceptions.not_found", "id", "no waiver " + escape_for_display(id) + " in the registry");
  StoredWaiver s = found->front();
  if (s.waiver.status == WaiverStatus::revoked) return invalid("exceptions.already_revoked", "id", id + " is already revoked");
  s.waiver.status = WaiverStatus::revoked;
  s.updated_by = by;
  s.updated_at = audit::format_time(now());
  s.revoke_reason = reason;
  return change_locked(s, "revoked", by);
}

Result<StoredWaiver> Registry::get(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto found = load_locked(id);
  if (!found) return found.error();
  if (found->empty()) return invalid("exceptions.not_found", "id", "no waiver " + escape_for_display(id) + " in the registry");
  return found->front();
}

Result<std::vector<StoredWaiver>> Registry::list() {
  std::lock_guard lock(mutex_);
  return load_locked("");
}

Result<std::shared_ptr<const WaiverIndex>> Registry::snapshot() {
  std::lock_guard lock(mutex_);
  const int stepped = data_version_.step();
  const int64_t current = stepped == SQLITE_ROW ? data_version_.column_int64(0) : -1;
  data_version_.reset();
  if (stepped != SQLITE_ROW) return sqlite::sqlite_error(db_.get(), "exceptions.read", "PRAGMA data_version");
  if (current == seen_version_) return snapshot_;
  auto loaded = load_locked("");
  if (!loaded) return loaded.error();
  std::vector<Waiver> waivers;
  waivers.reserve(loaded->size());
  for (auto& s : *loaded) waivers.push_back(std::move(s.waiver));
  snapshot_ = std::make_shared<const WaiverIndex>(std::move(waivers));
  seen_version_ = current;
  return snapshot_;
}

Result<std::vector<Waiver>> Registry::waivers_for(const Finding& finding) {
  auto current = snapshot();
  if (!current) return current.error();
  return (*current)->covering(finding);
}

Result<std::vector<Waiver>> Registry::waivers() {
  auto current = snapshot();
  if (!current) return current.error();
  return (*current)->all();
}

}  // namespace fixgate::exceptions
