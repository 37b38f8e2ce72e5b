#include "ownership/csv.h"

namespace fixgate::ownership {

Result<std::vector<CsvRecord>> parse_csv(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<CsvRecord> records;
  CsvRecord record;
  std::string field;
  int line = 1;
  int column = 0;
  std::size_t line_start = 0;
  record.line = 1;
  bool field_started = false;  // the current record has content (even an empty quoted field)

  auto end_record = [&]() {
    if (field_started || !field.empty() || !record.fields.empty()) {
      record.fields.push_back(std::move(field));
      records.push_back(std::move(record));
    }
    record = CsvRecord{};
    field.clear();
    field_started = false;
  };
  auto where = [&](std::size_t pos) {
    column = static_cast<int>(pos - line_start) + 1;
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
  };

  std::size_t i = 0;
  while (i < text.size()) {
    const char ch = text[i];
    if (ch == '"') {
      if (!field.empty()) return make_error("csv.malformed", where(i) + ": quote inside an unquoted field");
      const int open_line = line;
      ++i;
      for (;;) {
        if (i >= text.size()) {
          return make_error("csv.malformed", "line " + std::to_string(open_line) + ": unterminated quoted field");
        }
        const char q = text[i];
        if (q == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (q == '\n') {
          ++line;
          line_start = i + 1;
        }
        field.push_back(q);
        ++i;
      }
      field_started = true;
      if (i < text.size() && text[i] != ',' && text[i] != '\n' && !(text[i] == '\r')) {
        return make_error("csv.malformed", where(i) + ": unexpected text after a closing quote");
      }
      continue;
    }
    if (ch == ',') {
      record.fields.push_back(std::move(field));
      field.clear();
      field_started = true;
      ++i;
      continue;
    }
    if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;
      continue;
    }
    if (ch == '\n') {
      end_record();
      ++i;
      ++line;
      line_start = i;
      record.line = line;
      continue;
    }
    field.push_back(ch);
    ++i;
  }
  end_record();
  return records;
}

}  // namespace fixgate::ownership
