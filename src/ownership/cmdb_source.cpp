#include "ownership/cmdb_source.h"

#include <nlohmann/json.hpp>

#include <array>
#include <fstream>
#include <sstream>

#include "core/text.h"
#include "ownership/csv.h"

namespace fixgate::ownership {
namespace {

enum Column { kSysId, kName, kArn, kResourceId, kGroup, kOwner, kColumns };

int column_of(const std::string& header) {
  const std::string h = to_lower(trim(header));
  static const std::array<std::vector<std::string>, kColumns> aliases = {{
      {"sys_id"},
      {"name", "u_name", "resource_name"},
      {"arn", "u_arn", "resource_arn", "u_resource_arn", "aws_arn", "u_aws_arn"},
      {"resource_id", "u_resource_id", "object_id", "u_object_id", "instance_id"},
      {"assignment_group", "assignment_group.name", "support_group", "u_assignment_group"},
      {"owned_by", "owned_by.name", "owner", "u_owner", "managed_by"},
  }};
  for (int c = 0; c < kColumns; ++c) {
    for (const auto& alias : aliases[c]) {
      if (h == alias) return c;
    }
  }
  return -1;
}

void assign(CmdbItem& item, int column, std::string value) {
  value = trim(value);
  std::string* slot = nullptr;
  switch (column) {
    case kSysId: slot = &item.sys_id; break;
    case kName: slot = &item.name; break;
    case kArn: slot = &item.arn; break;
    case kResourceId: slot = &item.resource_id; break;
    case kGroup: slot = &item.assignment_group; break;
    case kOwner: slot = &item.owner; break;
    default: return;
  }
  if (slot->empty()) *slot = std::move(value);  // the first recognised alias with a value wins
}

Result<void> check_columns(const std::array<bool, kColumns>& seen, const std::string& where) {
  if (!seen[kArn] && !seen[kResourceId] && !seen[kName]) {
    return make_error("cmdb.missing_column", where + ": no ARN, resource id or name column");
  }
  if (!seen[kGroup] && !seen[kOwner]) {
    return make_error("cmdb.missing_column", where + ": no assignment group or owner column");
  }
  return {};
}

}  // namespace

CmdbSource::CmdbSource(std::vector<CmdbItem> items) : items_(std::move(items)) {
  for (std::size_t i = 0; i < items_.size(); ++i) {
    if (!items_[i].arn.empty()) by_arn_[items_[i].arn].push_back(i);
    if (!items_[i].resource_id.empty()) by_id_[items_[i].resource_id].push_back(i);
    if (!items_[i].name.empty()) by_name_[to_lower(items_[i].name)].push_back(i);
  }
}

Result<CmdbSource> CmdbSource::from_csv(std::string_view text, const std::string& origin) {
  auto records = parse_csv(text);
  if (!records) return make_error(records.error().code, origin + ": " + records.error().message);
  if (records->empty()) return make_error("cmdb.empty", origin + ": no header row");
  const CsvRecord& header = records->front();
  std::vector<int> columns;
  std::array<bool, kColumns> seen{};
  for (const auto& name : header.fields) {
    columns.push_back(column_of(name));
    if (columns.back() >= 0) seen[columns.back()] = true;
  }
  if (auto r = check_columns(seen, origin + ":" + std::to_string(header.line)); !r) return r.error();
  std::vector<CmdbItem> items;
  for (std::size_t r = 1; r < records->size(); ++r) {
    const CsvRecord& rec = (*records)[r];
    if (rec.fields.size() != header.fields.size()) {
      return make_error("cmdb.malformed", origin + ":" + std::to_string(rec.line) + ": expected " +
                                              std::to_string(header.fields.size()) + " fields, found " +
                                              std::to_string(rec.fields.size()));
    }
    CmdbItem item;
    for (std::size_t f = 0; f < rec.fields.size(); ++f) assign(item, columns[f], rec.fields[f]);
    item.location = origin + ":" + std::to_string(rec.line);
    items.push_back(std::move(item));
  }
  return CmdbSource(std::move(items));
}

Result<CmdbSource> CmdbSource::from_json(std::string_view text, const std::string& origin) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return make_error("cmdb.malformed", origin + ": " + e.what());
  }
  const nlohmann::json* records = &doc;
  std::string prefix = "";
  if (doc.is_object()) {
    for (const char* key : {"result", "records"}) {
      if (doc.contains(key)) {
        records = &doc[key];
        prefix = std::string(key) + "[";
        break;
      }
    }
  }
  if (prefix.empty()) prefix = "[";
  if (!records->is_array()) return make_error("cmdb.malformed", origin + ": expected an array of records");
  std::vector<CmdbItem> items;
  std::array<bool, kColumns> seen{};
  for (std::size_t i = 0; i < records->size(); ++i) {
    const auto& rec = (*records)[i];
    const std::string where = origin + " " + prefix + std::to_string(i) + "]";
    if (!rec.is_object()) return make_error("cmdb.malformed", where + ": expected an object");
    CmdbItem item;
    for (const auto& [key, value] : rec.items()) {
      const int column = column_of(key);
      if (column < 0) continue;
      seen[column] = true;
      std::string text_value;
      if (value.is_string()) {
        text_value = value.get<std::string>();
      } else if (value.is_object()) {
        const auto it = value.contains("display_value") ? value.find("display_value") : value.find("value");
        if (it != value.end() && it->is_string()) text_value = it->get<std::string>();
      } else if (value.is_number()) {
        text_value = value.dump();
      } else if (!value.is_null()) {
        return make_error("cmdb.malformed", where + "." + key + ": expected a string");
      }
      assign(item, column, std::move(text_value));
    }
    item.location = where;
    items.push_back(std::move(item));
  }
  if (!items.empty()) {
    if (auto r = check_columns(seen, origin); !r) return r.error();
  }
  return CmdbSource(std::move(items));
}

