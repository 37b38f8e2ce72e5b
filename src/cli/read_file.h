// Reads a whole input file for a command; the error names the path.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include "core/result.h"

namespace fixgate::cli {

inline Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("input.unreadable", "cannot read " + path);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

}  // namespace fixgate::cli
