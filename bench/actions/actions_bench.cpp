// Engine overhead per remediation: finding → guardrails → precheck → plan →
// audit intent → apply → verify → audit result, with 0 ms and 30 ms injected
// latency per API call, against
//   BM_Fake*: the in-memory FakeCloud (pure engine cost), and
//   BM_Sim*:  the cloud simulator over loopback HTTP through fixgate's AWS client,
//             including STS AssumeRole per run (latency injected by a sim fault).
// The reported time is the run's wall time MINUS the time spent inside cloud
// calls and session opening (UseManualTime), i.e. what the engine itself adds
// (guardrails, planning, audit hashing, rollback record); counters show the API
// time and call count per run. For BM_Sim* the AWS client's own work (signing,
// serialising, parsing) sits inside the API time.
#include <benchmark/benchmark.h>

#include <chrono>

#include "actions/aws_cloud_api.h"
#include "actions/runner.h"
#include "aws/http.h"
#include "cloudsim/simulator.h"
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

// Sessions that time how long opening one takes (AssumeRole) and time every call.
class TimedSessions final : public CloudSessions {
 public:
  explicit TimedSessions(CloudSessions& inner) : inner_(inner) {}
  Result<std::unique_ptr<CloudApi>> open(const Finding& f, const std::string& corr) override {
    const auto start = Clock::now();
    auto api = inner_.open(f, corr);
    spent += Clock::now() - start;
    if (!api.ok()) return api.error();
    struct Timed final : CloudApi {
      Timed(std::unique_ptr<CloudApi> inner, TimedSessions& owner) : inner(std::move(inner)), owner(owner) {}
      Result<ApiResponse> call(const ApiCall& c) override {
        const auto start = Clock::now();
        auto r = inner->call(c);
        owner.spent += Clock::now() - start;
        ++owner.calls;
        return r;
      }
      std::unique_ptr<CloudApi> inner;
      TimedSessions& owner;
    };
    return std::unique_ptr<CloudApi>(std::make_unique<Timed>(std::move(*api), *this));
  }
  Clock::duration spent{};
  int calls = 0;

 private:
  CloudSessions& inner_;
};

void BM_SimBlockPublicAccess(benchmark::State& state) {
  auto sim = cloudsim::Simulator::create_from_file(FIXGATE_SOURCE_DIR "/src/cloudsim/seeds/demo.json");
  if (!sim.ok() || !(*sim)->start(0).ok()) {
    state.SkipWithError("simulator did not start");
    return;
  }
  if (state.range(0) > 0) (*sim)->add_fault({"*", "*", cloudsim::FaultKind::kLatency, -1, static_cast<int>(state.range(0))});
  aws::ClientConfig platform;
  platform.region = "us-east-1";
  platform.endpoint_url = (*sim)->endpoint();
  platform.transport = aws::make_curl_transport();
  platform.credentials = std::make_shared<aws::StaticCredentialsProvider>(
      aws::Credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", std::nullopt, "bench"});
  AssumeRoleSessions assume(platform, [](const std::string& account) -> Result<RoleSpec> {
    return RoleSpec{"arn:aws:iam::" + account + ":role/fixgate-remediation", "demo-external-id", 900};
  });
  TimedSessions sessions(assume);
  guardrails::GuardrailConfig config;
  config.rates = {.per_account_per_minute = 1'000'000, .global_per_minute = 1'000'000};
  guardrails::Guardrails rails(config, guardrails::steady_clock());
  audit::MemoryAuditLog audit;
  MemoryRollbackStore rollbacks;
  RunnerOptions options;
  options.retry.max_attempts = 1;
  ActionRunner runner(builtin_actions(), rails, sessions, audit, rollbacks, options);

  Clock::duration api_total{};
  int i = 0;
  for (auto _ : state) {
    const std::string name = "bench-bucket-" + std::to_string(i);
    (*sim)->with_world([&](cloudsim::World& w) {
      cloudsim::Bucket b;
      b.name = name;
      w.find_account("111111111111")->buckets.push_back(b);
    });
    Finding f;
    f.id = "bench-" + std::to_string(i++);
    f.resource_type = "AWS::S3::Bucket";
    f.resource_arn = "arn:aws:s3:::" + name;
    f.account = "111111111111";
    f.region = "us-east-1";
    sessions.spent = {};
    const auto start = Clock::now();
    const RunReport report = runner.run({f, "aws.s3.block_public_access", {}, f.id});
    const auto wall = Clock::now() - start;
    if (report.status != RunStatus::succeeded) {
      state.SkipWithError(("run did not succeed: " + report.reason).c_str());
      break;
    }
    api_total += sessions.spent;
    state.SetIterationTime(std::chrono::duration<double>(wall - sessions.spent).count());
  }
  state.counters["api_ms_per_run"] =
      benchmark::Counter(std::chrono::duration<double, std::milli>(api_total).count() / std::max(1, i));
  state.counters["calls_per_run"] = benchmark::Counter(static_cast<double>(sessions.calls) / std::max(1, i));
}

void BM_FakeBlockPublicAccess(benchmark::State& state) {
  run_bench(state, "aws.s3.block_public_access", "AWS::S3::Bucket", [](testing::FakeCloud& c, int i) {
    const std::string name = "bucket-" + std::to_string(i);
    c.buckets[name];
    return "arn:aws:s3:::" + name;
  });
}

void BM_FakeRevokePublicIngress(benchmark::State& state) {
  run_bench(state, "aws.ec2.revoke_public_ingress", "AWS::EC2::SecurityGroup", [](testing::FakeCloud& c, int i) {
    const std::string id = "sg-" + std::to_string(i);
    c.security_groups[id] = nlohmann::json::parse(R"([
      {"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"0.0.0.0/0"},{"CidrIp":"10.0.0.0/8"}],"Ipv6Ranges":[{"CidrIpv6":"::/0"}],"UserIdGroupPairs":[],"PrefixListIds":[]},
      {"IpProtocol":"tcp","FromPort":443,"ToPort":443,"IpRanges":[{"CidrIp":"0.0.0.0/0"}],"Ipv6Ranges":[],"UserIdGroupPairs":[],"PrefixListIds":[]}])");
    return "arn:aws:ec2:us-east-1:111111111111:security-group/" + id;
  });
}

BENCHMARK(BM_SimBlockPublicAccess)->Arg(0)->UseManualTime()->Iterations(200)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SimBlockPublicAccess)->Arg(30)->UseManualTime()->Iterations(20)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FakeBlockPublicAccess)->Arg(0)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FakeBlockPublicAccess)->Arg(30)->UseManualTime()->Iterations(30)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FakeRevokePublicIngress)->Arg(0)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FakeRevokePublicIngress)->Arg(30)->UseManualTime()->Iterations(30)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace fixgate::actions
