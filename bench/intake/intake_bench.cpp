// parse_payload throughput on real corpus payloads. The product target is >100,000
// parse+decide per second per core, so parse alone must leave room for decide().
// items_per_second in the output is findings per second.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

#include "intake/intake.h"

namespace {

std::string read_corpus(const char* relative) {
  std::ifstream in(std::string(FIXGATE_SHARED_DIR) + "/corpus/" + relative, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// An SNS envelope as Wiz's automation rule delivers it through SNS (HTTPS or SQS).
std::string sns_envelope(const std::string& message) {
  std::string escaped;
  escaped.reserve(message.size() + message.size() / 8);
  for (char c : message) {
    if (c == '"' || c == '\\') escaped.push_back('\\');
    if (c == '\n') {
      escaped += "\\n";
      continue;
    }
    escaped.push_back(c);
  }
  return R"({"Type": "Notification", "MessageId": "63a3f6b6-d533-4a47-aef9-fcf5cf758c76",)"
         R"( "TopicArn": "arn:aws:sns:us-east-1:123456789012:wiz-issues", "Subject": null, "Message": ")" +
         escaped +
         R"(", "Timestamp": "2025-07-25T13:09:25.306Z", "SignatureVersion": "2", "Signature": "EXAMPLE",)"
         R"( "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem"})";
}

void run(benchmark::State& state, const std::string& payload) {
  std::size_t findings = 0;
  for (auto _ : state) {
    auto parsed = fixgate::intake::parse_payload(payload);
    findings += parsed.size();
    if (parsed.front().malformed) state.SkipWithError("payload unexpectedly malformed");
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(static_cast<int64_t>(findings));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * payload.size()));
}

void BM_WizWebhook(benchmark::State& state) {
  run(state, read_corpus("wiz/panther-webhook-issues/open-alert.json"));
}
BENCHMARK(BM_WizWebhook);

void BM_WizWebhookInSnsEnvelope(benchmark::State& state) {
  run(state, sns_envelope(read_corpus("wiz/panther-webhook-issues/open-alert.json")));
}
BENCHMARK(BM_WizWebhookInSnsEnvelope);

void BM_WizGraphQlIssue(benchmark::State& state) { run(state, read_corpus("wiz/panther-api-issues/open-alert.json")); }
BENCHMARK(BM_WizGraphQlIssue);

void BM_AsffFinding(benchmark::State& state) { run(state, read_corpus("asff/aws-solutions-asr/simdata/afsbp-s3.4.json")); }
BENCHMARK(BM_AsffFinding);

void BM_AsffEventBridgeOneFinding(benchmark::State& state) {
  run(state, read_corpus("asff/aws-solutions-asr/layer-test-envelopes/afsbp-ec2.7.json"));
}
BENCHMARK(BM_AsffEventBridgeOneFinding);

void BM_AsffEventBridgeTwoFindings(benchmark::State& state) {
  run(state, read_corpus("asff/aws-solutions-asr/layer-test-envelopes/CIS_1-6-multi-select.json"));
}
BENCHMARK(BM_AsffEventBridgeTwoFindings);

void BM_MalformedTruncated(benchmark::State& state) {
  std::string payload = read_corpus("wiz/panther-webhook-issues/open-alert.json");
  payload.resize(payload.size() / 2);
  std::size_t findings = 0;
  for (auto _ : state) {
    auto parsed = fixgate::intake::parse_payload(payload);
    findings += parsed.size();
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(static_cast<int64_t>(findings));
}
BENCHMARK(BM_MalformedTruncated);

}  // namespace
