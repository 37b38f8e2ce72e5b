#include "decision/decision.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include <openssl/evp.h>

#include "core/text.h"

namespace fixgate {

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::remediate: return "remediate";
    case Outcome::dry_run: return "dry_run";
    case Outcome::approval_required: return "approval_required";
    case Outcome::notify: return "notify";
    case Outcome::skip: return "skip";
    case Outcome::reject: break;
  }
  return "reject";
}

std::string correlation_id_for(const Finding& finding) {
  const std::string input = std::string(to_string(finding.source)) + "|" + finding.id + "|" + finding.resource_key();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha256(), nullptr) != 1 || length < 10) {
    // SHA-256 from the default provider does not fail; if it ever did, an id that
    // cannot collide with a real one is better than a made-up hash.
    return "fg-unavailable";
  }
  return "fg-" + to_hex(std::string_view(reinterpret_cast<const char*>(digest), 10));
}

bool waiver_matches(const Waiver& waiver, const Finding& finding) {
  if (waiver.controls.empty() && waiver.resources.empty() && waiver.accounts.empty() && waiver.tags.empty()) {
    return false;  // a waiver without a scope would waive everything: never
  }
  if (!waiver.controls.empty()) {
    const bool any = std::any_of(waiver.controls.begin(), waiver.controls.end(), [&](const std::string& control) {
      return std::any_of(finding.control_ids.begin(), finding.control_ids.end(),
                         [&](const std::string& id) { return iequals(id, control); });
    });
    if (!any) return false;
  }
  if (!waiver.resources.empty()) {
    auto matches = [](const std::string& pattern, const std::string& value) {
      if (value.empty()) return false;
      if (!pattern.empty() && pattern.back() == '*') {
        return starts_with(value, std::string_view(pattern).substr(0, pattern.size() - 1));
      }
      return pattern == value;
    };
    const bool any = std::any_of(waiver.resources.begin(), waiver.resources.end(), [&](const std::string& pattern) {
      return matches(pattern, finding.resource_arn) || matches(pattern, finding.resource_id);
    });
    if (!any) return false;
  }
  if (!waiver.accounts.empty() &&
      std::find(waiver.accounts.begin(), waiver.accounts.end(), finding.account) == waiver.accounts.end()) {
    return false;
  }
  for (const auto& wanted : waiver.tags) {
    const Tag* tag = finding.find_tag(wanted.key);
    if (tag == nullptr || (wanted.value != "*" && tag->value != wanted.value)) return false;
  }
  return true;
}

bool waiver_in_force(const Waiver& waiver, std::chrono::system_clock::time_point now) {
  if (waiver.status != WaiverStatus::approved) return false;
  if (!waiver.expires) return true;
  const auto end_of_day = std::chrono::sys_days(*waiver.expires) + std::chrono::days(1);
  return now < end_of_day;
}

Enrichment enrich_from_config(const Finding& finding, const Config& config, std::chrono::system_clock::time_point now) {
  Enrichment enrichment;
  enrichment.now = now;
  for (size_t i = 0; i < config.ownership_tags.size(); ++i) {
    const Tag* tag = finding.find_tag(config.ownership_tags[i]);
    if (tag == nullptr || trim(tag->value).empty()) continue;
    const double confidence = std::max(0.1, 1.0 - 0.1 * static_cast<double>(i));
    enrichment.owners.push_back(
        OwnerCandidate{tag->value, "tag:" + config.ownership_tags[i], confidence, "tag " + tag->key + "=" + tag->value});
  }
  return enrichment;
}

namespace {

std::string iso8601(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

nlohmann::json optional_text(const std::string& text) { return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text); }

}  // namespace

nlohmann::json Decision::to_json() const {
  nlohmann::json reason_list = nlohmann::json::array();
  for (const auto& r : reasons) reason_list.push_back({{"code", r.code}, {"detail", r.detail}});
  nlohmann::json candidate_list = nlohmann::json::array();
  for (const auto& c : owner_candidates) {
    nlohmann::json item = {{"owner", c.owner}, {"source", c.source}, {"confidence", c.confidence},
                           {"evidence", c.evidence}, {"routable", c.routable}};
    if (c.rank > 0) item["rank"] = c.rank;
    item["chosen"] = !owner.empty() && c.owner == owner && c.source == owner_source;
    candidate_list.push_back(std::move(item));
  }
  nlohmann::json check_list = nlohmann::json::array();
  for (const auto& c : checks) check_list.push_back({{"name", c.name}, {"passed", c.passed}, {"detail", c.detail}});
  return nlohmann::json{
      {"finding_id", finding_id},
      {"source", source},
      {"outcome", to_string(outcome)},
      {"reason", reasons.empty() ? nlohmann::json(nullptr) : nlohmann::json(reasons.front().code)},
      {"reasons", reason_list},
      {"checks", check_list},
      {"catalog_entry", optional_text(catalog_entry)},
      {"action", optional_text(action)},
      {"params", params},
      {"environment", optional_text(environment)},
      {"environment_source", environment_source},
      {"owner", optional_text(owner)},
      {"owner_source", optional_text(owner_source)},
      {"owner_candidates", std::move(candidate_list)},
      {"exception", optional_text(exception)},
      {"exception_type", optional_text(exception_type)},
      {"correlation_id", correlation_id},
      {"resource", resource},
      {"resource_type", resource_type},
      {"account", account},
      {"control_ids", control_ids},
      {"severity", to_string(severity)},
      {"evaluated_at", iso8601(evaluated_at)},
  };
}

}  // namespace fixgate
