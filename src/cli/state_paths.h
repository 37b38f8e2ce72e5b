// Where fixgate keeps its local state (audit log, queue, approvals) when a
// command is not told otherwise: $FIXGATE_STATE_DIR, else ./.fixgate/.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace fixgate::cli {

inline std::string state_dir() {
  const char* dir = std::getenv("FIXGATE_STATE_DIR");
  return (dir != nullptr && *dir != '\0') ? std::string(dir) : std::string(".fixgate");
}

// The default path of a state file; creates the state directory when missing
// (errors surface when the file itself is opened).
inline std::string default_state_file(const std::string& name) {
  std::error_code ignored;
  std::filesystem::create_directories(state_dir(), ignored);
  return (std::filesystem::path(state_dir()) / name).string();
}

}  // namespace fixgate::cli
