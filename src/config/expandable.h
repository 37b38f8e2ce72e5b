// A configuration string that may name environment variables ("${NAME}").
//
// Variables are looked up once, when the file is loaded, but a missing variable
// is not a load error: the value is kept as written and only resolve() fails.
// That way a secret such as accounts.default.external_id, which is needed only
// when a role is actually assumed, does not stop `fixgate config validate` or a
// dry run on a machine that does not hold it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "config/diagnostics.h"
#include "core/result.h"

namespace fixgate {

// How the loader reads the environment; tests pass their own map.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The process environment (getenv).
EnvLookup process_environment();

class ExpandableString {
 public:
  ExpandableString() = default;

  // Expands every "${NAME}" in `raw` through `env`. NAME is [A-Za-z_][A-Za-z0-9_]*;
  // anything else after '$' is kept literally. `where` is kept for the error
  // resolve() returns when a variable is missing.
  static ExpandableString expand(std::string raw, const EnvLookup& env, SourceRef where);

  // The expanded value. On failure the error (code "config.env_missing") names the
  // variable, the file and line, and the key, e.g.
  //   "environment variable FIXGATE_EXTERNAL_ID is not set (fixgate.yaml:40:18:
  //    accounts.default.external_id)"
  // The value itself never appears in an error, since it may be a secret.
  Result<std::string> resolve() const;

  const std::string& raw() const { return raw_; }
  const SourceRef& where() const { return where_; }
  // The first variable that was not set, or "" when every one was.
  const std::string& missing_variable() const { return missing_; }
  bool has_variables() const { return has_variables_; }

 private:
  std::string raw_;
  std::string expanded_;
  std::string missing_;
  bool has_variables_ = false;
  SourceRef where_;
};

}  // namespace fixgate
