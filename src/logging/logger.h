// Structured logs for the long-running commands (`serve`, `demo`): one JSON
// object per line with ts, level, component, correlation_id and msg, plus any
// fields the caller adds. Every line passes a redaction guard (redact.h) before
// it is written, so a secret that reaches a log call — a registered credential,
// an AWS key id, an Authorization value — is replaced, never printed.
//
// Correlation: a line about one finding carries the finding's correlation id; a
// line about one HTTP request carries its X-Request-Id; every other line carries
// the process run id (Logger::run_id), so no line is without one.
//
// Thread-safe: every method may be called from any thread; a line is written
// with one call of the Writer, so concurrent lines never interleave.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "logging/redact.h"

namespace fixgate::logging {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };
const char* to_string(Level level);
// "debug", "info", "warn"/"warning", "error" (any case); nullopt otherwise.
std::optional<Level> level_from_string(std::string_view text);

// Receives one finished line without its newline.
using Writer = std::function<void(std::string_view line)>;
// Writes each line to stderr with one fwrite (atomic for lines below PIPE_BUF).
Writer stderr_writer();

class Logger {
 public:
  // `redactor` is shared by every child; `run_id` is the correlation id of lines
  // that concern no finding or request.
  Logger(std::string component, Writer writer, std::shared_ptr<Redactor> redactor, std::string run_id,
         Level min_level = Level::info);

  // The same sink, redactor and run id under another component name.
  Logger child(std::string component) const;

  // Writes one line when `level` >= the minimum level. An empty correlation id
  // falls back to the run id. `fields` must be a JSON object (anything else is
  // kept under "fields"); it cannot override ts/level/component/correlation_id/msg.
  void log(Level level, std::string_view correlation_id, std::string_view message,
           const nlohmann::json& fields = nlohmann::json::object()) const;

  void info(std::string_view message, const nlohmann::json& fields = nlohmann::json::object()) const {
    log(Level::info, {}, message, fields);
  }
  void warn(std::string_view message, const nlohmann::json& fields = nlohmann::json::object()) const {
    log(Level::warn, {}, message, fields);
  }
  void error(std::string_view message, const nlohmann::json& fields = nlohmann::json::object()) const {
    log(Level::error, {}, message, fields);
  }

  // Passes an already-formatted JSON line (e.g. the intake's access log) through
  // the redaction guard to the writer, unchanged otherwise.
  void write_raw(std::string_view line) const;

  const std::string& run_id() const { return run_id_; }
  const std::string& component() const { return component_; }
  Redactor& redactor() const { return *redactor_; }

 private:
  std::string component_;
  Writer writer_;
  std::shared_ptr<Redactor> redactor_;
  std::string run_id_;
  Level min_level_;
};

// A fresh run id: "run-" + 16 hex characters from the OS random source.
std::string new_run_id();

}  // namespace fixgate::logging
