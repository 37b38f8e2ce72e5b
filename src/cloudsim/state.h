// The cloud simulator's in-memory world: accounts and the resources fixgate reads
// and changes. Plain data; the Simulator guards it with one mutex.
//
// The same JSON shape is used to seed the world (a file or POST /__sim/seed) and
// to dump it (GET /__sim/state), so a dump can be fed back as a seed. Dates in a
// seed are ISO-8601 ("2024-05-01T00:00:00Z") or relative to load time
// ("now-120d", "now-3h", "now-15m"), so a committed seed stays "stale" or
// "recent" whenever it is loaded.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/result.h"

namespace fixgate::cloudsim {

using TimePoint = std::chrono::system_clock::time_point;

struct AccessKeyLastUsed {
  TimePoint date;
  std::string service;
  std::string region;
};

struct AccessKey {
  std::string id;
  std::string secret;  // never dumped; only keys with a secret can sign requests
  std::string status = "Active";
  TimePoint create_date;
  std::optional<AccessKeyLastUsed> last_used;
};

struct IamUser {
  std::string name;
  std::string user_id;
  std::string path = "/";
  TimePoint create_date;
  std::vector<AccessKey> access_keys;
};

struct IamRole {
  std::string name;
  std::string role_id;
  std::string path = "/";
  std::string trust_policy;  // JSON text of the AssumeRolePolicyDocument
  TimePoint create_date;
  int max_session_duration = 3600;
};

struct PublicAccessBlock {
  bool block_public_acls = false;
  bool ignore_public_acls = false;
  bool block_public_policy = false;
  bool restrict_public_buckets = false;
};

struct AclGrant {
  std::string grantee_type;  // CanonicalUser | Group | AmazonCustomerByEmail
  std::string id;            // CanonicalUser
  std::string display_name;  // CanonicalUser, optional
  std::string uri;           // Group
  std::string email;         // AmazonCustomerByEmail
  std::string permission;    // FULL_CONTROL | READ | WRITE | READ_ACP | WRITE_ACP
};

struct BucketEncryption {
  std::string algorithm = "AES256";  // AES256 | aws:kms | aws:kms:dsse
  std::string kms_key_id;
  bool bucket_key_enabled = false;
};

struct Bucket {
  std::string name;
  std::string region = "us-east-1";
  TimePoint create_date;
  std::optional<PublicAccessBlock> public_access_block;
  std::vector<AclGrant> grants;
  std::optional<std::string> policy;
  std::optional<BucketEncryption> encryption;
  std::map<std::string, std::string> tags;
};

// One security group rule: a protocol/port range and exactly one source. EC2's
// IpPermission groups several of these; rule ids are the sgr-... ids.
struct SgRule {
  std::string rule_id;
  bool egress = false;
  std::string protocol;  // "tcp", "udp", "icmp", "-1", or a number
  int from_port = -1;
  int to_port = -1;
  std::string source_kind;  // cidr_ipv4 | cidr_ipv6 | group | prefix_list
  std::string source;       // CIDR, sg id or pl id
  std::string source_user_id;  // for group sources: owning account
  std::string description;
};

struct SecurityGroup {
  std::string group_id;
  std::string name;
  std::string description;
  std::string vpc_id;
  std::string region = "us-east-1";
  std::vector<SgRule> rules;
  std::map<std::string, std::string> tags;
};

struct Ec2Snapshot {
  std::string snapshot_id;
  std::string region = "us-east-1";
  std::set<std::string> create_volume_groups;  // "all" means public
  std::set<std::string> create_volume_user_ids;
};

struct KmsKey {
  std::string key_id;
  std::string region = "us-east-1";
  std::string key_state = "Enabled";
  std::string key_manager = "CUSTOMER";
  bool rotation_enabled = false;
  int rotation_period_days = 365;
};

struct RdsSnapshot {
  std::string identifier;
  std::string region = "us-east-1";
  std::set<std::string> restore;  // "all" means public
};

struct Trail {
  std::string name;
  std::string home_region = "us-east-1";
  std::string s3_bucket;
  bool log_file_validation = false;
  bool multi_region = false;
  bool include_global_events = true;
};

struct TaggedResource {
  std::string arn;
  std::map<std::string, std::string> tags;
};

struct Account {
  std::string id;     // 12 digits
  std::string alias;  // e.g. "production"; informational
  std::vector<IamUser> users;
  std::vector<IamRole> roles;
  std::optional<PublicAccessBlock> account_public_access_block;
  std::vector<Bucket> buckets;
  std::vector<SecurityGroup> security_groups;
  std::map<std::string, bool> ebs_encryption_by_default;  // region -> enabled
  std::vector<Ec2Snapshot> ec2_snapshots;
  std::vector<KmsKey> kms_keys;
  std::vector<RdsSnapshot> rds_snapshots;
  std::vector<Trail> trails;
  std::vector<TaggedResource> other_tagged_resources;
};

struct World {
  std::vector<Account> accounts;

  Account* find_account(const std::string& id);
  // Finds the bucket in any account (S3 bucket names are global).
  Bucket* find_bucket(const std::string& name, std::string* owner_account = nullptr);
  // Finds the long-term key (any account, any user) with this id.
  const AccessKey* find_access_key(const std::string& key_id, std::string* account_id,
                                   std::string* user_name) const;
};

// Builds a World from the seed JSON. On error, names the offending field
// ("accounts[1].ec2.security_groups[0].rules[2].protocol: ...") and returns
// code "cloudsim.seed". `now` anchors relative dates.
Result<World> world_from_json(const nlohmann::json& seed, TimePoint now);
Result<World> world_from_file(const std::string& path, TimePoint now);

// Dumps the world in the seed shape (without secret access keys).
nlohmann::json world_to_json(const World& world);

// ISO-8601 UTC with seconds ("2024-05-01T12:00:00Z"), as Query/EC2 XML carry dates.
std::string format_iso8601(TimePoint t);
// Parses ISO-8601 (optionally with fractional seconds) or "now-<N>[dhms]".
std::optional<TimePoint> parse_seed_time(const std::string& text, TimePoint now);

// The account's canonical user id as S3 shows it in ACL owners (64 hex chars,
// derived from the account id so it is stable across runs).
std::string canonical_user_id(const std::string& account_id);

}  // namespace fixgate::cloudsim
