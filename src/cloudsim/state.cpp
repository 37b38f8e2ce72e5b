#include "cloudsim/state.h"

#include <openssl/sha.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace fixgate::cloudsim {
namespace {

using nlohmann::json;

// Raised only inside this file; world_from_json turns it into an Error.
struct SeedError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Field access that names the JSON path of whatever is wrong.
class Node {
 public:
  Node(const json& value, std::string path, TimePoint now) : v_(value), path_(std::move(path)), now_(now) {}

  const std::string& path() const { return path_; }
  bool has(const char* key) const { return v_.is_object() && v_.contains(key) && !v_.at(key).is_null(); }

  Node child(const char* key) const { return Node(v_.at(key), path_ + "." + key, now_); }

  std::string str(const char* key, const std::string& fallback = "", bool required = false) const {
    if (!has(key)) {
      if (required) fail(std::string(key) + ": required string is missing");
      return fallback;
    }
    const json& f = v_.at(key);
    if (!f.is_string()) fail(std::string(key) + ": expected a string");
    return f.get<std::string>();
  }
  bool boolean(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    const json& f = v_.at(key);
    if (!f.is_boolean()) fail(std::string(key) + ": expected true or false");
    return f.get<bool>();
  }
  int integer(const char* key, int fallback) const {
    if (!has(key)) return fallback;
    const json& f = v_.at(key);
    if (!f.is_number_integer()) fail(std::string(key) + ": expected an integer");
    return f.get<int>();
  }
  TimePoint time(const char* key, TimePoint fallback) const {
    if (!has(key)) return fallback;
    const std::string text = str(key);
    auto t = parse_seed_time(text, now_);
    if (!t) fail(std::string(key) + ": expected an ISO-8601 date or now-<N>[dhms], got \"" + text + "\"");
    return *t;
  }
  std::vector<Node> items(const char* key) const {
    std::vector<Node> out;
    if (!has(key)) return out;
    const json& f = v_.at(key);
    if (!f.is_array()) fail(std::string(key) + ": expected an array");
    for (size_t i = 0; i < f.size(); ++i) {
      out.emplace_back(f[i], path_ + "." + key + "[" + std::to_string(i) + "]", now_);
    }
    return out;
  }
  std::vector<std::string> strings(const char* key) const {
    std::vector<std::string> out;
    for (const Node& n : items(key)) {
      if (!n.v_.is_string()) n.fail("expected a string");
      out.push_back(n.v_.get<std::string>());
    }
    return out;
  }
  std::map<std::string, std::string> tags(const char* key) const {
    std::map<std::string, std::string> out;
    if (!has(key)) return out;
    const json& f = v_.at(key);
    if (!f.is_object()) fail(std::string(key) + ": expected an object of string values");
    for (auto it = f.begin(); it != f.end(); ++it) {
      if (!it.value().is_string()) fail(std::string(key) + "." + it.key() + ": expected a string");
      out[it.key()] = it.value().get<std::string>();
    }
    return out;
  }
  const json& raw() const { return v_; }
  [[noreturn]] void fail(const std::string& what) const { throw SeedError(path_ + "." + what); }

 private:
  const json& v_;
  std::string path_;
  TimePoint now_;
};

std::string hex_digest(const std::string& text) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), md);
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : md) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

