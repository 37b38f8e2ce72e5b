#include "guardrails/kill_switch.h"

#include <filesystem>
#include <system_error>

namespace fixgate::guardrails {

KillSwitch::KillSwitch(bool engaged, std::string file) : flag_(engaged), file_(std::move(file)) {}

std::optional<std::string> KillSwitch::engaged() const {
  if (flag_.load()) return std::string("kill switch engaged by configuration");
  if (file_.empty()) return std::nullopt;
  std::error_code ec;
  const bool present = std::filesystem::exists(file_, ec);
  if (ec) return "kill switch file " + file_ + " cannot be checked (" + ec.message() + "): failing closed";
  if (present) return "kill switch file " + file_ + " is present";
  return std::nullopt;
}

}  // namespace fixgate::guardrails
