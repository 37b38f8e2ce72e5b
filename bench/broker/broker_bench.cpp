// The credential broker's cost per remediation call: a cache hit (what every
// AWS call of an action pays through the broker's credentials provider), the
// same under 2-8 threads on one key (shared session) and on a key per thread
// (session_scope: finding), and a miss — a real AssumeRole over loopback HTTP
// with SigV4 against the in-process cloud simulator.
#include <benchmark/benchmark.h>

#include <atomic>
#include <memory>
#include <string>

#include "aws/http.h"
#include "broker/credential_broker.h"
#include "cloudsim/simulator.h"

namespace fixgate::broker {
namespace {

CredentialBroker::RoleLookup lookup() {
  return [](const std::string& account) -> Result<AccountAccess> {
    return AccountAccess{account, "arn:aws:iam::" + account + ":role/fixgate-remediation", "demo-external-id", 900};
  };
}

// An STS that answers instantly: hits never reach it after the first call.
CredentialBroker::Assumer instant_sts() {
  return [](const aws::AssumeRoleRequest& r) -> aws::AwsOutcome<aws::AssumedRole> {
    static std::atomic<int> n{0};
    aws::AssumedRole out;
    out.credentials.access_key_id = "ASIABENCH" + std::to_string(++n);
    out.credentials.secret_access_key = "secret";
    out.credentials.session_token = std::string(400, 't');
    out.credentials.expiration = std::chrono::system_clock::now() + std::chrono::seconds(*r.duration_seconds);
    out.assumed_role_id = "AROABENCH:" + r.role_session_name;
    return out;
  };
}

CredentialBroker& shared_broker() {
  static CredentialBroker broker(instant_sts(), lookup());
  return broker;
}

void BM_CacheHit(benchmark::State& state) {
  CredentialBroker& broker = shared_broker();
  const SessionRequest request{"111111111111", "c0ffee00c0ffee00", "wiz-issue-42"};
  if (!broker.acquire(request).ok()) state.SkipWithError("first acquire failed");
  for (auto _ : state) benchmark::DoNotOptimize(broker.acquire(request));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CacheHit);

// Every thread asks for the same session (one finding's precheck/apply/verify
// in parallel workers, or session_scope: account).
void BM_CacheHitSameKey(benchmark::State& state) {
  CredentialBroker& broker = shared_broker();
  const SessionRequest request{"111111111111", "c0ffee00c0ffee00", "wiz-issue-42"};
  if (!broker.acquire(request).ok()) state.SkipWithError("first acquire failed");
  for (auto _ : state) benchmark::DoNotOptimize(broker.acquire(request));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CacheHitSameKey)->Threads(2)->Threads(4)->Threads(8)->UseRealTime();

// Each thread works on its own finding (session_scope: finding, many workers).
void BM_CacheHitKeyPerThread(benchmark::State& state) {
  CredentialBroker& broker = shared_broker();
  const SessionRequest request{"111111111111", "corr-thread-" + std::to_string(state.thread_index()), "f"};
  if (!broker.acquire(request).ok()) state.SkipWithError("first acquire failed");
  for (auto _ : state) benchmark::DoNotOptimize(broker.acquire(request));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CacheHitKeyPerThread)->Threads(2)->Threads(4)->Threads(8)->UseRealTime();

// What AwsClient pays per call: provider get() = a cache hit plus the copy.
void BM_ProviderGet(benchmark::State& state) {
  CredentialBroker& broker = shared_broker();
  auto provider = broker.provider_for({"111111111111", "c0ffee00c0ffee00", "wiz-issue-42"});
  for (auto _ : state) benchmark::DoNotOptimize(provider->get());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ProviderGet);

// A miss: AssumeRole through fixgate's AWS client (SigV4, libcurl keep-alive)
// against the simulator on loopback, which verifies the signature and the
// trust policy (external id, SetSourceIdentity, TagSession).
void BM_CacheMissAgainstSimulator(benchmark::State& state) {
  auto sim = cloudsim::Simulator::create_from_file(FIXGATE_SOURCE_DIR "/src/cloudsim/seeds/demo.json");
  if (!sim.ok() || !(*sim)->start(0).ok()) {
    state.SkipWithError("simulator did not start");
    return;
  }
  aws::ClientConfig platform;
  platform.region = "us-east-1";
  platform.endpoint_url = (*sim)->endpoint();
  platform.transport = aws::make_curl_transport();
  platform.credentials = std::make_shared<aws::StaticCredentialsProvider>(
      aws::Credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", std::nullopt, "bench"});
  CredentialBroker broker(sts_assumer(std::make_shared<aws::AwsClient>(platform)), lookup());
  int64_t n = 0;
  for (auto _ : state) {
    auto session = broker.acquire({"111111111111", "miss-" + std::to_string(++n), "wiz-issue-42"});
    if (!session.ok()) {
      state.SkipWithError(session.error().message.c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CacheMissAgainstSimulator)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace fixgate::broker
