#include "ownership/cloudtrail_source.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace fixgate::ownership {
namespace {

std::string tail_of_arn(const std::string& id) {
  if (!id.starts_with("arn:")) return {};
  const auto cut = id.find_last_of("/:");
  return cut == std::string::npos ? std::string{} : id.substr(cut + 1);
}

std::vector<std::string> finding_keys(const Finding& f) {
  std::vector<std::string> keys;
  for (const std::string* s : {&f.resource_arn, &f.resource_id, &f.resource_name}) {
    if (s->empty()) continue;
    keys.push_back(*s);
    if (auto tail = tail_of_arn(*s); !tail.empty()) keys.push_back(tail);
  }
  return keys;
}

}  // namespace

std::vector<OwnerCandidate> creator_candidates(const CloudTrailEvent& event) {
  const CloudTrailIdentity& id = event.identity;
  const double scale = event.creates ? 1.0 : 0.5;
  std::vector<EvidenceField> base = {{"relation", event.creates ? "created" : "changed"},
                                     {"event_id", event.event_id},
                                     {"event_name", event.event_name},
                                     {"event_time", event.event_time},
                                     {"event_record", event.location},
                                     {"identity_type", id.type}};
  if (!id.arn.empty()) base.push_back({"identity_arn", id.arn});
  if (!id.session_issuer_arn.empty()) base.push_back({"session_issuer_arn", id.session_issuer_arn});
  if (!id.role_name.empty()) base.push_back({"role", id.role_name});
  if (!id.session_name.empty()) base.push_back({"session_name", id.session_name});
  if (!id.invoked_by.empty()) base.push_back({"invoked_by", id.invoked_by});
  if (!id.identity_provider.empty()) base.push_back({"identity_provider", id.identity_provider});
  if (id.sso) base.push_back({"sso", "true"});

  std::vector<OwnerCandidate> out;
  auto add = [&](std::string owner, OwnerKind kind, double confidence) {
    if (owner.empty()) return;
    OwnerCandidate c;
    c.owner = std::move(owner);
    c.kind = kind;
    c.source = "cloudtrail";
    c.confidence = confidence * scale;
    c.evidence = base;
    out.push_back(std::move(c));
  };
  if (id.service) {
    add(!id.invoked_by.empty() ? id.invoked_by : (!id.role_name.empty() ? id.role_name : id.type), OwnerKind::service, 0.0);
    return out;
  }
  if (id.type == "IAMUser") {
    add(id.user_name.empty() ? tail_of_arn(id.arn) : id.user_name, OwnerKind::person, 0.6);
  } else if (id.type == "AssumedRole") {
    const bool human = id.sso || id.session_name.find('@') != std::string::npos;
    if (id.session_name != id.role_name) add(id.session_name, OwnerKind::person, human ? 0.6 : 0.35);
    add(id.role_name, OwnerKind::role, 0.45);
  } else if (id.type == "FederatedUser") {
    add(id.session_name, OwnerKind::person, 0.5);
    add(tail_of_arn(id.session_issuer_arn), OwnerKind::person, 0.4);
  } else if (id.type == "SAMLUser" || id.type == "WebIdentityUser") {
    add(id.user_name, OwnerKind::person, 0.55);
  } else if (id.type == "Root") {
    add("root@" + (id.account_id.empty() ? event.account : id.account_id), OwnerKind::person, 0.3);
  } else if (id.type == "AWSAccount") {
    add("account " + id.account_id, OwnerKind::team, 0.2);
  }
  return out;
}

CloudTrailSource::CloudTrailSource(std::vector<CloudTrailEvent> events) : events_(std::move(events)) {
  for (std::size_t i = 0; i < events_.size(); ++i) {
    if (!events_[i].error_code.empty()) continue;  // a failed call created and changed nothing
    for (const auto& id : events_[i].resource_ids) {
      auto& list = by_resource_[id];
      if (list.empty() || list.back() != i) list.push_back(i);
    }
  }
}

Result<CloudTrailSource> CloudTrailSource::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cloudtrail.unreadable", path + ": cannot open CloudTrail events file");
  std::ostringstream text;
  text << in.rdbuf();
  auto events = parse_cloudtrail(text.str(), path);
  if (!events) return events.error();
  return CloudTrailSource(std::move(events).value());
}

std::vector<OwnerCandidate> CloudTrailSource::candidates(const Finding& finding) const {
  const auto keys = finding_keys(finding);
  if (keys.empty()) return {};
  std::vector<std::size_t> indices;
  for (const auto& key : keys) {
    const auto it = by_resource_.find(key);
    if (it != by_resource_.end()) indices.insert(indices.end(), it->second.begin(), it->second.end());
  }
  std::sort(indices.begin(), indices.end());
  indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
  std::vector<const CloudTrailEvent*> hits;
  for (std::size_t i : indices) {
    const CloudTrailEvent& e = events_[i];
    if (!finding.account.empty() && !e.account.empty() && e.account != finding.account) continue;
    hits.push_back(&e);
  }
  // Creations first, then the most recent change.
  std::stable_sort(hits.begin(), hits.end(), [](const CloudTrailEvent* a, const CloudTrailEvent* b) {
    if (a->creates != b->creates) return a->creates;
    return a->event_time > b->event_time;
  });
  std::vector<OwnerCandidate> out;
  for (const CloudTrailEvent* e : hits) {
    for (auto& c : creator_candidates(*e)) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace fixgate::ownership
