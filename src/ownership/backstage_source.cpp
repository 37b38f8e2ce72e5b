#include "ownership/backstage_source.h"

#include <algorithm>

#include "core/text.h"

namespace fixgate::ownership {
namespace {

struct Match {
  const BackstageEntity* entity;
  std::string key;    // what matched, e.g. "annotation aws.amazon.com/arn"
  std::string value;  // the matched value
  double confidence;
};

void add(std::vector<Match>& out, const std::vector<const BackstageEntity*>& entities, const std::string& key,
         const std::string& value, double confidence) {
  for (const BackstageEntity* e : entities) {
    const auto it = std::find_if(out.begin(), out.end(), [e](const Match& m) { return m.entity == e; });
    if (it == out.end()) {
      out.push_back({e, key, value, confidence});
    } else if (it->confidence < confidence) {
      *it = {e, key, value, confidence};
    }
  }
}

}  // namespace

std::vector<OwnerCandidate> BackstageSource::candidates(const Finding& finding) const {
  std::vector<Match> matches;
  static constexpr const char* kArnAnnotations[] = {"aws.amazon.com/arn", "aws.amazon.com/resource-arn",
                                                    "amazonaws.com/arn"};
  if (!finding.resource_arn.empty()) {
    for (const char* key : kArnAnnotations) {
      add(matches, catalog_.with_annotation(key, finding.resource_arn), std::string("annotation ") + key,
          finding.resource_arn, 0.9);
    }
  }
  if (!finding.resource_id.empty()) {
    add(matches, catalog_.with_annotation("aws.amazon.com/resource-id", finding.resource_id),
        "annotation aws.amazon.com/resource-id", finding.resource_id, 0.85);
  }
  if (!finding.resource_name.empty()) {
    add(matches, catalog_.with_annotation("aws.amazon.com/resource-name", finding.resource_name),
        "annotation aws.amazon.com/resource-name", finding.resource_name, 0.8);
  }
  static constexpr std::pair<const char*, const char*> kRefTags[] = {{"backstage.io/component", "Component"},
                                                                     {"backstage.io/resource", "Resource"},
                                                                     {"backstage.io/system", "System"},
                                                                     {"backstage.io/entity", "Component"}};
  for (const auto& [tag_key, kind] : kRefTags) {
    const Tag* tag = finding.find_tag(tag_key);
    if (tag == nullptr) continue;
    auto ref = parse_entity_ref(trim(tag->value), kind, "default");
    if (!ref) continue;
    if (const BackstageEntity* e = catalog_.find(*ref)) add(matches, {e}, "tag " + tag->key, tag->value, 0.8);
  }
  for (const char* tag_key : {"service", "component", "app"}) {
    const Tag* tag = finding.find_tag(tag_key);
    if (tag == nullptr || trim(tag->value).empty()) continue;
    for (const char* kind : {"Component", "Resource", "System"}) {
      add(matches, catalog_.named(kind, trim(tag->value)), "tag " + tag->key, tag->value, 0.65);
    }
  }
  if (!finding.resource_name.empty()) {
    add(matches, catalog_.named("Resource", finding.resource_name), "resource name = metadata.name",
        finding.resource_name, 0.6);
  }
  const Tag* org = finding.find_tag("git_org");
  const Tag* repo = finding.find_tag("git_repo");
  if (org != nullptr && repo != nullptr) {
    const std::string slug = org->value + "/" + repo->value;
    add(matches, catalog_.with_annotation("github.com/project-slug", slug),
        "tags git_org/git_repo = annotation github.com/project-slug", slug, 0.5);
  }

  std::vector<OwnerCandidate> out;
  for (const Match& m : matches) {
    const auto owner = catalog_.owner_of(*m.entity);
    if (!owner) continue;
    OwnerCandidate c;
    c.owner = owner->owner.name;
    c.kind = owner->owner.kind == "user" ? OwnerKind::person : OwnerKind::team;
    c.source = "backstage";
    c.confidence = owner->via.empty() ? m.confidence : 0.9 * m.confidence;
    c.evidence = {{"entity", m.entity->ref().str()},
                  {"entity_file", m.entity->file + ":" + std::to_string(m.entity->line)},
                  {"matched_by", m.key},
                  {"matched_value", m.value},
                  {"owner_ref", owner->owner.str()}};
    for (const auto& via : owner->via) c.evidence.push_back({"inherited_via", via.str()});
    if (const BackstageEntity* owner_entity = catalog_.find(owner->owner); owner_entity && !owner_entity->email.empty()) {
      c.evidence.push_back({"owner_email", owner_entity->email});
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace fixgate::ownership
