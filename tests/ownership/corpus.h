// Helpers shared by the ownership tests: reading corpus files.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace fixgate::ownership::testing {

inline std::string corpus_path(const std::string& relative) {
  return std::string(FIXGATE_SHARED_DIR) + "/corpus/" + relative;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(read_text(path)); }

}  // namespace fixgate::ownership::testing
