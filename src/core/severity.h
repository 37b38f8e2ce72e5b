#pragma once

#include <optional>
#include <string_view>

namespace fixgate {

// Ordered so that comparisons mean "at least as severe as".
enum class Severity { unknown = 0, informational, low, medium, high, critical };

// Case-insensitive; accepts the labels Wiz and ASFF use ("INFORMATIONAL", "INFO",
// "LOW", "MEDIUM", "HIGH", "CRITICAL"). Returns nullopt for anything else.
std::optional<Severity> parse_severity(std::string_view label);
const char* to_string(Severity severity);

}  // namespace fixgate
