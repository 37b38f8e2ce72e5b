#include "intake/field_reader.h"

#include <string>

#include "core/text.h"
#include "intake/intake.h"

namespace fixgate::intake::detail {
namespace {

std::string too_long(std::size_t size, std::size_t limit) {
  return "is " + std::to_string(size) + " bytes long; the limit is " + std::to_string(limit);
}

// Tag values: strings as given, other scalars as their JSON text, null as "".
bool scalar_text(const element& value, std::string& out) {
  switch (value.type()) {
    case simdjson::dom::element_type::STRING: out.assign(value.get_string().value_unsafe()); return true;
    case simdjson::dom::element_type::NULL_VALUE: out.clear(); return true;
    case simdjson::dom::element_type::BOOL:
      out = value.get_bool().value_unsafe() ? "true" : "false";
      return true;
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE: out = simdjson::minify(value); return true;
    default: return false;
  }
}

}  // namespace

const char* json_type_name(const element& value) {
  switch (value.type()) {
    case simdjson::dom::element_type::ARRAY: return "array";
    case simdjson::dom::element_type::OBJECT: return "object";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE: return "number";
    case simdjson::dom::element_type::STRING: return "string";
    case simdjson::dom::element_type::BOOL: return "boolean";
    case simdjson::dom::element_type::NULL_VALUE: return "null";
  }
  return "value";
}

void add_unique(std::vector<std::string>& ids, std::string_view id) {
  if (id.empty()) return;
  for (const auto& existing : ids) {
    if (existing == id) return;
  }
  ids.emplace_back(id);
}

std::string entry_path(std::string_view field, std::size_t index, std::string_view suffix) {
  std::string path(field);
  path.append("[").append(std::to_string(index)).append("]").append(suffix);
  return path;
}

std::string quote_for_reason(std::string_view text) {
  constexpr std::size_t kShown = 64;
  std::string out = "\"" + escape_for_display(text.substr(0, kShown));
  if (text.size() > kShown) out += "...";
  out += "\"";
  return out;
}

void FieldReader::fail(std::string_view field, std::string reason) {
  if (finding_.malformed) return;
  std::string path;
  path.reserve(prefix_.size() + field.size());
  path.append(prefix_).append(field);
  // A prefix names a container element ("Findings[2]."): alone it names the element.
  if (field.empty() && !path.empty() && path.back() == '.') path.pop_back();
  finding_.malformed = Malformation{std::move(path), std::move(reason)};
}

std::optional<element> FieldReader::get(const object& obj, std::string_view key) {
  element value;
  if (obj.at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) return std::nullopt;
  return value;
}

std::string_view FieldReader::string_value(const element& value, std::string_view field, std::size_t limit) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    fail(field, std::string("must be a string, not ") + json_type_name(value));
    return {};
  }
  if (text.size() > limit) {
    fail(field, too_long(text.size(), limit));
    return {};
  }
  return text;
}

std::string_view FieldReader::string(const object& obj, std::string_view key, std::string_view field,
                                     std::size_t limit) {
  const auto value = get(obj, key);
  return value ? string_value(*value, field, limit) : std::string_view{};
}

std::string_view FieldReader::required_string(const object& obj, std::string_view key,
                                              std::string_view field, std::size_t limit) {
  const auto value = get(obj, key);
  if (!value) {
    fail(field, "is missing");
    return {};
  }
  const std::string_view text = string_value(*value, field, limit);
  if (text.empty() && value->is_string()) fail(field, "is empty");
  return text;
}

std::optional<object> FieldReader::object_member(const object& obj, std::string_view key,
                                                 std::string_view field, bool required) {
  const auto value = get(obj, key);
  if (!value) {
    if (required) fail(field, "is missing");
    return std::nullopt;
  }
  object result;
  if (value->get_object().get(result) != simdjson::SUCCESS) {
    fail(field, std::string("must be an object, not ") + json_type_name(*value));
    return std::nullopt;
  }
  return result;
}

std::optional<array> FieldReader::array_member(const object& obj, std::string_view key,
                                               std::string_view field, bool required) {
  const auto value = get(obj, key);
  if (!value) {
    if (required) fail(field, "is missing");
    return std::nullopt;
  }
  array result;
  if (value->get_array().get(result) != simdjson::SUCCESS) {
    fail(field, std::string("must be an array, not ") + json_type_name(*value));
    return std::nullopt;
  }
  return result;
}

void FieldReader::tags(const element& value, std::string_view field, bool allow_list) {
  auto& out = finding_.tags;
  const char* shapes = allow_list ? "an object {key: value} or a list of {key, value}" : "an object {key: value}";
  object map;
  if (value.get_object().get(map) == simdjson::SUCCESS) {
    if (map.size() > kMaxListEntries) {
      fail(field, "has more than " + std::to_string(kMaxListEntries) + " tags");
      return;
    }
    out.reserve(map.size());
    for (const auto& [key, tag_value] : map) {
      Tag tag;
      if (!scalar_text(tag_value, tag.value)) {
        fail(std::string(field) + "." + std::string(key.substr(0, 128)),
             std::string("tag value must be a string, not ") + json_type_name(tag_value));
        continue;
      }
      if (key.size() > kMaxFieldBytes || tag.value.size() > kMaxFieldBytes) {
        fail(field, "has a tag longer than " + std::to_string(kMaxFieldBytes) + " bytes");
        continue;
      }
      tag.key.assign(key);
      out.push_back(std::move(tag));
    }
    return;
  }
  array list;
  if (!allow_list || value.get_array().get(list) != simdjson::SUCCESS) {
    fail(field, std::string("must be ") + shapes + ", not " + json_type_name(value));
    return;
  }
  if (list.size() > kMaxListEntries) {
    fail(field, "has more than " + std::to_string(kMaxListEntries) + " tags");
    return;
  }
  out.reserve(list.size());
  std::size_t index = 0;
  for (const element entry : list) {
    const std::size_t at = index++;
    object pair;
    if (entry.get_object().get(pair) != simdjson::SUCCESS) {
      fail(entry_path(field, at), std::string("must be an object {key, value}, not ") + json_type_name(entry));
      continue;
    }
    auto key = get(pair, "key");
    if (!key) key = get(pair, "Key");
    std::string_view key_text;
    if (!key || key->get_string().get(key_text) != simdjson::SUCCESS || key_text.empty()) {
      fail(entry_path(field, at, ".key"), "must be a non-empty string");
      continue;
    }
    auto tag_value = get(pair, "value");
    if (!tag_value) tag_value = get(pair, "Value");
    Tag tag;
    if (tag_value && !scalar_text(*tag_value, tag.value)) {
      fail(entry_path(field, at, ".value"), std::string("must be a string, not ") + json_type_name(*tag_value));
      continue;
    }
    if (key_text.size() > kMaxFieldBytes || tag.value.size() > kMaxFieldBytes) {
      fail(entry_path(field, at), "is longer than " + std::to_string(kMaxFieldBytes) + " bytes");
      continue;
    }
    tag.key.assign(key_text);
    out.push_back(std::move(tag));
  }
}

}  // namespace fixgate::intake::detail
