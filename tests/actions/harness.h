// Test harness: a runner wired to a FakeCloud, an in-memory audit log, an
// in-memory rollback store, guardrails on a fake clock and a sleeper that only
// counts (so retries do not wait).
#pragma once

#include <memory>
#include <vector>

#include "actions/runner.h"
#include "audit/memory_audit_log.h"
#include "fake_cloud.h"
#include "guardrails/guardrails.h"

namespace fixgate::actions::testing {

// Hands out sessions that all talk to one shared CloudApi.
class SharedSessions final : public CloudSessions {
 public:
  explicit SharedSessions(CloudApi& cloud) : cloud_(cloud) {}
  Result<std::unique_ptr<CloudApi>> open(const Finding&, const std::string&) override {
    if (fail_) return make_error("sts.AccessDenied", "not authorized to perform sts:AssumeRole");
    ++opened;
    return std::unique_ptr<CloudApi>(std::make_unique<Forward>(cloud_));
  }
  void fail_assume_role(bool fail) { fail_ = fail; }
  int opened = 0;

 private:
  struct Forward final : CloudApi {
    explicit Forward(CloudApi& to) : to(to) {}
    Result<ApiResponse> call(const ApiCall& call) override { return to.call(call); }
    CloudApi& to;
  };
  CloudApi& cloud_;
  bool fail_ = false;
};

inline guardrails::GuardrailConfig roomy_guardrails() {
  guardrails::GuardrailConfig config;
  config.rates = {.per_account_per_minute = 1000, .global_per_minute = 1000};
  config.lock_timeout = std::chrono::milliseconds(2000);
  return config;
}

struct Harness {
  explicit Harness(guardrails::GuardrailConfig config = roomy_guardrails())
      : rails(config, clock), sessions(cloud),
        runner(builtin_actions(), rails, sessions, audit, rollbacks, options()) {}

  RunnerOptions options() {
    RunnerOptions o;
    o.sleep = [this](std::chrono::milliseconds d) { slept.push_back(d); };
    o.wall_clock = [] { return std::chrono::sys_days(std::chrono::year(2026) / 11 / 25) + std::chrono::hours(12); };
    return o;
  }

  std::vector<audit::AuditRecord> records(const std::string& kind = "") {
    audit::AuditQuery q;
    q.limit = 0;
    if (!kind.empty()) q.kind = kind;
    auto r = audit.read(q);
    return r.ok() ? *r : std::vector<audit::AuditRecord>{};
  }

  guardrails::FakeClock clock;
  guardrails::Guardrails rails;
  FakeCloud cloud;
  SharedSessions sessions;
  audit::MemoryAuditLog audit;
  MemoryRollbackStore rollbacks;
  std::vector<std::chrono::milliseconds> slept;
  ActionRunner runner;
};

}  // namespace fixgate::actions::testing
