// Reads typed fields out of a simdjson DOM object for one Finding, recording the first
// problem as the Finding's `malformed` and carrying on, so a malformed Finding still
// has every field that could be read. Internal to intake.
//
// Field paths are given relative to the finding's document ("resource.tags") and
// prefixed with the finding's position in its container ("Findings[2].").
// Conventions: JSON null counts as absent; a wrong type or an over-long string is a
// malformation naming the field; readers then return an empty value.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"

namespace fixgate::intake::detail {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// "string", "object", ... for messages.
const char* json_type_name(const element& value);

// Appends `id` unless it is empty or already present (control ids keep first-seen order).
void add_unique(std::vector<std::string>& ids, std::string_view id);

// "<field>[<index>]<suffix>": the path of a list entry, built only when reporting it.
std::string entry_path(std::string_view field, std::size_t index, std::string_view suffix = {});

// A short, display-safe quotation of attacker-controlled text for a reason message.
std::string quote_for_reason(std::string_view text);

class FieldReader {
 public:
  FieldReader(Finding& finding, std::string prefix) : finding_(finding), prefix_(std::move(prefix)) {}

  // Records `field` (relative path) as malformed unless an earlier problem was recorded.
  void fail(std::string_view field, std::string reason);
  bool failed() const { return finding_.malformed.has_value(); }
  const std::string& prefix() const { return prefix_; }

  // The member `key` of `obj`, or nullopt when absent or null.
  static std::optional<element> get(const object& obj, std::string_view key);

  // A string member: "" when absent/null; wrong type or longer than `limit` fails.
  std::string_view string(const object& obj, std::string_view key, std::string_view field,
                          std::size_t limit);
  // As string(), but absent, null or empty also fails ("is missing" / "is empty").
  std::string_view required_string(const object& obj, std::string_view key, std::string_view field,
                                   std::size_t limit);
  // An object member: nullopt when absent/null (failing when `required`) or of another type.
  std::optional<object> object_member(const object& obj, std::string_view key, std::string_view field,
                                      bool required);
  // An array member, same rules as object_member().
  std::optional<array> array_member(const object& obj, std::string_view key, std::string_view field,
                                    bool required);

  // Tags given as {"k": "v"} (and, when `allow_list`, as [{"key": k, "value": v}] with
  // either key casing). Scalar values are kept as their JSON text; null is "". Any
  // other shape, or more than kMaxListEntries tags, fails naming `field`.
  void tags(const element& value, std::string_view field, bool allow_list);

 private:
  // The string in `value`, or "" after recording a wrong type or an over-long string.
  std::string_view string_value(const element& value, std::string_view field, std::size_t limit);

  Finding& finding_;
  std::string prefix_;
};

}  // namespace fixgate::intake::detail
