// fixgate's typed configuration (the reference file is shared/examples/fixgate.yaml).
//
// load_config() reads and validates a whole file and either returns a Config in
// which every value has been checked, or an error listing every problem found
// (file:line:col, key path, message, snippet). Nothing is half-loaded.
//
// Strings may name environment variables as "${NAME}". The credential strings of
// accounts (role_arn, external_id) stay lazy: a missing variable there fails only
// when access_for() resolves them. Every other string is read by every decision,
// so a missing variable there is reported at load time (decide() cannot fail).
//
// Top-level sections this component does not know (guardrails, notifications,
// server, audit, ...) are accepted and kept as JSON in extra_sections for the
// component that owns them; unknown keys inside known sections are errors.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/diagnostics.h"
#include "config/expandable.h"
#include "core/finding.h"
#include "core/result.h"
#include "core/severity.h"

namespace fixgate {

// enforce: remediate where a decision allows it. dry_run: plan and record only.
enum class Mode { enforce, dry_run };
// What an environment allows: auto remediate, wait for an approver, plan only, or
// never change and tell the owner.
enum class EnvironmentPolicy { auto_remediate, approval, dry_run, notify };
enum class WaiverStatus { approved, pending, rejected, revoked };

const char* to_string(Mode mode);
const char* to_string(EnvironmentPolicy policy);  // "auto", "approval", "dry_run", "notify"
const char* to_string(WaiverStatus status);
std::optional<EnvironmentPolicy> parse_environment_policy(std::string_view text);
std::optional<WaiverStatus> parse_waiver_status(std::string_view text);
// Strict YYYY-MM-DD with a real calendar day.
std::optional<std::chrono::year_month_day> parse_date(std::string_view text);
std::string format_date(std::chrono::year_month_day date);

struct Environments {
  std::vector<std::string> from_tags;               // tag keys, compared case-insensitively
  std::map<std::string, std::string> accounts;      // 12-digit account id -> environment
  std::map<std::string, std::string> aliases;       // lower-cased alias -> environment
  std::map<std::string, EnvironmentPolicy> policy;  // environment -> policy
  EnvironmentPolicy unknown = EnvironmentPolicy::notify;  // never auto: fail closed

  // The value folded through aliases (case-insensitively); unlisted values unchanged.
  std::string fold(std::string_view value) const;
  // Case-insensitive lookup in the policy table; nullptr when absent. `name_out`
  // receives the table's spelling of the environment.
  const EnvironmentPolicy* find_policy(std::string_view environment, std::string* name_out = nullptr) const;
};

// One account's access settings. In the default entry every field is set; in a
// per-account entry an unset field falls back to the default.
struct AccountSettings {
  std::optional<ExpandableString> role_arn;  // may contain "{account}"
  std::optional<ExpandableString> external_id;
  std::optional<int> session_duration_s;     // 900..43200, STS's limits
  SourceRef where;
};

struct Accounts {
  std::optional<AccountSettings> default_settings;
  std::map<std::string, AccountSettings> by_id;  // 12-digit id -> overrides
};

// What credentials need to act in one account.
struct AccountAccess {
  std::string account;
  std::string role_arn;                    // "{account}" substituted
  std::optional<std::string> external_id;  // resolved; nullopt when none configured
  int session_duration_s = 900;
};

struct Waiver {
  std::string id;
  // Scope: every non-empty list must match. controls intersect the finding's
  // control ids; resources match the ARN or native id exactly or by a trailing '*';
  // accounts list account ids; tags require each key (case-insensitive) with the
  // given value ("*" = any value).
  std::vector<std::string> controls;
  std::vector<std::string> resources;
  std::vector<std::string> accounts;
  std::vector<Tag> tags;
  WaiverStatus status = WaiverStatus::pending;
  std::optional<std::chrono::year_month_day> expires;  // valid through this UTC day
  std::string approver;
  std::string reason;
  SourceRef where;
};

struct Exceptions {
  std::vector<std::string> suppression_tags;  // tag keys; any value suppresses
  std::vector<Waiver> waivers;
};

struct CatalogEntry {
  std::string id;
  std::vector<std::string> controls;
  std::vector<std::string> resource_types;  // CloudFormation names, e.g. AWS::S3::Bucket
  std::string action;
  nlohmann::json params = nlohmann::json::object();  // free-form, read by the action
  Severity min_severity = Severity::high;
  // Per-environment overrides; they beat environments.policy. Keys are folded
  // through the aliases at load time.
  std::map<std::string, EnvironmentPolicy> environments;
  SourceRef where;
};

struct Config {
  std::string source;  // the file name (or the name given to load_config_text)
  int version = 1;
  Mode mode = Mode::enforce;
  Environments environments;
  Accounts accounts;
  std::vector<std::string> ownership_tags;  // in order of trust
  // The whole `ownership:` section as JSON (strings with ${VAR} expanded), in the
  // shape ownership_options_from_json() reads: tags, tag_rules, projects,
  // accounts, backstage, cmdb, codeowners, repo, cloudtrail, precedence. Keys and
  // shapes are checked here (with file:line); relative paths are taken from the
  // configuration file's folder by whoever builds the resolver.
  nlohmann::json ownership = nlohmann::json::object();
  Exceptions exceptions;
  std::vector<std::string> allowed_actions;
  std::vector<CatalogEntry> catalog;
  // Unknown top-level sections, converted to JSON (scalars typed as YAML 1.2 core:
  // null, bool, int, float, else string; quoted scalars stay strings).
  std::map<std::string, nlohmann::json> extra_sections;
  std::map<std::string, SourceRef> extra_section_locations;

  // True when default exists or the account is listed.
  bool account_configured(std::string_view account) const;
  bool action_allowed(std::string_view action) const;
  const CatalogEntry* find_catalog_entry(std::string_view id) const;

  // Access settings for a 12-digit account: the account's entry over default.
  // Errors: "config.account_not_configured" (no default and not listed),
  // "config.env_missing" (role_arn or external_id names an unset variable),
  // "config.invalid_account" (not 12 digits).
  Result<AccountAccess> access_for(std::string_view account) const;
};

struct LoadOptions {
  EnvLookup env = process_environment();
};

// Every issue found, and the Config when there were none.
struct ConfigLoad {
  std::optional<Config> config;
  std::vector<ConfigIssue> issues;
  bool ok() const { return config.has_value(); }
};

ConfigLoad load_config_detailed(const std::string& path, const LoadOptions& options = {});
ConfigLoad load_config_text_detailed(std::string_view text, const std::string& name, const LoadOptions& options = {});

// As above, folded into a Result: error code "config.invalid" (or "config.io" when
// the file cannot be read) whose message is "<n> error(s) in <file>:" followed by
// every issue's text.
Result<Config> load_config(const std::string& path, const LoadOptions& options = {});
Result<Config> load_config_text(std::string_view text, const std::string& name, const LoadOptions& options = {});

}  // namespace fixgate
