#include "pipeline/decision_pipeline.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "audit/memory_audit_log.h"

namespace fixgate::pipeline {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Config reference_config() {
  auto config = load_config(FIXGATE_SHARED_DIR "/examples/fixgate.yaml");
  EXPECT_TRUE(config.ok()) << (config.ok() ? "" : config.error().message);
  return *config;
}

constexpr const char* kPublicBucket = R"({
  "trigger": {"source": "ISSUE", "type": "Open", "ruleId": "r-1", "ruleName": "fixgate"},
  "issue": {"id": "iss-1", "status": "OPEN", "severity": "CRITICAL", "created": "2026-11-25T10:00:00Z", "projects": []},
  "resource": {"id": "arn:aws:s3:::orders-exports", "name": "orders-exports", "type": "BUCKET",
               "cloudPlatform": "AWS", "subscriptionId": "111111111111", "region": "us-east-1",
               "tags": {"owner": "team-orders", "environment": "prod"}},
  "control": {"id": "wc-s3-public-bucket", "name": "Public bucket", "severity": "HIGH"}
})";

class PipelineTest : public ::testing::Test {
 protected:
  Config config_ = reference_config();
  audit::MemoryAuditLog audit_;
  PipelineOptions options() {
    PipelineOptions o;
    o.config = &config_;
    o.audit = &audit_;
    o.clock = [] { return std::chrono::system_clock::time_point(std::chrono::hours(24 * 365 * 56)); };
    return o;
  }
};

TEST_F(PipelineTest, RecordsEveryDecisionWithItsEvidenceBeforeReturningIt) {
  DecisionPipeline pipeline(options());
  auto decided = pipeline.decide_payload(kPublicBucket);
  ASSERT_TRUE(decided.ok());
  ASSERT_EQ(decided->size(), 1u);
  const auto& item = decided->front();
  EXPECT_EQ(item.decision.outcome, Outcome::remediate);
  EXPECT_EQ(item.audit_seq, 1);

  auto records = audit_.read({});
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  const auto& record = records->front();
  EXPECT_EQ(record.kind, "decision");
  EXPECT_EQ(record.finding_id, "iss-1");
  EXPECT_EQ(record.correlation_id, item.decision.correlation_id);
  const auto body = nlohmann::json::parse(record.body);
  EXPECT_EQ(body["decision"]["outcome"], "remediate");
  EXPECT_EQ(body["finding"]["resource_arn"], "arn:aws:s3:::orders-exports");
  EXPECT_EQ(body["raw"], kPublicBucket);
  EXPECT_FALSE(body["decision"]["checks"].empty());
}

TEST_F(PipelineTest, EventBridgeEnvelopeWithSeveralFindingsIsOneAtomicBatch) {
  DecisionPipeline pipeline(options());
  const auto payload =
      slurp(FIXGATE_SHARED_DIR "/corpus/asff/aws-solutions-asr/layer-test-envelopes/CIS_1-6-multi-select.json");
  auto decided = pipeline.decide_payload(payload);
  ASSERT_TRUE(decided.ok());
  ASSERT_EQ(decided->size(), 2u);
  EXPECT_EQ((*decided)[0].audit_seq, 1);
  EXPECT_EQ((*decided)[1].audit_seq, 2);
  auto report = audit_.verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->records, 2);
}

TEST_F(PipelineTest, MalformedPayloadIsRejectedAndStillRecordedWithItsRawBytes) {
  DecisionPipeline pipeline(options());
  const std::string invalid_utf8 = "{\"issue\": {\"id\": \"\xff\xfe\"}}";
  auto decided = pipeline.decide_payload(invalid_utf8);
  ASSERT_TRUE(decided.ok());
  ASSERT_EQ(decided->size(), 1u);
  EXPECT_EQ(decided->front().decision.outcome, Outcome::reject);
  EXPECT_EQ(decided->front().decision.reason().code, "malformed_payload");

  auto records = audit_.read({});
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  const auto body = nlohmann::json::parse(records->front().body);
  EXPECT_TRUE(body["raw_escaped"].get<bool>());
  EXPECT_NE(body["raw"].get<std::string>().find("\\xff\\xfe"), std::string::npos);
}

TEST_F(PipelineTest, KillSwitchTurnsRemediationIntoDryRun) {
  auto o = options();
  o.kill_switch = [] { return true; };
  DecisionPipeline pipeline(std::move(o));
  auto decided = pipeline.decide_payload(kPublicBucket);
  ASSERT_TRUE(decided.ok());
  EXPECT_EQ(decided->front().decision.outcome, Outcome::dry_run);
  EXPECT_EQ(decided->front().decision.reason().code, "mode_dry_run");
}

TEST_F(PipelineTest, ExtraOwnerSourcesFeedTheDecision) {
  constexpr const char* kNoOwner = R"({
    "trigger": {"source": "ISSUE", "type": "Open"},
    "issue": {"id": "iss-2", "status": "OPEN", "severity": "HIGH"},
    "resource": {"id": "arn:aws:s3:::unowned", "name": "unowned", "type": "BUCKET", "cloudPlatform": "AWS",
                 "subscriptionId": "222222222222", "region": "us-east-1", "tags": {}},
    "control": {"id": "wc-s3-public-bucket", "severity": "HIGH"}
  })";
  {
    DecisionPipeline pipeline(options());
    auto decided = pipeline.decide_payload(kNoOwner);
    ASSERT_TRUE(decided.ok());
    EXPECT_EQ(decided->front().decision.reason().code, "owner_missing");
  }
  auto o = options();
  o.owners = [](const Finding&) {
    return std::vector<OwnerCandidate>{{"team-storage", "cmdb", 0.8, "CI unowned → team-storage"}};
  };
  DecisionPipeline pipeline(std::move(o));
  auto decided = pipeline.decide_payload(kNoOwner);
  ASSERT_TRUE(decided.ok());
  EXPECT_EQ(decided->front().decision.outcome, Outcome::remediate);
  EXPECT_EQ(decided->front().decision.owner, "team-storage");
}

}  // namespace
}  // namespace fixgate::pipeline
