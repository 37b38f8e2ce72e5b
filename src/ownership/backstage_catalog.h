// A Backstage software catalog read from catalog-info.yaml files.
//
// Each file may hold several YAML documents; every document is an entity
// (Component, Resource, System, Group, User, API, Domain, ...). Entity
// references follow Backstage's parseEntityRef: "[kind:][namespace/]name", the
// kind defaulting per relation (Group for spec.owner, System for spec.system,
// Domain for spec.domain) and the namespace to the referring entity's own.
// Refs print as Backstage's stringifyEntityRef does: kind and namespace lower
// case, name as written ("group:default/CNCF"); lookups ignore case.
//
// Loading fails (Result error naming file and line) on YAML syntax errors and on
// documents that are not entities at all (no kind, no metadata.name). An entity
// that parses but breaks Backstage's validation rules (name characters and
// length, tag format, bad refs) is not indexed: it is kept in rejected() with
// its problems, so the rest of the catalog still works.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"

namespace fixgate::ownership {

struct EntityRef {
  std::string kind;       // lower case
  std::string ns;         // lower case
  std::string name;       // as written
  std::string str() const { return kind + ":" + ns + "/" + name; }
  bool operator==(const EntityRef&) const = default;
};

// Fails ("backstage.invalid_ref") when a part is empty or no kind is given and
// there is no default kind.
Result<EntityRef> parse_entity_ref(std::string_view ref, std::string_view default_kind,
                                   std::string_view default_namespace);

// Backstage's metadata.name rule: [a-zA-Z0-9] runs separated by one of -_. , 1..63 chars.
bool is_valid_entity_name(std::string_view name);

struct BackstageEntity {
  std::string kind;  // as written, e.g. "Component"
  std::string ns = "default";
  std::string name;
  std::map<std::string, std::string> annotations;
  std::vector<std::string> tags;
  std::optional<EntityRef> owner;   // spec.owner
  std::optional<EntityRef> system;  // spec.system
  std::optional<EntityRef> domain;  // spec.domain
  std::vector<EntityRef> member_of; // spec.memberOf (User)
  std::string email;                // spec.profile.email (Group, User)
  std::string file;
  int line = 0;                     // 1-based line where the document starts
  std::vector<std::string> problems;  // validation failures; empty when valid

  bool valid() const { return problems.empty(); }
  EntityRef ref() const;
};

// Who owns an entity, and how that was found.
struct ResolvedOwner {
  EntityRef owner;
  std::vector<EntityRef> via;  // entities whose spec.owner was inherited (system, domain)
};

class BackstageCatalog {
 public:
  // Loads files, or every *.yaml / *.yml below a directory (sorted, recursive).
  static Result<BackstageCatalog> load(const std::vector<std::string>& paths);
  // Parses one YAML text (one or more documents) as if read from `origin`.
  static Result<BackstageCatalog> parse(std::string_view yaml, const std::string& origin);

  // Adds every entity of `other` (used to merge files), re-indexing.
  void merge(BackstageCatalog other);

  const BackstageEntity* find(const EntityRef& ref) const;
  // Own spec.owner, else the system's owner, else the system's domain's owner.
  std::optional<ResolvedOwner> owner_of(const BackstageEntity& entity) const;
  // Valid entities carrying an annotation `key` whose value (or one of its
  // comma-separated values) equals `value`.
  std::vector<const BackstageEntity*> with_annotation(std::string_view key, std::string_view value) const;
  // Valid entities of `kind` (case-insensitive) named `name` (case-insensitive), any namespace.
  std::vector<const BackstageEntity*> named(std::string_view kind, std::string_view name) const;

  const std::vector<BackstageEntity>& entities() const { return entities_; }
  const std::vector<BackstageEntity>& rejected() const { return rejected_; }

 private:
  void index();

  std::vector<BackstageEntity> entities_;
  std::vector<BackstageEntity> rejected_;
  std::unordered_map<std::string, std::size_t> by_ref_;                    // lower-case ref
  std::unordered_map<std::string, std::vector<std::size_t>> by_kind_name_; // "kind/name" lower case
  std::unordered_map<std::string, std::vector<std::size_t>> by_annotation_;// "key\nvalue"
};

}  // namespace fixgate::ownership
