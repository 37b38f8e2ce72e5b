// Engine overhead per remediation: finding → guardrails → precheck → plan →
// audit intent → apply → verify → audit result, against FakeCloud with 0 ms and
// 30 ms injected latency per API call. The reported time is the run's wall time
// MINUS the time spent inside the cloud calls (UseManualTime), i.e. what fixgate
// itself adds; counters show the API time and call count per run.
#include <benchmark/benchmark.h>

#include <chrono>

#include "actions/runner.h"
#include "audit/memory_audit_log.h"
#include "fake_cloud.h"
#include "guardrails/guardrails.h"

namespace fixgate::actions {
namespace {

using Clock = std::chrono::steady_clock;

// Forwards to the fake and sums the time spent inside it.
class TimedCloud final : public CloudApi {
 public:
  explicit TimedCloud(CloudApi& inner) : inner_(inner) {}
  Result<ApiResponse> call(const ApiCall& call) override {
    const auto start = Clock::now();
    Result<ApiResponse> r = inner_.call(call);
    spent += Clock::now() - start;
    ++calls;
    return r;
  }
  Clock::duration spent{};
  int calls = 0;

 private:
  CloudApi& inner_;
};

class Sessions final : public CloudSessions {
 public:
  explicit Sessions(TimedCloud& cloud) : cloud_(cloud) {}
  Result<std::unique_ptr<CloudApi>> open(const Finding&, const std::string&) override {
    struct Forward final : CloudApi {
      explicit Forward(CloudApi& to) : to(to) {}
      Result<ApiResponse> call(const ApiCall& c) override { return to.call(c); }
      CloudApi& to;
    };
    return std::unique_ptr<CloudApi>(std::make_unique<Forward>(cloud_));
  }

 private:
  TimedCloud& cloud_;
};

void run_bench(benchmark::State& state, const std::string& action, const std::string& type,
               const std::function<std::string(testing::FakeCloud&, int)>& seed) {
  testing::FakeCloud fake;
  fake.set_latency(std::chrono::milliseconds(state.range(0)));
  TimedCloud timed(fake);
  Sessions sessions(timed);
  guardrails::GuardrailConfig config;
  config.rates = {.per_account_per_minute = 1'000'000, .global_per_minute = 1'000'000};
  guardrails::Guardrails rails(config, guardrails::steady_clock());
  audit::MemoryAuditLog audit;
  MemoryRollbackStore rollbacks;
  ActionRunner runner(builtin_actions(), rails, sessions, audit, rollbacks);

  Clock::duration api_total{};
  int i = 0;
  for (auto _ : state) {
    Finding f;
    f.id = "bench-" + std::to_string(i);
    f.resource_type = type;
    f.resource_arn = seed(fake, i++);
    f.account = "111111111111";
    f.region = "us-east-1";
    timed.spent = {};
    const auto start = Clock::now();
    const RunReport report = runner.run({f, action, {}, f.id});
    const auto wall = Clock::now() - start;
    if (report.status != RunStatus::succeeded) {
      state.SkipWithError(("run did not succeed: " + report.reason).c_str());
      break;
    }
    api_total += timed.spent;
    state.SetIterationTime(std::chrono::duration<double>(wall - timed.spent).count());
  }
  state.counters["api_ms_per_run"] =
      benchmark::Counter(std::chrono::duration<double, std::milli>(api_total).count() / std::max(1, i));
  state.counters["calls_per_run"] = benchmark::Counter(static_cast<double>(timed.calls) / std::max(1, i));
}

void BM_BlockPublicAccess(benchmark::State& state) {
  run_bench(state, "aws.s3.block_public_access", "AWS::S3::Bucket", [](testing::FakeCloud& c, int i) {
    const std::string name = "bucket-" + std::to_string(i);
    c.buckets[name];
    return "arn:aws:s3:::" + name;
  });
}

void BM_RevokePublicIngress(benchmark::State& state) {
  run_bench(state, "aws.ec2.revoke_public_ingress", "AWS::EC2::SecurityGroup", [](testing::FakeCloud& c, int i) {
    const std::string id = "sg-" + std::to_string(i);
    c.security_groups[id] = nlohmann::json::parse(R"([
      {"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"0.0.0.0/0"},{"CidrIp":"10.0.0.0/8"}],"Ipv6Ranges":[{"CidrIpv6":"::/0"}],"UserIdGroupPairs":[],"PrefixListIds":[]},
      {"IpProtocol":"tcp","FromPort":443,"ToPort":443,"IpRanges":[{"CidrIp":"0.0.0.0/0"}],"Ipv6Ranges":[],"UserIdGroupPairs":[],"PrefixListIds":[]}])");
    return "arn:aws:ec2:us-east-1:111111111111:security-group/" + id;
  });
}

BENCHMARK(BM_BlockPublicAccess)->Arg(0)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_BlockPublicAccess)->Arg(30)->UseManualTime()->Iterations(30)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RevokePublicIngress)->Arg(0)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RevokePublicIngress)->Arg(30)->UseManualTime()->Iterations(30)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace fixgate::actions
