// Which channels a decided finding is announced on.
//
// Every route whose conditions all hold contributes its channels (a route is
// not a first-match rule: security and the owner can both be told). "@owner"
// becomes owner_channels[decision owner] (case-insensitive), else
// default_owner_channel, else nothing — an unresolved owner is reported so the
// caller can record it. The result keeps route order and holds no duplicates.
#pragma once

#include <string>
#include <vector>

#include "decision/decision.h"
#include "notify/notify_config.h"

namespace fixgate::notify {

struct Routing {
  std::vector<std::string> channels;
  bool owner_unresolved = false;  // some route asked for "@owner" and no channel was found
};

// Pure: no I/O. `severity` is the finding's (the decision carries it too).
Routing route(const NotifyConfig& config, const Decision& decision);

// Whether one route's conditions hold for the decision.
bool route_matches(const Route& route, const Decision& decision);

}  // namespace fixgate::notify
