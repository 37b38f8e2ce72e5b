#include "notify/router.h"

#include <algorithm>

#include "core/text.h"

namespace fixgate::notify {

namespace {
bool listed(const std::vector<std::string>& list, const std::string& value, const char* empty_name) {
  if (list.empty()) return true;
  const std::string& wanted = value.empty() ? std::string(empty_name) : value;
  return std::any_of(list.begin(), list.end(), [&](const std::string& item) { return iequals(item, wanted); });
}
}  // namespace

bool route_matches(const Route& route, const Decision& decision) {
  if (!route.outcomes.empty() &&
      std::find(route.outcomes.begin(), route.outcomes.end(), decision.outcome) == route.outcomes.end()) {
    return false;
  }
  if (!listed(route.environments, decision.environment, "unknown")) return false;
  if (!listed(route.owners, decision.owner, "none")) return false;
  if (route.min_severity && decision.severity < *route.min_severity) return false;
  if (!route.severities.empty() &&
      std::find(route.severities.begin(), route.severities.end(), decision.severity) == route.severities.end()) {
    return false;
  }
  return true;
}

Routing route(const NotifyConfig& config, const Decision& decision) {
  Routing out;
  auto add = [&](const std::string& channel) {
    if (std::find(out.channels.begin(), out.channels.end(), channel) == out.channels.end()) out.channels.push_back(channel);
  };
  for (const Route& r : config.routes) {
    if (!route_matches(r, decision)) continue;
    for (const std::string& name : r.channels) {
      if (name != "@owner") {
        add(name);
        continue;
      }
      auto owned = decision.owner.empty() ? config.owner_channels.end() : config.owner_channels.find(to_lower(decision.owner));
      if (owned != config.owner_channels.end()) {
        add(owned->second);
      } else {
        out.owner_unresolved = true;
        if (!config.default_owner_channel.empty()) add(config.default_owner_channel);
      }
    }
  }
  return out;
}

}  // namespace fixgate::notify
