#include "ownership/backstage_catalog.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/text.h"

namespace fixgate::ownership {
namespace {

bool is_alnum(char ch) {
  return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

// Runs of `run` characters separated by single `sep` characters, 1..63 long.
template <typename Run, typename Sep>
bool runs_separated(std::string_view s, Run run, Sep sep) {
  if (s.empty() || s.size() > 63) return false;
  bool need_run = true;
  for (char ch : s) {
    if (run(ch)) {
      need_run = false;
    } else if (sep(ch) && !need_run) {
      need_run = true;
    } else {
      return false;
    }
  }
  return !need_run;
}

bool is_valid_namespace(std::string_view ns) {
  return runs_separated(ns, [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); },
                        [](char c) { return c == '-'; });
}

bool is_valid_kind(std::string_view kind) {
  if (kind.empty() || kind.size() > 63) return false;
  if (!((kind[0] >= 'a' && kind[0] <= 'z') || (kind[0] >= 'A' && kind[0] <= 'Z'))) return false;
  return std::all_of(kind.begin(), kind.end(), is_alnum);
}

bool is_valid_tag(std::string_view tag) {
  return runs_separated(
      tag, [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '+' || c == '#'; },
      [](char c) { return c == '-'; });
}

std::optional<std::string> scalar(const YAML::Node& node) {
  if (node && node.IsScalar()) return node.Scalar();
  return std::nullopt;
}

std::string where(const std::string& origin, const YAML::Node& node) {
  return origin + ":" + std::to_string(node.Mark().line + 1);
}

std::string lower_key(const EntityRef& ref) { return to_lower(ref.str()); }

// Reads one relation field (spec.owner, spec.system, ...) into `out`, adding a
// problem when it is present but not a valid ref.
void read_ref(const YAML::Node& spec, const char* field, std::string_view default_kind, BackstageEntity& entity,
              std::optional<EntityRef>& out) {
  if (!spec || !spec.IsMap()) return;
  const YAML::Node node = spec[field];
  if (!node) return;
  const auto text = scalar(node);
  if (!text) {
    entity.problems.push_back(std::string("spec.") + field + ": must be a string entity reference");
    return;
  }
  auto ref = parse_entity_ref(*text, default_kind, entity.ns);
  if (!ref) {
    entity.problems.push_back(std::string("spec.") + field + ": " + ref.error().message);
    return;
  }
  out = std::move(ref).value();
}

Result<void> parse_into(std::string_view yaml, const std::string& origin, std::vector<BackstageEntity>& out) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return make_error("backstage.yaml_error", origin + ":" + std::to_string(e.mark.line + 1) + ":" +
                                                  std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  try {
    for (const YAML::Node& doc : docs) {
      if (!doc || doc.IsNull()) continue;
      if (!doc.IsMap()) return make_error("backstage.not_an_entity", where(origin, doc) + ": a catalog document must be a mapping");
      BackstageEntity e;
      e.file = origin;
      e.line = doc.Mark().line + 1;
      const auto kind = scalar(doc["kind"]);
      if (!kind || kind->empty()) return make_error("backstage.not_an_entity", where(origin, doc) + ": entity has no kind");
      e.kind = *kind;
      const YAML::Node metadata = doc["metadata"];
      if (!metadata || !metadata.IsMap()) {
        return make_error("backstage.not_an_entity", where(origin, doc) + ": entity has no metadata mapping");
      }
      const auto name = scalar(metadata["name"]);
      if (!name || name->empty()) {
        return make_error("backstage.not_an_entity", where(origin, metadata) + ": entity has no metadata.name");
      }
      e.name = *name;
      if (const auto ns = scalar(metadata["namespace"])) e.ns = *ns;

      if (!is_valid_kind(e.kind)) e.problems.push_back("kind '" + e.kind + "' is not a valid kind");
      if (!is_valid_entity_name(e.name)) {
        e.problems.push_back("metadata.name '" + e.name +
                             "' must be 1-63 characters: runs of [a-zA-Z0-9] separated by one of - _ .");
      }
      if (!is_valid_namespace(e.ns)) e.problems.push_back("metadata.namespace '" + e.ns + "' is not a valid namespace");

      if (const YAML::Node annotations = metadata["annotations"]; annotations && annotations.IsMap()) {
        for (const auto& kv : annotations) {
          const auto key = scalar(kv.first);
          const auto value = scalar(kv.second);
          if (!key || !value) {
            e.problems.push_back("metadata.annotations: keys and values must be strings");
            continue;
          }
          e.annotations[*key] = *value;
        }
      }
      if (const YAML::Node tags = metadata["tags"]; tags && tags.IsSequence()) {
        for (const auto& t : tags) {
          const auto tag = scalar(t);
          if (!tag || !is_valid_tag(*tag)) {
            e.problems.push_back("metadata.tags: '" + tag.value_or("<non-string>") +
                                 "' must be 1-63 characters of [a-z0-9:+#] separated by '-'");
            continue;
          }
          e.tags.push_back(*tag);
        }
      }
      const YAML::Node spec = doc["spec"];
      read_ref(spec, "owner", "Group", e, e.owner);
      read_ref(spec, "system", "System", e, e.system);
      read_ref(spec, "domain", "Domain", e, e.domain);
      if (spec && spec.IsMap()) {
        if (const YAML::Node members = spec["memberOf"]; members && members.IsSequence()) {
          for (const auto& m : members) {
            const auto text = scalar(m);
            auto ref = text ? parse_entity_ref(*text, "Group", e.ns)
                            : Result<EntityRef>(make_error("backstage.invalid_ref", "not a string"));
            if (ref) {
              e.member_of.push_back(std::move(ref).value());
            } else {
              e.problems.push_back("spec.memberOf: " + ref.error().message);
            }
          }
        }
        if (const YAML::Node profile = spec["profile"]; profile && profile.IsMap()) {
          e.email = scalar(profile["email"]).value_or("");
        }
      }
      out.push_back(std::move(e));
    }
  } catch (const YAML::Exception& e) {
    return make_error("backstage.yaml_error", origin + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return {};
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("backstage.unreadable", path + ": cannot open catalog file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Result<EntityRef> parse_entity_ref(std::string_view ref, std::string_view default_kind,
                                   std::string_view default_namespace) {
  const std::string form = "entity reference '" + std::string(ref) + "' is not of the form [<kind>:][<namespace>/]<name>";
  auto colon = ref.find(':');
  const auto slash = ref.find('/');
  if (slash != std::string_view::npos && colon != std::string_view::npos && slash < colon) colon = std::string_view::npos;
  const std::size_t name_start =
      std::max(colon == std::string_view::npos ? 0 : colon + 1, slash == std::string_view::npos ? 0 : slash + 1);
  EntityRef out;
  if (colon != std::string_view::npos) {
    out.kind = std::string(ref.substr(0, colon));
    if (out.kind.empty()) return make_error("backstage.invalid_ref", form);
  } else if (default_kind.empty()) {
    return make_error("backstage.invalid_ref", "entity reference '" + std::string(ref) + "' has no kind");
  } else {
    out.kind = std::string(default_kind);
  }
  if (slash != std::string_view::npos) {
    const std::size_t ns_start = colon == std::string_view::npos ? 0 : colon + 1;
    out.ns = std::string(ref.substr(ns_start, slash - ns_start));
    if (out.ns.empty()) return make_error("backstage.invalid_ref", form);
  } else {
    out.ns = default_namespace.empty() ? "default" : std::string(default_namespace);
  }
  out.name = std::string(ref.substr(name_start));
  if (out.name.empty()) return make_error("backstage.invalid_ref", form);
  out.kind = to_lower(out.kind);
  out.ns = to_lower(out.ns);
  return out;
}

bool is_valid_entity_name(std::string_view name) {
  return runs_separated(name, is_alnum, [](char c) { return c == '-' || c == '_' || c == '.'; });
}

EntityRef BackstageEntity::ref() const { return EntityRef{to_lower(kind), to_lower(ns), name}; }

Result<BackstageCatalog> BackstageCatalog::parse(std::string_view yaml, const std::string& origin) {
  std::vector<BackstageEntity> parsed;
  if (auto r = parse_into(yaml, origin, parsed); !r) return r.error();
  BackstageCatalog catalog;
  for (auto& e : parsed) (e.valid() ? catalog.entities_ : catalog.rejected_).push_back(std::move(e));
  catalog.index();
  return catalog;
}

Result<BackstageCatalog> BackstageCatalog::load(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
        const auto ext = it->path().extension().string();
        if (it->is_regular_file(ec) && (ext == ".yaml" || ext == ".yml")) found.push_back(it->path().string());
      }
      if (ec) return make_error("backstage.unreadable", path + ": " + ec.message());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(path);
    }
  }
  std::vector<BackstageEntity> parsed;
  for (const auto& file : files) {
    auto text = read_file(file);
    if (!text) return text.error();
    if (auto r = parse_into(*text, file, parsed); !r) return r.error();
  }
  BackstageCatalog catalog;
  for (auto& e : parsed) (e.valid() ? catalog.entities_ : catalog.rejected_).push_back(std::move(e));
  catalog.index();
  return catalog;
}

void BackstageCatalog::merge(BackstageCatalog other) {
  for (auto& e : other.entities_) entities_.push_back(std::move(e));
  for (auto& e : other.rejected_) rejected_.push_back(std::move(e));
  index();
}

void BackstageCatalog::index() {
  by_ref_.clear();
  by_kind_name_.clear();
  by_annotation_.clear();
  for (std::size_t i = 0; i < entities_.size(); ++i) {
    const auto& e = entities_[i];
    by_ref_.emplace(lower_key(e.ref()), i);  // first definition wins, as in a catalog
    by_kind_name_[to_lower(e.kind) + "/" + to_lower(e.name)].push_back(i);
    for (const auto& [key, value] : e.annotations) {
      for (const auto& part : split(value, ',')) {
        const std::string v = trim(part);
        if (!v.empty()) by_annotation_[to_lower(key) + "\n" + v].push_back(i);
      }
    }
  }
}

const BackstageEntity* BackstageCatalog::find(const EntityRef& ref) const {
  const auto it = by_ref_.find(lower_key(ref));
  return it == by_ref_.end() ? nullptr : &entities_[it->second];
}

std::optional<ResolvedOwner> BackstageCatalog::owner_of(const BackstageEntity& entity) const {
  ResolvedOwner resolved;
  const BackstageEntity* current = &entity;
  for (int hop = 0; hop < 3 && current != nullptr; ++hop) {
    if (current->owner) {
      resolved.owner = *current->owner;
      return resolved;
    }
    const std::optional<EntityRef>& next = current->system ? current->system : current->domain;
    if (!next) return std::nullopt;
    resolved.via.push_back(*next);
    current = find(*next);
  }
  return std::nullopt;
}

std::vector<const BackstageEntity*> BackstageCatalog::with_annotation(std::string_view key,
                                                                      std::string_view value) const {
  std::vector<const BackstageEntity*> out;
  const auto it = by_annotation_.find(to_lower(key) + "\n" + std::string(value));
  if (it != by_annotation_.end()) {
    for (auto i : it->second) out.push_back(&entities_[i]);
  }
  return out;
}

std::vector<const BackstageEntity*> BackstageCatalog::named(std::string_view kind, std::string_view name) const {
  std::vector<const BackstageEntity*> out;
  const auto it = by_kind_name_.find(to_lower(kind) + "/" + to_lower(name));
  if (it != by_kind_name_.end()) {
    for (auto i : it->second) out.push_back(&entities_[i]);
  }
  return out;
}

}  // namespace fixgate::ownership
