// Small string helpers shared by every component.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fixgate {

std::string to_lower(std::string_view text);
std::string to_upper(std::string_view text);
bool iequals(std::string_view a, std::string_view b);
bool starts_with(std::string_view text, std::string_view prefix);
std::string trim(std::string_view text);
std::vector<std::string> split(std::string_view text, char separator);

// Replaces every character that is not printable ASCII with a \uXXXX / \xNN escape,
// so attacker-controlled text (finding titles, tags, resource names) can be shown
// on a terminal or in a log line without smuggling control sequences.
std::string escape_for_display(std::string_view text);

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or bytes past U+10FFFF).
bool is_valid_utf8(std::string_view text);

// Lower-case hex of bytes.
std::string to_hex(std::string_view bytes);

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, as in a query
// string). A malformed escape is kept as written, so nothing is lost.
std::string percent_decode(std::string_view text, bool plus_is_space = false);

}  // namespace fixgate
