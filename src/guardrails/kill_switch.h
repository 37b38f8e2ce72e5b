// The kill switch: when engaged, every remediation becomes a dry run.
//
// It is engaged by a flag (from configuration or an operator command) OR by the
// existence of a file, so an operator can stop all changes with `touch` without
// restarting anything. The file is looked at on every call, never cached; a file
// that cannot be checked (permission error) counts as present: fail closed.
// Thread-safe.
#pragma once

#include <atomic>
#include <optional>
#include <string>

namespace fixgate::guardrails {

class KillSwitch {
 public:
  explicit KillSwitch(bool engaged = false, std::string file = "");

  void set_engaged(bool engaged) { flag_.store(engaged); }
  // The reason the switch is engaged, or nullopt when changes may proceed.
  std::optional<std::string> engaged() const;

 private:
  std::atomic<bool> flag_;
  std::string file_;
};

}  // namespace fixgate::guardrails
