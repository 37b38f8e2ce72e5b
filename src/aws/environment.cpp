#include "aws/environment.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/text.h"

namespace fixgate::aws {
namespace {

class SystemEnvironment final : public Environment {
 public:
  std::optional<std::string> get(std::string_view name) const override {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  }
  Result<std::string> read_file(const std::string& path) const override {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error("aws.file.unreadable", "cannot read " + escape_for_display(path));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return std::chrono::system_clock::now(); }
  void sleep(std::chrono::milliseconds duration) override { std::this_thread::sleep_for(duration); }
};

}  // namespace

std::shared_ptr<Environment> system_environment() { return std::make_shared<SystemEnvironment>(); }
std::shared_ptr<Clock> system_clock() { return std::make_shared<SystemClock>(); }

std::optional<std::string> MapEnvironment::get(std::string_view name) const {
  const auto it = variables.find(std::string(name));
  if (it == variables.end()) return std::nullopt;
  return it->second;
}

Result<std::string> MapEnvironment::read_file(const std::string& path) const {
  const auto it = files.find(path);
  if (it == files.end()) return make_error("aws.file.unreadable", "cannot read " + escape_for_display(path));
  return it->second;
}

}  // namespace fixgate::aws
