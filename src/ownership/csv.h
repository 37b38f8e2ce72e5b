// An RFC 4180 CSV reader for CMDB exports.
//
// Handles quoted fields, doubled quotes inside them ("" -> "), commas and line
// breaks inside quotes, CRLF or LF line ends, a UTF-8 byte-order mark and a
// missing final line break. Lines that are completely empty are skipped.
// Malformed input fails with "csv.malformed" naming the line (and column): an
// unterminated quote, text after a closing quote, or a quote inside an unquoted
// field.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace fixgate::ownership {

struct CsvRecord {
  std::vector<std::string> fields;
  int line = 0;  // 1-based physical line where the record starts
};

Result<std::vector<CsvRecord>> parse_csv(std::string_view text);

}  // namespace fixgate::ownership
