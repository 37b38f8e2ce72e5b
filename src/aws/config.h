// The AWS shared config and credentials files, region and endpoint resolution, read
// the way the AWS SDKs read them (through Environment, so tests are hermetic).
//
// Files: AWS_CONFIG_FILE (default ~/.aws/config; sections "[default]",
// "[profile NAME]", "[services NAME]") and AWS_SHARED_CREDENTIALS_FILE (default
// ~/.aws/credentials; sections "[NAME]"). For a key set in both, the credentials
// file wins. Missing files are not an error; a malformed line is, naming file and line.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "aws/environment.h"
#include "aws/protocols.h"
#include "core/result.h"

namespace fixgate::aws {

using Section = std::map<std::string, std::string>;             // key → value
using SubSections = std::map<std::string, Section>;               // "s3" → {endpoint_url → …}

struct SharedConfig {
  std::map<std::string, Section> profiles;
  std::map<std::string, SubSections> profile_subsections;   // profile → nested keys (e.g. "s3 =" blocks)
  std::map<std::string, SubSections> services;              // [services NAME] → service key → settings

  // The profile's keys, or nullptr when no file defines it.
  const Section* profile(std::string_view name) const;
  // profile[key] or "".
  std::string value(std::string_view profile_name, std::string_view key) const;
};

// Parses one file's text into `into`. is_config_file selects the section naming rule.
Result<void> parse_shared_file(std::string_view text, bool is_config_file, const std::string& file_name,
                               SharedConfig& into);

// Reads both files (paths from the environment, else $HOME/.aws/...).
Result<SharedConfig> load_shared_config(const Environment& env);

// AWS_PROFILE, else "default".
std::string active_profile(const Environment& env);

// AWS_REGION, else AWS_DEFAULT_REGION, else the active profile's region; "" if none.
std::string resolve_region(const Environment& env, const SharedConfig& config);

// "S3 Control" → "S3_CONTROL", "Resource Groups Tagging API" → "RESOURCE_GROUPS_TAGGING_API".
std::string endpoint_env_suffix(std::string_view service_id);

// The endpoint override for a service, by the SDKs' precedence: unless
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true — AWS_ENDPOINT_URL_<SERVICE>,
// AWS_ENDPOINT_URL, the profile's services section (key = service id lower-cased,
// spaces → underscores), the profile's endpoint_url. "" when none applies.
std::string resolve_endpoint_url(const Environment& env, const SharedConfig& config, const ServiceInfo& service);

}  // namespace fixgate::aws
