// ASFF findings built in the test: severity mapping, the open rule, control ids,
// batches and per-element raw text.
#include "intake_test_util.h"

namespace fixgate::intake::testing {
namespace {

using ::testing::ElementsAre;
using json = nlohmann::ordered_json;

Finding parse_json(const json& payload) { return parse_one(payload.dump()); }

TEST(IntakeAsff, FullFinding) {
  const Finding f = parse_json(asff_finding());
  ASSERT_FALSE(f.malformed) << f.malformed->field << ": " << f.malformed->reason;
  EXPECT_EQ(f.source, FindingSource::asff);
  EXPECT_TRUE(f.open);
  EXPECT_EQ(f.status, "NEW/FAILED/ACTIVE");
  EXPECT_EQ(f.severity, Severity::high);
  EXPECT_THAT(f.control_ids, ElementsAre("S3.8"));
  EXPECT_EQ(f.resource_type, "AWS::S3::Bucket");
  EXPECT_EQ(f.region, "eu-west-1");  // the resource's Region wins over the finding's
  EXPECT_THAT(f.tags, ElementsAre(Tag{"environment", "prod"}, Tag{"needsPatching", "true"}, Tag{"cost", "12"}));
}

TEST(IntakeAsff, RegionFallsBackToTheFindingRegion) {
  json payload = asff_finding();
  payload["Resources"][0].erase("Region");
  EXPECT_EQ(parse_json(payload).region, "us-east-1");
}

TEST(IntakeAsff, NormalizedSeverityWhenNoLabel) {
  struct Case {
    int normalized;
    Severity severity;
  };
  for (const Case& c : {Case{0, Severity::informational}, Case{1, Severity::low}, Case{39, Severity::low},
                        Case{40, Severity::medium}, Case{69, Severity::medium}, Case{70, Severity::high},
                        Case{89, Severity::high}, Case{90, Severity::critical}, Case{100, Severity::critical}}) {
    SCOPED_TRACE(c.normalized);
    json payload = asff_finding();
    payload["Severity"] = {{"Normalized", c.normalized}};
    const Finding f = parse_json(payload);
    EXPECT_FALSE(f.malformed);
    EXPECT_EQ(f.severity, c.severity);
    EXPECT_EQ(f.severity_label, std::to_string(c.normalized));
  }
}

TEST(IntakeAsff, LabelWinsOverNormalized) {
  json payload = asff_finding();
  payload["Severity"] = {{"Label", "LOW"}, {"Normalized", 95}};
  EXPECT_EQ(parse_json(payload).severity, Severity::low);
}

TEST(IntakeAsff, OpenOnlyWhenFailedNewOrNotifiedAndActive) {
  struct Case {
    const char* compliance;  // "" = no Compliance object
    const char* workflow;    // "" = no Workflow object
    const char* legacy;      // "" = no WorkflowState
    const char* record;
    bool open;
  };
  for (const Case& c : {Case{"FAILED", "NEW", "", "ACTIVE", true}, Case{"FAILED", "NOTIFIED", "", "ACTIVE", true},
                        Case{"FAILED", "SUPPRESSED", "", "ACTIVE", false},
                        Case{"FAILED", "RESOLVED", "NEW", "ACTIVE", false},  // Workflow.Status wins
                        Case{"FAILED", "", "NEW", "ACTIVE", true},            // legacy WorkflowState
                        Case{"FAILED", "NEW", "", "ARCHIVED", false}, Case{"PASSED", "NEW", "", "ACTIVE", false},
                        Case{"WARNING", "NEW", "", "ACTIVE", false}, Case{"NOT_AVAILABLE", "NEW", "", "ACTIVE", false},
                        Case{"", "NEW", "", "ACTIVE", false}, Case{"FAILED", "", "", "ACTIVE", false},
                        Case{"FAILED", "NEW", "", "", false}}) {
    SCOPED_TRACE(std::string(c.compliance) + "/" + c.workflow + "/" + c.legacy + "/" + c.record);
    json payload = asff_finding();
    payload.erase("Compliance");
    payload.erase("Workflow");
    payload.erase("RecordState");
    if (*c.compliance) payload["Compliance"] = {{"Status", c.compliance}};
    if (*c.workflow) payload["Workflow"] = {{"Status", c.workflow}};
    if (*c.legacy) payload["WorkflowState"] = c.legacy;
    if (*c.record) payload["RecordState"] = c.record;
    const Finding f = parse_json(payload);
    EXPECT_FALSE(f.malformed);
    EXPECT_EQ(f.open, c.open);
  }
}

TEST(IntakeAsff, ControlIdsFromAllFourPlaces) {
  json payload = asff_finding();
  payload["Compliance"]["SecurityControlId"] = "S3.1";
  payload["ProductFields"] = {{"ControlId", "PCI.S3.1"}, {"RuleId", "2.3"}};
  payload["GeneratorId"] = "aws-foundational-security-best-practices/v/1.0.0/S3.2";
  EXPECT_THAT(parse_json(payload).control_ids, ElementsAre("S3.1", "PCI.S3.1", "2.3", "S3.2"));
}

TEST(IntakeAsff, GeneratorIdThatIsNoControlIdIsIgnored) {
  json payload = asff_finding();
  payload.erase("Compliance");
  payload.erase("ProductFields");
  for (const char* generator : {"my-custom-generator", "custom/rule-7", "ruleset/cis/v/1.2.0/rule/1.6", "x/S3.", "x/.1"}) {
    SCOPED_TRACE(generator);
    payload["GeneratorId"] = generator;
    EXPECT_TRUE(parse_json(payload).control_ids.empty());
  }
  payload["GeneratorId"] = "Config.1";
  EXPECT_THAT(parse_json(payload).control_ids, ElementsAre("Config.1"));
}

TEST(IntakeAsff, BatchGivesOneFindingPerElementWithItsOwnRawAndPath) {
  json second = asff_finding();
  second["Id"] = "finding-2";
  json third = asff_finding();
  third["Id"] = "finding-3";
  third["Resources"][0]["Type"] = 7;
  const json batch = {{"Findings", {asff_finding(), second, third}}};
  const std::string payload = batch.dump(2);
  const auto findings = parse_n(payload, 3);
  ASSERT_EQ(findings.size(), 3u);
  EXPECT_FALSE(findings[0].malformed);
  EXPECT_FALSE(findings[1].malformed);
  EXPECT_EQ(findings[1].id, "finding-2");
  ASSERT_TRUE(findings[2].malformed);
  EXPECT_EQ(findings[2].malformed->field, "Findings[2].Resources[0].Type");
  EXPECT_EQ(findings[2].id, "finding-3");
  EXPECT_EQ(findings[2].account, "111111111111");
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(json::parse(findings[i].raw), batch["Findings"][i]);  // that element, nothing else
    EXPECT_NE(payload.find(findings[i].raw), std::string::npos);   // exact bytes of the payload
  }
}

TEST(IntakeAsff, EventBridgeImportedEnvelope) {
  const json event = {{"version", "0"},
                      {"id", "e-1"},
                      {"detail-type", "Security Hub Findings - Imported"},
                      {"source", "aws.securityhub"},
                      {"account", "111111111111"},
                      {"region", "us-east-1"},
                      {"detail", {{"findings", {asff_finding()}}}}};
  const auto findings = parse_n(event.dump(), 1);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_FALSE(findings[0].malformed);
  EXPECT_EQ(json::parse(findings[0].raw), asff_finding());
}

}  // namespace
}  // namespace fixgate::intake::testing

namespace fixgate::intake::testing {
namespace {

// Each element's raw is cut from the payload even when the element nests right up
// to the depth cap (the DOM and On-Demand passes must agree on what fits).
TEST(IntakeAsff, ElementRawIsExactNearTheDepthCap) {
  for (std::size_t depth = kMaxDepth - 8; depth <= kMaxDepth + 2; ++depth) {
    SCOPED_TRACE(depth);
    std::string nest;
    for (std::size_t i = 0; i < depth; ++i) nest += "[";
    for (std::size_t i = 0; i < depth; ++i) nest += "]";
    std::string element = nlohmann::ordered_json(asff_finding()).dump();
    element.insert(1, "\"Nest\": " + nest + ", ");
    const std::string payload = "{\"Findings\": [" + element + ", " + element + "]}";
    const auto findings = parse_payload(payload);
    ASSERT_FALSE(findings.empty());
    for (const auto& f : findings) {
      EXPECT_NE(payload.find(f.raw), std::string::npos);
      if (!f.malformed) {
        EXPECT_EQ(f.raw, element);
      }
    }
  }
}

}  // namespace
}  // namespace fixgate::intake::testing