Result<CmdbSource> CmdbSource::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cmdb.unreadable", path + ": cannot open CMDB export");
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  const std::string lower = to_lower(path);
  if (lower.ends_with(".json")) return from_json(text, path);
  if (lower.ends_with(".csv")) return from_csv(text, path);
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (text[first] == '[' || text[first] == '{')) return from_json(text, path);
  return from_csv(text, path);
}

std::vector<OwnerCandidate> CmdbSource::candidates(const Finding& finding) const {
  struct Key {
    const std::unordered_map<std::string, std::vector<std::size_t>>* map;
    std::string value;
    const char* name;
    double confidence;
  };
  std::string arn = finding.resource_arn;
  if (arn.empty() && finding.resource_id.starts_with("arn:")) arn = finding.resource_id;
  const Key keys[] = {{&by_arn_, arn, "arn", 0.85},
                      {&by_id_, finding.resource_id, "resource_id", 0.8},
                      {&by_name_, to_lower(finding.resource_name), "name", 0.6}};
  std::vector<OwnerCandidate> out;
  for (const Key& key : keys) {
    if (key.value.empty()) continue;
    const auto it = key.map->find(key.value);
    if (it == key.map->end()) continue;
    for (std::size_t index : it->second) {
      const CmdbItem& item = items_[index];
      auto make = [&](const std::string& owner, OwnerKind kind, const char* column, double confidence) {
        OwnerCandidate c;
        c.owner = owner;
        c.kind = kind;
        c.source = "cmdb";
        c.confidence = confidence;
        c.evidence = {{"cmdb_record", item.location}, {"matched_by", key.name}, {"matched_value", key.value},
                      {"column", column}};
        if (!item.sys_id.empty()) c.evidence.push_back({"sys_id", item.sys_id});
        if (!item.name.empty()) c.evidence.push_back({"ci_name", item.name});
        out.push_back(std::move(c));
      };
      if (!item.assignment_group.empty()) make(item.assignment_group, OwnerKind::team, "assignment_group", key.confidence);
      if (!item.owner.empty()) make(item.owner, OwnerKind::person, "owned_by", key.confidence - 0.1);
    }
    if (!out.empty()) break;
  }
  return out;
}

}  // namespace fixgate::ownership
