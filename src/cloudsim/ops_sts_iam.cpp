// STS (AssumeRole, GetCallerIdentity) and IAM access-key operations, Query
// protocol with XML responses.
#include <random>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "cloudsim/ops.h"
#include "core/result.h"
#include "core/text.h"

namespace fixgate::cloudsim {
namespace {

using nlohmann::json;

std::string random_chars(size_t n, const std::string& alphabet) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::string out;
  for (size_t i = 0; i < n; ++i) out.push_back(alphabet[pick(rng)]);
  return out;
}

const std::string kUpperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const std::string kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

ApiError validation(const std::string& message) { return ApiError{400, "ValidationError", message}; }

std::vector<std::string> as_strings(const json& v) {
  std::vector<std::string> out;
  if (v.is_string()) out.push_back(v.get<std::string>());
  if (v.is_array()) {
    for (const json& e : v) {
      if (e.is_string()) out.push_back(e.get<std::string>());
    }
  }
  return out;
}

// Does a trust-policy principal entry name this caller? "*", the caller's
// account ("123456789012" or its :root ARN), its exact ARN, or the role a
// session belongs to.
bool principal_matches(const std::string& entry, const Caller& caller, const std::string& caller_role_arn) {
  if (entry == "*") return true;
  if (entry == caller.account_id || entry == "arn:aws:iam::" + caller.account_id + ":root") return true;
  if (entry == caller.arn) return true;
  return !caller_role_arn.empty() && entry == caller_role_arn;
}

// The request context a trust-policy condition can test.
struct TrustContext {
  std::string external_id;
  std::string source_identity;
  std::string session_name;
};

// IAM StringLike: '*' any run of characters, '?' any one character.
bool string_like(const std::string& pattern, const std::string& text) {
  size_t p = 0, t = 0, star = std::string::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p, ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// Conditions we can evaluate (StringEquals / StringLike on sts:ExternalId,
// sts:SourceIdentity, sts:RoleSessionName); any other operator or key makes the
// statement not apply (fail closed: an Allow we cannot check grants nothing).
bool conditions_hold(const json& condition, const TrustContext& context) {
  if (condition.is_null()) return true;
  if (!condition.is_object()) return false;
  for (auto op = condition.begin(); op != condition.end(); ++op) {
    const bool like = op.key() == "StringLike";
    if ((!like && op.key() != "StringEquals") || !op.value().is_object()) return false;
    for (auto kv = op.value().begin(); kv != op.value().end(); ++kv) {
      std::string actual;
      if (kv.key() == "sts:ExternalId") actual = context.external_id;
      else if (kv.key() == "sts:SourceIdentity") actual = context.source_identity;
      else if (kv.key() == "sts:RoleSessionName") actual = context.session_name;
      else return false;
      if (actual.empty()) return false;
      bool any = false;
      for (const std::string& allowed : as_strings(kv.value())) {
        any = any || (like ? string_like(allowed, actual) : allowed == actual);
      }
      if (!any) return false;
    }
  }
  return true;
}

bool action_matches(const json& action, const std::string& wanted) {
  for (const std::string& a : as_strings(action)) {
    if (a == wanted || a == "sts:*" || a == "*") return true;
  }
  return false;
}

// Evaluates the role's trust policy for this caller, external id and one STS
// action: sts:AssumeRole, and — as real AWS requires when the request carries
// them — sts:SetSourceIdentity for a SourceIdentity and sts:TagSession for tags.
bool trust_allows(const IamRole& role, const Caller& caller, const std::string& wanted, const TrustContext& context) {
  const json policy = json::parse(role.trust_policy, nullptr, false);
  if (!policy.is_object() || !policy.contains("Statement")) return false;
  json statements = policy.at("Statement");
  if (statements.is_object()) statements = json::array({statements});
  std::string caller_role_arn;
  if (caller.is_session) {
    // arn:aws:sts::ACCT:assumed-role/ROLE/SESSION -> arn:aws:iam::ACCT:role/ROLE
    const auto start = caller.arn.find("assumed-role/");
    const auto end = caller.arn.rfind('/');
    if (start != std::string::npos && end > start) {
      caller_role_arn = "arn:aws:iam::" + caller.account_id + ":role/" + caller.arn.substr(start + 13, end - start - 13);
    }
  }
  bool allowed = false;
  for (const json& st : statements) {
    if (!st.is_object() || !action_matches(st.value("Action", json()), wanted)) continue;
    bool principal = false;
    const json p = st.value("Principal", json());
    if (p.is_string() && p.get<std::string>() == "*") principal = true;
    if (p.is_object() && p.contains("AWS")) {
      for (const std::string& entry : as_strings(p.at("AWS"))) principal = principal || principal_matches(entry, caller, caller_role_arn);
    }
    if (!principal) continue;
    const bool holds = conditions_hold(st.value("Condition", json()), context);
    const std::string effect = st.value("Effect", "");
    if (effect == "Deny" && holds) return false;
    if (effect == "Allow" && holds) allowed = true;
  }
  return allowed;
}

// Tags.member.N.Key / .Value as STS checks them: at most 50, keys 1..128 and
// values 0..256 characters of [\p{L}\p{Z}\p{N}_.:/=+\-@], keys unique
// (case-insensitively) and not starting with "aws:". The simulator keeps to the
// ASCII part of those classes (letters, digits, space), as fixgate does.
Result<std::vector<std::pair<std::string, std::string>>> session_tags(const Call& call) {
  static const std::regex kTagText(R"([\w .:/=+\-@]*)");
  std::vector<std::pair<std::string, std::string>> tags;
  std::set<std::string> seen;
  for (int i = 1;; ++i) {
    const std::string prefix = "Tags.member." + std::to_string(i);
    if (!call.has_param(prefix + ".Key")) break;
    if (i > 50) return make_error("validation", "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50");
    const std::string key = call.param(prefix + ".Key");
    const std::string value = call.param(prefix + ".Value");
    if (key.empty() || key.size() > 128 || !std::regex_match(key, kTagText)) {
      return make_error("validation", "1 validation error detected: Value at 'tags." + std::to_string(i) +
                                          ".member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+");
    }
    if (value.size() > 256 || !std::regex_match(value, kTagText)) {
      return make_error("validation", "1 validation error detected: Value at 'tags." + std::to_string(i) +
                                          ".member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");
    }
    if (to_lower(key).rfind("aws:", 0) == 0) return make_error("validation", "Tag keys may not start with 'aws:'");
    if (!seen.insert(to_lower(key)).second) return make_error("validation", "Duplicate tag keys found: " + key);
    tags.emplace_back(key, value);
  }
  return tags;
}

Outcome assume_role(OpContext& ctx, const Call& call) {
  const std::string role_arn = call.param("RoleArn");
  const std::string session_name = call.param("RoleSessionName");
  if (role_arn.empty()) return validation("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
  if (session_name.empty()) {
    return validation("1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null");
  }
  static const std::regex kSessionName(R"([\w+=,.@-]{2,64})");
  if (!std::regex_match(session_name, kSessionName)) {
    return validation("1 validation error detected: Value '" + session_name +
                      "' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
  }
  const std::string source_identity = call.param("SourceIdentity");
  if (!source_identity.empty() && !std::regex_match(source_identity, kSessionName)) {
    return validation("1 validation error detected: Value at 'sourceIdentity' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
  }
  auto tags = session_tags(call);
  if (!tags.ok()) return validation(tags.error().message);
  int duration = 3600;
  if (call.has_param("DurationSeconds")) {
    const std::string d = call.param("DurationSeconds");
    if (d.empty() || d.size() > 6 || d.find_first_not_of("0123456789") != std::string::npos) {
      return validation("DurationSeconds must be an integer");
    }
    duration = std::stoi(d);
    if (duration < 900) {
      return validation("1 validation error detected: Value '" + d +
                        "' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900");
    }
  }
  Caller caller{"", call.account_id, call.principal_arn, call.user_id, call.principal_arn.find(":assumed-role/") != std::string::npos};
  const ApiError denied{403, "AccessDenied",
                        "User: " + call.principal_arn + " is not authorized to perform: sts:AssumeRole on resource: " + role_arn};
  static const std::regex kRoleArn(R"(arn:aws:iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]{1,64}))");
  std::smatch m;
  if (!std::regex_match(role_arn, m, kRoleArn)) {
    return validation("1 validation error detected: Value '" + role_arn + "' at 'roleArn' failed to satisfy constraint: Member must be a role ARN");
  }
  Account* target = ctx.world.find_account(m[1].str());
  if (target == nullptr) return denied;
  const IamRole* role = nullptr;
  for (const IamRole& r : target->roles) {
    if (r.name == m[2].str()) role = &r;
  }
  if (role == nullptr) return denied;
  const TrustContext context{call.param("ExternalId"), source_identity, session_name};
  if (!trust_allows(*role, caller, "sts:AssumeRole", context)) return denied;
  auto denied_for = [&](const char* action) {
    return ApiError{403, "AccessDenied", "User: " + call.principal_arn + " is not authorized to perform: " + action +
                                             " on resource: " + role_arn};
  };
  if (!source_identity.empty() && !trust_allows(*role, caller, "sts:SetSourceIdentity", context)) {
    return denied_for("sts:SetSourceIdentity");
  }
  if (!tags->empty() && !trust_allows(*role, caller, "sts:TagSession", context)) {
    return denied_for("sts:TagSession");
  }
  if (duration > role->max_session_duration) {
    return validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }
  Session s;
  s.access_key_id = "ASIA" + random_chars(16, kUpperAlnum);
  s.secret = random_chars(40, kBase64);
  s.token = "FQoGZXIvYXdzEFk" + random_chars(300, kBase64);
  s.account_id = target->id;
  s.role_name = role->name;
  s.role_id = role->role_id;
  s.session_name = session_name;
  s.source_identity = source_identity;
  s.tags = *tags;
  s.expiration = ctx.now + std::chrono::seconds(duration);
  ctx.sessions[s.access_key_id] = s;

  Xml x;
  if (!source_identity.empty()) x.leaf("SourceIdentity", source_identity);
  x.open("AssumedRoleUser")
      .leaf("AssumedRoleId", s.role_id + ":" + session_name)
      .leaf("Arn", "arn:aws:sts::" + target->id + ":assumed-role/" + role->name + "/" + session_name)
      .close("AssumedRoleUser");
  x.open("Credentials")
      .leaf("AccessKeyId", s.access_key_id)
      .leaf("SecretAccessKey", s.secret)
      .leaf("SessionToken", s.token)
      .leaf("Expiration", format_iso8601(s.expiration))
      .close("Credentials");
  return query_ok(call, x.str());
}

Outcome get_caller_identity(OpContext&, const Call& call) {
  Xml x;
  x.leaf("Arn", call.principal_arn).leaf("UserId", call.user_id).leaf("Account", call.account_id);
  return query_ok(call, x.str());
}

ApiError no_such_user(const std::string& name) {
  return ApiError{404, "NoSuchEntity", "The user with name " + name + " cannot be found."};
}

// The user a call names, or the calling user when UserName is absent.
std::variant<IamUser*, ApiError> target_user(OpContext& ctx, const Call& call) {
  std::string name = call.param("UserName");
  if (name.empty()) {
    const auto slash = call.principal_arn.find(":user/");
    if (slash == std::string::npos) return validation("Must specify userName when calling with non-User credentials");
    name = call.principal_arn.substr(slash + 6);
  }
  for (IamUser& u : ctx.account.users) {
    if (u.name == name) return &u;
  }
  return no_such_user(name);
}

// Marker is the index of the next item; MaxItems 1..1000 (default 100).
std::variant<std::pair<size_t, size_t>, ApiError> page_bounds(const Call& call, size_t total) {
  size_t start = 0, max = 100;
  const std::string marker = call.param("Marker"), max_items = call.param("MaxItems");
  if (!marker.empty()) {
    if (marker.size() > 6 || marker.find_first_not_of("0123456789") != std::string::npos) return validation("Invalid Marker");
    start = std::stoul(marker);
  }
  if (!max_items.empty()) {
    if (max_items.size() > 4 || max_items.find_first_not_of("0123456789") != std::string::npos) {
      return validation("Invalid MaxItems");
    }
    max = std::stoul(max_items);
    if (max < 1 || max > 1000) return validation("1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000");
  }
  return std::make_pair(std::min(start, total), std::min(total, start + max));
}

Outcome list_access_keys(OpContext& ctx, const Call& call) {
  auto user = target_user(ctx, call);
  if (auto* e = std::get_if<ApiError>(&user)) return *e;
  const IamUser& u = *std::get<IamUser*>(user);
  auto bounds = page_bounds(call, u.access_keys.size());
  if (auto* e = std::get_if<ApiError>(&bounds)) return *e;
  const auto [begin, end] = std::get<0>(bounds);
  Xml x;
  x.leaf("UserName", u.name).open("AccessKeyMetadata");
  for (size_t i = begin; i < end; ++i) {
    const AccessKey& k = u.access_keys[i];
    x.open("member")
        .leaf("UserName", u.name)
        .leaf("AccessKeyId", k.id)
        .leaf("Status", k.status)
        .leaf("CreateDate", format_iso8601(k.create_date))
        .close("member");
  }
  x.close("AccessKeyMetadata").leaf("IsTruncated", end < u.access_keys.size());
  if (end < u.access_keys.size()) x.leaf("Marker", std::to_string(end));
  return query_ok(call, x.str());
}

AccessKey* find_key(IamUser& user, const std::string& id) {
  for (AccessKey& k : user.access_keys) {
    if (k.id == id) return &k;
  }
  return nullptr;
}

Outcome update_access_key(OpContext& ctx, const Call& call) {
  const std::string key_id = call.param("AccessKeyId"), status = call.param("Status");
  if (key_id.empty()) return missing_parameter(Protocol::kQuery, "AccessKeyId");
  if (status != "Active" && status != "Inactive") {
    return validation("1 validation error detected: Value '" + status +
                      "' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]");
  }
  auto user = target_user(ctx, call);
  if (auto* e = std::get_if<ApiError>(&user)) return *e;
  AccessKey* key = find_key(*std::get<IamUser*>(user), key_id);
  if (key == nullptr) return ApiError{404, "NoSuchEntity", "The Access Key with id " + key_id + " cannot be found."};
  key->status = status;
  return query_ok(call, "", false);
}

Outcome get_access_key_last_used(OpContext& ctx, const Call& call) {
  const std::string key_id = call.param("AccessKeyId");
  if (key_id.empty()) return missing_parameter(Protocol::kQuery, "AccessKeyId");
  for (IamUser& u : ctx.account.users) {
    if (const AccessKey* k = find_key(u, key_id)) {
      Xml x;
      x.leaf("UserName", u.name).open("AccessKeyLastUsed");
      if (k->last_used) {
        x.leaf("LastUsedDate", format_iso8601(k->last_used->date))
            .leaf("ServiceName", k->last_used->service)
            .leaf("Region", k->last_used->region);
      } else {
        x.leaf("ServiceName", std::string("N/A")).leaf("Region", std::string("N/A"));
      }
      x.close("AccessKeyLastUsed");
      return query_ok(call, x.str());
    }
  }
  return ApiError{403, "AccessDenied",
                  "User: " + call.principal_arn + " is not authorized to perform: iam:GetAccessKeyLastUsed on resource: access key " + key_id};
}

Outcome list_users(OpContext& ctx, const Call& call) {
  const std::string prefix = call.param("PathPrefix").empty() ? "/" : call.param("PathPrefix");
  std::vector<const IamUser*> users;
  for (const IamUser& u : ctx.account.users) {
    if (u.path.rfind(prefix, 0) == 0) users.push_back(&u);
  }
  auto bounds = page_bounds(call, users.size());
  if (auto* e = std::get_if<ApiError>(&bounds)) return *e;
  const auto [begin, end] = std::get<0>(bounds);
  Xml x;
  x.open("Users");
  for (size_t i = begin; i < end; ++i) {
    const IamUser& u = *users[i];
    x.open("member")
        .leaf("Path", u.path)
        .leaf("UserName", u.name)
        .leaf("UserId", u.user_id)
        .leaf("Arn", "arn:aws:iam::" + ctx.account.id + ":user" + u.path + u.name)
        .leaf("CreateDate", format_iso8601(u.create_date))
        .close("member");
  }
  x.close("Users").leaf("IsTruncated", end < users.size());
  if (end < users.size()) x.leaf("Marker", std::to_string(end));
  return query_ok(call, x.str());
}

}  // namespace

const std::map<std::string, OperationInfo>& sts_operations() {
  static const std::map<std::string, OperationInfo> ops{
      {"AssumeRole", {Protocol::kQuery, assume_role}},
      {"GetCallerIdentity", {Protocol::kQuery, get_caller_identity}},
  };
  return ops;
}

const std::map<std::string, OperationInfo>& iam_operations() {
  static const std::map<std::string, OperationInfo> ops{
      {"ListAccessKeys", {Protocol::kQuery, list_access_keys}},
      {"UpdateAccessKey", {Protocol::kQuery, update_access_key}},
      {"GetAccessKeyLastUsed", {Protocol::kQuery, get_access_key_last_used}},
      {"ListUsers", {Protocol::kQuery, list_users}},
  };
  return ops;
}

}  // namespace fixgate::cloudsim
