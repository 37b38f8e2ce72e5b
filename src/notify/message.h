// The channel-neutral notification: what every channel renders from.
//
// build_message() turns a decided (and possibly acted-on) finding into one JSON
// document, schema "fixgate.notification.v1":
//   {schema, correlation_id, outcome, reason {code, detail}, reasons [...],
//    finding {id, source, title, resource, resource_type, account, region,
//             severity, control_ids}, environment, owner, owner_source,
//    owners [{owner, source, confidence, evidence, rank?, routable?}],
//    catalog_entry, action,
//    plan [{service, operation, params, region?}]   (only when there is one),
//    action_result {status, reason, action_id?}       (only when an action ran),
//    decided_at}
// It is what the outbox stores (it holds no secret) and what a generic webhook
// receives verbatim. Every text in it may be attacker-controlled (finding
// titles, resource names, tags): each renderer escapes for its own medium.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/finding.h"
#include "decision/decision.h"

namespace fixgate::notify {

struct NotificationInput {
  const Finding& finding;
  const Decision& decision;
  // Owner candidates to report; when empty, the decision's owner_candidates,
  // and when those are empty too, the decision's owner (if any) alone.
  std::vector<OwnerCandidate> owners;
  // RunReport::to_json() of the action run for this finding (its "plan" is the
  // exact list of API calls), or null when nothing was planned.
  nlohmann::json action_report = nullptr;
};

nlohmann::json build_message(const NotificationInput& input);

// "[HIGH] notify: <title> — <resource>" with control characters replaced by
// spaces: the one-line summary every channel starts from (not escaped).
std::string headline(const nlohmann::json& message);

// The message as plain-text lines (finding, decision, reasons, owners, plan),
// not escaped, for media that have no structure of their own.
std::vector<std::string> text_lines(const nlohmann::json& message);

// The remediation plan as indented JSON, or "" when the message has none.
std::string plan_text(const nlohmann::json& message);

// At most `max_chars` Unicode code points of `text` (ending in "…" when cut),
// never splitting a UTF-8 sequence. Invalid bytes count as one character each.
std::string truncate_chars(std::string_view text, size_t max_chars);

// The message serialised compactly; invalid UTF-8 is replaced, never thrown on.
std::string dump(const nlohmann::json& value, int indent = -1);

// A string member of `object` ("" when absent or not a string).
std::string text_of(const nlohmann::json& object, const char* key);

}  // namespace fixgate::notify
