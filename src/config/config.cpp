#include <algorithm>
#include <cctype>
#include <cstdio>

#include "config/config.h"
#include "core/text.h"

namespace fixgate {

const char* to_string(Mode mode) { return mode == Mode::dry_run ? "dry_run" : "enforce"; }

const char* to_string(EnvironmentPolicy policy) {
  switch (policy) {
    case EnvironmentPolicy::auto_remediate: return "auto";
    case EnvironmentPolicy::approval: return "approval";
    case EnvironmentPolicy::dry_run: return "dry_run";
    case EnvironmentPolicy::notify: break;
  }
  return "notify";
}

const char* to_string(WaiverStatus status) {
  switch (status) {
    case WaiverStatus::approved: return "approved";
    case WaiverStatus::pending: return "pending";
    case WaiverStatus::rejected: return "rejected";
    case WaiverStatus::revoked: break;
  }
  return "revoked";
}

std::optional<EnvironmentPolicy> parse_environment_policy(std::string_view text) {
  if (text == "auto") return EnvironmentPolicy::auto_remediate;
  if (text == "approval") return EnvironmentPolicy::approval;
  if (text == "dry_run") return EnvironmentPolicy::dry_run;
  if (text == "notify") return EnvironmentPolicy::notify;
  return std::nullopt;
}

std::optional<WaiverStatus> parse_waiver_status(std::string_view text) {
  if (text == "approved") return WaiverStatus::approved;
  if (text == "pending") return WaiverStatus::pending;
  if (text == "rejected") return WaiverStatus::rejected;
  if (text == "revoked") return WaiverStatus::revoked;
  return std::nullopt;
}

std::optional<std::chrono::year_month_day> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  }
  const int year = std::stoi(std::string(text.substr(0, 4)));
  const unsigned month = static_cast<unsigned>(std::stoi(std::string(text.substr(5, 2))));
  const unsigned day = static_cast<unsigned>(std::stoi(std::string(text.substr(8, 2))));
  const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{month}, std::chrono::day{day}};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::string format_date(std::chrono::year_month_day date) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()));
  return buf;
}

std::string Environments::fold(std::string_view value) const {
  const auto it = aliases.find(to_lower(value));
  return it == aliases.end() ? std::string(value) : it->second;
}

const EnvironmentPolicy* Environments::find_policy(std::string_view environment, std::string* name_out) const {
  for (const auto& [name, policy] : policy) {
    if (iequals(name, environment)) {
      if (name_out != nullptr) *name_out = name;
      return &policy;
    }
  }
  return nullptr;
}

bool Config::account_configured(std::string_view account) const {
  if (account.empty()) return false;
  return accounts.default_settings.has_value() || accounts.by_id.count(std::string(account)) > 0;
}

bool Config::action_allowed(std::string_view action) const {
  return std::find(allowed_actions.begin(), allowed_actions.end(), action) != allowed_actions.end();
}

const CatalogEntry* Config::find_catalog_entry(std::string_view id) const {
  for (const auto& entry : catalog) {
    if (entry.id == id) return &entry;
  }
  return nullptr;
}

namespace {

bool is_account_id(std::string_view account) {
  return account.size() == 12 &&
         std::all_of(account.begin(), account.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  size_t pos = 0;
  while ((pos = text.find(from, pos)) != std::string::npos) {
    text.replace(pos, from.size(), to);
    pos += to.size();
  }
  return text;
}

}  // namespace

Result<AccountAccess> Config::access_for(std::string_view account) const {
  if (!is_account_id(account)) {
    return make_error("config.invalid_account",
                      "account id \"" + escape_for_display(account) + "\" is not 12 digits");
  }
  const auto listed = accounts.by_id.find(std::string(account));
  const AccountSettings* own = listed == accounts.by_id.end() ? nullptr : &listed->second;
  const AccountSettings* fallback = accounts.default_settings ? &*accounts.default_settings : nullptr;
  if (own == nullptr && fallback == nullptr) {
    return make_error("config.account_not_configured",
                      "account " + std::string(account) + " is not listed under accounts and there is no default");
  }
  auto pick = [&](auto member) -> decltype(&(own->*member)) {
    if (own != nullptr && (own->*member).has_value()) return &(own->*member);
    if (fallback != nullptr && (fallback->*member).has_value()) return &(fallback->*member);
    return nullptr;
  };
  AccountAccess access;
  access.account = std::string(account);
  const auto* role = pick(&AccountSettings::role_arn);
  if (role == nullptr) {
    return make_error("config.account_not_configured", "no role_arn for account " + std::string(account));
  }
  auto role_arn = (*role)->resolve();
  if (!role_arn.ok()) return role_arn.error();
  access.role_arn = replace_all(role_arn.value(), "{account}", account);
  if (const auto* external = pick(&AccountSettings::external_id); external != nullptr) {
    auto external_id = (*external)->resolve();
    if (!external_id.ok()) return external_id.error();
    access.external_id = std::move(external_id).value();
  }
  if (const auto* duration = pick(&AccountSettings::session_duration_s); duration != nullptr) {
    access.session_duration_s = **duration;
  }
  return access;
}

}  // namespace fixgate