// Stable pseudo-random ids ("AIDA" + 17 upper-case chars) derived from a name.
std::string derived_id(const std::string& prefix, const std::string& seed, size_t length) {
  const std::string h = hex_digest(seed);
  std::string out = prefix;
  for (size_t i = 0; out.size() < prefix.size() + length; ++i) {
    const char c = h[i % h.size()];
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

PublicAccessBlock read_pab(const Node& n) {
  PublicAccessBlock p;
  p.block_public_acls = n.boolean("BlockPublicAcls", false);
  p.ignore_public_acls = n.boolean("IgnorePublicAcls", false);
  p.block_public_policy = n.boolean("BlockPublicPolicy", false);
  p.restrict_public_buckets = n.boolean("RestrictPublicBuckets", false);
  return p;
}

json pab_json(const PublicAccessBlock& p) {
  return {{"BlockPublicAcls", p.block_public_acls},
          {"IgnorePublicAcls", p.ignore_public_acls},
          {"BlockPublicPolicy", p.block_public_policy},
          {"RestrictPublicBuckets", p.restrict_public_buckets}};
}

const std::set<std::string>& valid_permissions() {
  static const std::set<std::string> p{"FULL_CONTROL", "READ", "WRITE", "READ_ACP", "WRITE_ACP"};
  return p;
}

AclGrant read_grant(const Node& n, const std::string& owner_canonical) {
  AclGrant g;
  g.permission = n.str("permission", "", true);
  if (!valid_permissions().count(g.permission)) n.fail("permission: not an S3 permission: " + g.permission);
  if (n.has("uri")) {
    g.grantee_type = "Group";
    g.uri = n.str("uri");
  } else if (n.has("group")) {
    // Short names for the two public groups.
    const std::string group = n.str("group");
    g.grantee_type = "Group";
    if (group == "AllUsers" || group == "AuthenticatedUsers" || group == "LogDelivery") {
      g.uri = std::string("http://acs.amazonaws.com/groups/") + (group == "LogDelivery" ? "s3/" : "global/") + group;
    } else {
      n.fail("group: expected AllUsers, AuthenticatedUsers or LogDelivery");
    }
  } else if (n.has("email")) {
    g.grantee_type = "AmazonCustomerByEmail";
    g.email = n.str("email");
  } else {
    g.grantee_type = "CanonicalUser";
    g.id = n.str("id", owner_canonical);
    g.display_name = n.str("display_name");
  }
  return g;
}

json grant_json(const AclGrant& g) {
  json j{{"permission", g.permission}};
  if (g.grantee_type == "Group") j["uri"] = g.uri;
  else if (g.grantee_type == "AmazonCustomerByEmail") j["email"] = g.email;
  else {
    j["id"] = g.id;
    if (!g.display_name.empty()) j["display_name"] = g.display_name;
  }
  return j;
}

SgRule read_rule(const Node& n, const std::string& group_id, size_t index, bool egress) {
  SgRule r;
  r.egress = egress;
  r.rule_id = n.str("rule_id", derived_id("sgr-", group_id + (egress ? "e" : "i") + std::to_string(index), 17));
  for (char& c : r.rule_id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  r.protocol = n.str("protocol", "", true);
  if (r.protocol == "all") r.protocol = "-1";
  r.from_port = n.integer("from_port", -1);
  r.to_port = n.integer("to_port", r.from_port);
  r.description = n.str("description");
  int sources = 0;
  if (n.has("cidr_ipv4")) { r.source_kind = "cidr_ipv4"; r.source = n.str("cidr_ipv4"); ++sources; }
  if (n.has("cidr_ipv6")) { r.source_kind = "cidr_ipv6"; r.source = n.str("cidr_ipv6"); ++sources; }
  if (n.has("group_id")) {
    r.source_kind = "group";
    r.source = n.str("group_id");
    r.source_user_id = n.str("group_owner");
    ++sources;
  }
  if (n.has("prefix_list_id")) { r.source_kind = "prefix_list"; r.source = n.str("prefix_list_id"); ++sources; }
  if (sources != 1) n.fail("needs exactly one of cidr_ipv4, cidr_ipv6, group_id, prefix_list_id");
  if (r.protocol != "-1" && (r.from_port < -1 || r.to_port > 65535)) n.fail("from_port/to_port: out of range");
  return r;
}

json rule_json(const SgRule& r) {
  json j{{"rule_id", r.rule_id}, {"protocol", r.protocol}, {"from_port", r.from_port}, {"to_port", r.to_port}};
  if (r.source_kind == "cidr_ipv4") j["cidr_ipv4"] = r.source;
  if (r.source_kind == "cidr_ipv6") j["cidr_ipv6"] = r.source;
  if (r.source_kind == "prefix_list") j["prefix_list_id"] = r.source;
  if (r.source_kind == "group") {
    j["group_id"] = r.source;
    if (!r.source_user_id.empty()) j["group_owner"] = r.source_user_id;
  }
  if (!r.description.empty()) j["description"] = r.description;
  return j;
}

Account read_account(const Node& n, TimePoint now) {
  Account a;
  a.id = n.str("id", "", true);
  if (a.id.size() != 12 || a.id.find_first_not_of("0123456789") != std::string::npos) {
    n.fail("id: expected a 12-digit account id, got \"" + a.id + "\"");
  }
  a.alias = n.str("alias");
  const TimePoint default_date = now - std::chrono::hours(24 * 400);
  if (n.has("iam")) {
    const Node iam = n.child("iam");
    for (const Node& u : iam.items("users")) {
      IamUser user;
      user.name = u.str("name", "", true);
      user.user_id = u.str("user_id", derived_id("AIDA", a.id + "/" + user.name, 17));
      user.path = u.str("path", "/");
      user.create_date = u.time("create_date", default_date);
      for (const Node& k : u.items("access_keys")) {
        AccessKey key;
        key.id = k.str("id", "", true);
        key.secret = k.str("secret");
        key.status = k.str("status", "Active");
        if (key.status != "Active" && key.status != "Inactive") k.fail("status: expected Active or Inactive");
        key.create_date = k.time("create_date", user.create_date);
        if (k.has("last_used")) {
          const Node lu = k.child("last_used");
          key.last_used = AccessKeyLastUsed{lu.time("date", now), lu.str("service", "", true), lu.str("region", "us-east-1")};
        }
        user.access_keys.push_back(std::move(key));
      }
      a.users.push_back(std::move(user));
    }
    for (const Node& r : iam.items("roles")) {
      IamRole role;
      role.name = r.str("name", "", true);
      role.role_id = r.str("role_id", derived_id("AROA", a.id + "/" + role.name, 17));
      role.path = r.str("path", "/");
      role.create_date = r.time("create_date", default_date);
      role.max_session_duration = r.integer("max_session_duration", 3600);
      if (!r.has("trust_policy")) r.fail("trust_policy: required");
      const json& tp = r.raw().at("trust_policy");
      role.trust_policy = tp.is_string() ? tp.get<std::string>() : tp.dump();
      a.roles.push_back(std::move(role));
    }
  }
  const std::string owner = canonical_user_id(a.id);
  if (n.has("s3")) {
    const Node s3 = n.child("s3");
    if (s3.has("account_public_access_block")) a.account_public_access_block = read_pab(s3.child("account_public_access_block"));
    for (const Node& b : s3.items("buckets")) {
      Bucket bucket;
      bucket.name = b.str("name", "", true);
      bucket.region = b.str("region", "us-east-1");
      bucket.create_date = b.time("create_date", default_date);
      if (b.has("public_access_block")) bucket.public_access_block = read_pab(b.child("public_access_block"));
      if (b.has("grants")) {
        for (const Node& g : b.items("grants")) bucket.grants.push_back(read_grant(g, owner));
      } else {
        bucket.grants.push_back(AclGrant{"CanonicalUser", owner, "", "", "", "FULL_CONTROL"});
      }
      if (b.has("policy")) {
        const json& p = b.raw().at("policy");
        bucket.policy = p.is_string() ? p.get<std::string>() : p.dump();
      }
      if (b.has("encryption")) {
        const Node e = b.child("encryption");
        bucket.encryption = BucketEncryption{e.str("algorithm", "AES256"), e.str("kms_key_id"), e.boolean("bucket_key_enabled", false)};
      }
      bucket.tags = b.tags("tags");
      a.buckets.push_back(std::move(bucket));
    }
  }
  if (n.has("ec2")) {
    const Node ec2 = n.child("ec2");
    for (const Node& g : ec2.items("security_groups")) {
      SecurityGroup sg;
      sg.group_id = g.str("group_id", "", true);
      sg.name = g.str("name", sg.group_id);
      sg.description = g.str("description", sg.name);
      sg.vpc_id = g.str("vpc_id", "vpc-0000000000000000a");
      sg.region = g.str("region", "us-east-1");
      size_t i = 0;
      for (const Node& r : g.items("ingress")) sg.rules.push_back(read_rule(r, sg.group_id, i++, false));
      for (const Node& r : g.items("egress")) sg.rules.push_back(read_rule(r, sg.group_id, i++, true));
      sg.tags = g.tags("tags");
      a.security_groups.push_back(std::move(sg));
    }
    if (ec2.has("ebs_encryption_by_default")) {
      const json& m = ec2.raw().at("ebs_encryption_by_default");
      if (!m.is_object()) ec2.fail("ebs_encryption_by_default: expected an object of region: bool");
      for (auto it = m.begin(); it != m.end(); ++it) {
        if (!it.value().is_boolean()) ec2.fail("ebs_encryption_by_default." + it.key() + ": expected true or false");
        a.ebs_encryption_by_default[it.key()] = it.value().get<bool>();
      }
    }
    for (const Node& s : ec2.items("snapshots")) {
      Ec2Snapshot snap;
      snap.snapshot_id = s.str("snapshot_id", "", true);
      snap.region = s.str("region", "us-east-1");
      for (auto& g : s.strings("create_volume_groups")) snap.create_volume_groups.insert(g);
      for (auto& u : s.strings("create_volume_user_ids")) snap.create_volume_user_ids.insert(u);
      a.ec2_snapshots.push_back(std::move(snap));
    }
  }
  if (n.has("kms")) {
    for (const Node& k : n.child("kms").items("keys")) {
      KmsKey key;
      key.key_id = k.str("key_id", "", true);
      key.region = k.str("region", "us-east-1");
      key.key_state = k.str("key_state", "Enabled");
      key.key_manager = k.str("key_manager", "CUSTOMER");
      key.rotation_enabled = k.boolean("rotation_enabled", false);
      key.rotation_period_days = k.integer("rotation_period_days", 365);
      a.kms_keys.push_back(std::move(key));
    }
  }
  if (n.has("rds")) {
    for (const Node& s : n.child("rds").items("snapshots")) {
      RdsSnapshot snap;
      snap.identifier = s.str("identifier", "", true);
      snap.region = s.str("region", "us-east-1");
      for (auto& v : s.strings("restore")) snap.restore.insert(v);
      a.rds_snapshots.push_back(std::move(snap));
    }
  }
  if (n.has("cloudtrail")) {
    for (const Node& t : n.child("cloudtrail").items("trails")) {
      Trail trail;
      trail.name = t.str("name", "", true);
      trail.home_region = t.str("home_region", "us-east-1");
      trail.s3_bucket = t.str("s3_bucket", "", true);
      trail.log_file_validation = t.boolean("log_file_validation", false);
      trail.multi_region = t.boolean("multi_region", false);
      trail.include_global_events = t.boolean("include_global_events", true);
      a.trails.push_back(std::move(trail));
    }
  }
  if (n.has("tagging")) {
    for (const Node& r : n.child("tagging").items("resources")) {
      a.other_tagged_resources.push_back(TaggedResource{r.str("arn", "", true), r.tags("tags")});
    }
  }
  return a;
}

}  // namespace

Account* World::find_account(const std::string& id) {
  for (Account& a : accounts) {
    if (a.id == id) return &a;
  }
  return nullptr;
}

Bucket* World::find_bucket(const std::string& name, std::string* owner_account) {
  for (Account& a : accounts) {
    for (Bucket& b : a.buckets) {
      if (b.name == name) {
        if (owner_account) *owner_account = a.id;
        return &b;
      }
    }
  }
  return nullptr;
}

const AccessKey* World::find_access_key(const std::string& key_id, std::string* account_id,
                                        std::string* user_name) const {
  for (const Account& a : accounts) {
    for (const IamUser& u : a.users) {
      for (const AccessKey& k : u.access_keys) {
        if (k.id == key_id) {
          if (account_id) *account_id = a.id;
          if (user_name) *user_name = u.name;
          return &k;
        }
      }
    }
  }
  return nullptr;
}

std::string canonical_user_id(const std::string& account_id) { return hex_digest("canonical:" + account_id); }

std::string format_iso8601(TimePoint t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<TimePoint> parse_seed_time(const std::string& text, TimePoint now) {
  if (text == "now") return now;
  if (text.rfind("now-", 0) == 0 && text.size() > 5) {
    const char unit = text.back();
    const std::string digits = text.substr(4, text.size() - 5);
    if (digits.empty() || digits.size() > 7 || digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    const long n = std::stol(digits);
    switch (unit) {
      case 'd': return now - std::chrono::hours(24 * n);
      case 'h': return now - std::chrono::hours(n);
      case 'm': return now - std::chrono::minutes(n);
      case 's': return now - std::chrono::seconds(n);
      default: return std::nullopt;
    }
  }
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return std::nullopt;
  }
  std::string rest = text.substr(static_cast<size_t>(consumed));
  if (!rest.empty() && rest[0] == '.') {
    size_t i = 1;
    while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) ++i;
    rest = rest.substr(i);
  }
  if (rest != "Z" && rest != "+00:00") return std::nullopt;
  if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
      tm.tm_sec > 60) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

Result<World> world_from_json(const nlohmann::json& seed, TimePoint now) {
  try {
    if (!seed.is_object()) return make_error("cloudsim.seed", "seed: expected a JSON object with \"accounts\"");
    Node root(seed, "seed", now);
    World w;
    std::set<std::string> seen;
    for (const Node& a : root.items("accounts")) {
      Account account = read_account(a, now);
      if (!seen.insert(account.id).second) a.fail("id: duplicate account " + account.id);
      w.accounts.push_back(std::move(account));
    }
    if (w.accounts.empty()) return make_error("cloudsim.seed", "seed.accounts: at least one account is required");
    return w;
  } catch (const SeedError& e) {
    return make_error("cloudsim.seed", e.what());
  } catch (const std::exception& e) {
    return make_error("cloudsim.seed", std::string("seed: ") + e.what());
  }
}

Result<World> world_from_file(const std::string& path, TimePoint now) {
  std::ifstream in(path);
  if (!in) return make_error("cloudsim.seed", "cannot open seed file " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  json seed = json::parse(buf.str(), nullptr, false);
  if (seed.is_discarded()) return make_error("cloudsim.seed", path + ": not valid JSON");
  auto w = world_from_json(seed, now);
  if (!w.ok()) return make_error("cloudsim.seed", path + ": " + w.error().message);
  return w;
}

json world_to_json(const World& world) {
  json accounts = json::array();
  for (const Account& a : world.accounts) {
    json users = json::array();
    for (const IamUser& u : a.users) {
      json keys = json::array();
      for (const AccessKey& k : u.access_keys) {
        json kj{{"id", k.id}, {"status", k.status}, {"create_date", format_iso8601(k.create_date)}};
        if (k.last_used) {
          kj["last_used"] = {{"date", format_iso8601(k.last_used->date)}, {"service", k.last_used->service},
                             {"region", k.last_used->region}};
        }
        keys.push_back(std::move(kj));
      }
      users.push_back({{"name", u.name}, {"user_id", u.user_id}, {"path", u.path},
                       {"create_date", format_iso8601(u.create_date)}, {"access_keys", std::move(keys)}});
    }
    json roles = json::array();
    for (const IamRole& r : a.roles) {
      json policy = json::parse(r.trust_policy, nullptr, false);
      roles.push_back({{"name", r.name}, {"role_id", r.role_id}, {"path", r.path},
                       {"create_date", format_iso8601(r.create_date)},
                       {"max_session_duration", r.max_session_duration},
                       {"trust_policy", policy.is_discarded() ? json(r.trust_policy) : policy}});
    }
    json buckets = json::array();
    for (const Bucket& b : a.buckets) {
      json bj{{"name", b.name}, {"region", b.region}, {"create_date", format_iso8601(b.create_date)}};
      if (b.public_access_block) bj["public_access_block"] = pab_json(*b.public_access_block);
      bj["grants"] = json::array();
      for (const AclGrant& g : b.grants) bj["grants"].push_back(grant_json(g));
      if (b.policy) bj["policy"] = *b.policy;
      if (b.encryption) {
        bj["encryption"] = {{"algorithm", b.encryption->algorithm}, {"bucket_key_enabled", b.encryption->bucket_key_enabled}};
        if (!b.encryption->kms_key_id.empty()) bj["encryption"]["kms_key_id"] = b.encryption->kms_key_id;
      }
      bj["tags"] = b.tags;
      buckets.push_back(std::move(bj));
    }
    json s3{{"buckets", std::move(buckets)}};
    if (a.account_public_access_block) s3["account_public_access_block"] = pab_json(*a.account_public_access_block);
    json groups = json::array();
    for (const SecurityGroup& g : a.security_groups) {
      json ingress = json::array(), egress = json::array();
      for (const SgRule& r : g.rules) (r.egress ? egress : ingress).push_back(rule_json(r));
      groups.push_back({{"group_id", g.group_id}, {"name", g.name}, {"description", g.description},
                        {"vpc_id", g.vpc_id}, {"region", g.region}, {"ingress", std::move(ingress)},
                        {"egress", std::move(egress)}, {"tags", g.tags}});
    }
    json snaps = json::array();
    for (const Ec2Snapshot& s : a.ec2_snapshots) {
      snaps.push_back({{"snapshot_id", s.snapshot_id}, {"region", s.region},
                       {"create_volume_groups", s.create_volume_groups},
                       {"create_volume_user_ids", s.create_volume_user_ids}});
    }
    json keys = json::array();
    for (const KmsKey& k : a.kms_keys) {
      keys.push_back({{"key_id", k.key_id}, {"region", k.region}, {"key_state", k.key_state},
                      {"key_manager", k.key_manager}, {"rotation_enabled", k.rotation_enabled},
                      {"rotation_period_days", k.rotation_period_days}});
    }
    json rds = json::array();
    for (const RdsSnapshot& s : a.rds_snapshots) {
      rds.push_back({{"identifier", s.identifier}, {"region", s.region}, {"restore", s.restore}});
    }
    json trails = json::array();
    for (const Trail& t : a.trails) {
      trails.push_back({{"name", t.name}, {"home_region", t.home_region}, {"s3_bucket", t.s3_bucket},
                        {"log_file_validation", t.log_file_validation}, {"multi_region", t.multi_region},
                        {"include_global_events", t.include_global_events}});
    }
    json tagged = json::array();
    for (const TaggedResource& r : a.other_tagged_resources) tagged.push_back({{"arn", r.arn}, {"tags", r.tags}});
    accounts.push_back({{"id", a.id},
                        {"alias", a.alias},
                        {"iam", {{"users", std::move(users)}, {"roles", std::move(roles)}}},
                        {"s3", std::move(s3)},
                        {"ec2", {{"security_groups", std::move(groups)},
                                 {"ebs_encryption_by_default", a.ebs_encryption_by_default},
                                 {"snapshots", std::move(snaps)}}},
                        {"kms", {{"keys", std::move(keys)}}},
                        {"rds", {{"snapshots", std::move(rds)}}},
                        {"cloudtrail", {{"trails", std::move(trails)}}},
                        {"tagging", {{"resources", std::move(tagged)}}}});
  }
  return json{{"accounts", std::move(accounts)}};
}

}  // namespace fixgate::cloudsim
