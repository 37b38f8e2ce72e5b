#include "logging/logger.h"

#include <openssl/rand.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "audit/audit_log.h"
#include "core/text.h"

namespace fixgate::logging {

using nlohmann::json;

const char* to_string(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

std::optional<Level> level_from_string(std::string_view text) {
  const std::string word = to_lower(text);
  if (word == "debug") return Level::debug;
  if (word == "info") return Level::info;
  if (word == "warn" || word == "warning") return Level::warn;
  if (word == "error") return Level::error;
  return std::nullopt;
}

Writer stderr_writer() {
  return [](std::string_view line) {
    std::string out(line);
    out.push_back('\n');
    std::fwrite(out.data(), 1, out.size(), stderr);
  };
}

std::string new_run_id() {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    static std::atomic<unsigned long long> counter{0};
    return "run-" + std::to_string(std::time(nullptr)) + "-" + std::to_string(++counter);
  }
  return "run-" + to_hex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

Logger::Logger(std::string component, Writer writer, std::shared_ptr<Redactor> redactor, std::string run_id,
               Level min_level)
    : component_(std::move(component)),
      writer_(std::move(writer)),
      redactor_(redactor ? std::move(redactor) : std::make_shared<Redactor>()),
      run_id_(std::move(run_id)),
      min_level_(min_level) {}

Logger Logger::child(std::string component) const {
  return Logger(std::move(component), writer_, redactor_, run_id_, min_level_);
}

void Logger::log(Level level, std::string_view correlation_id, std::string_view message,
                 const json& fields) const {
  if (static_cast<int>(level) < static_cast<int>(min_level_)) return;
  json line = {{"ts", audit::format_time(std::chrono::system_clock::now())},
               {"level", to_string(level)},
               {"component", component_},
               {"correlation_id", correlation_id.empty() ? run_id_ : std::string(correlation_id)},
               {"msg", std::string(message)}};
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) {
      if (!line.contains(key)) line[key] = value;
    }
  } else if (!fields.is_null()) {
    line["fields"] = fields;
  }
  write_raw(line.dump(-1, ' ', false, json::error_handler_t::replace));
}

void Logger::write_raw(std::string_view line) const { writer_(redactor_->redact(line)); }

}  // namespace fixgate::logging
