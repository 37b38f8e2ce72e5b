// What notifications cost per decided finding: building the message, rendering
// it for each channel, and the durable outbox (enqueue with fsync, claim, mark
// sent) on a file database as the engine uses it.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "audit/memory_audit_log.h"
#include "config/config.h"
#include "decision/decision.h"
#include "intake/intake.h"
#include "notify/message.h"
#include "notify/outbox.h"
#include "notify/render.h"

namespace fixgate::notify {
namespace {

using nlohmann::json;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

struct Sample {
  Config config;
  Finding finding;
  Decision decision;
  json report;
  Sample() {
    config = load_config(FIXGATE_SHARED_DIR "/examples/fixgate.yaml").value();
    finding = intake::parse_payload(read_text(FIXGATE_SOURCE_DIR "/examples/findings/wiz-sg-ssh-open-production.json")).front();
    decision = decide(finding, enrich_from_config(finding, config, std::chrono::system_clock::now()), config);
    report = {{"status", "dry_run"},
              {"reason", "plan recorded"},
              {"plan", json::array({{{"service", "ec2"},
                                     {"operation", "RevokeSecurityGroupIngress"},
                                     {"params", {{"GroupId", "sg-0123456789abcdef0"}, {"Port", 22}}}}})}};
  }
};

const Sample& sample() {
  static const Sample s;
  return s;
}

void BM_BuildMessage(benchmark::State& state) {
  const Sample& s = sample();
  for (auto _ : state) benchmark::DoNotOptimize(build_message({s.finding, s.decision, {}, s.report}));
}
BENCHMARK(BM_BuildMessage);

void BM_Render(benchmark::State& state) {
  const Sample& s = sample();
  const json message = build_message({s.finding, s.decision, {}, s.report});
  Channel channel;
  channel.name = "bench";
  channel.type = static_cast<ChannelType>(state.range(0));
  channel.url = "https://example.invalid/x";
  channel.url_env = channel.type == ChannelType::slack ? "URL" : "";
  channel.project = "SEC";
  channel.bearer_env = "TOKEN";
  channel.routing_key_env = "KEY";
  channel.secret_env = "SECRET";
  channel.topic_arn = "arn:aws:sns:us-east-1:123456789012:sec";
  RenderContext ctx{[](std::string_view) -> std::optional<std::string> { return "https://hooks.example/secret"; },
                    std::chrono::system_clock::now(), "ntf-bench"};
  for (auto _ : state) benchmark::DoNotOptimize(render(channel, message, ctx));
  state.SetLabel(to_string(channel.type));
}
BENCHMARK(BM_Render)->DenseRange(0, 4);

// enqueue (one durable commit) + claim + mark_sent per notification.
void BM_OutboxRoundTrip(benchmark::State& state) {
  const auto dir = std::filesystem::temp_directory_path() / ("fixgate-notify-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto box = Outbox::open((dir / "notifications.db").string()).value();
  const std::string message = dump(build_message({sample().finding, sample().decision, {}, sample().report}));
  int64_t n = 0;
  for (auto _ : state) {
    OutboxRow row;
    row.dedupe_key = "fg-bench-" + std::to_string(n) + "|slack|notify";
    row.correlation_id = "fg-bench";
    row.finding_id = "f";
    row.channel = "slack";
    row.outcome = "notify";
    row.message = message;
    if (!box.enqueue(row, n).value()) state.SkipWithError("duplicate");
    auto claimed = box.claim_due(n, 1000, 1).value();
    if (claimed.size() != 1) state.SkipWithError("claim");
    if (!box.mark_sent(claimed.front().id, 1, 200, n).ok()) state.SkipWithError("mark");
    ++n;
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_OutboxRoundTrip)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace fixgate::notify
