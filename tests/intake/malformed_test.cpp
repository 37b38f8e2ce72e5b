// Hostile and broken input: every case yields a malformed Finding whose field names
// the culprit and whose raw keeps the bytes it came from.
#include "intake_test_util.h"

namespace fixgate::intake::testing {
namespace {

using json = nlohmann::ordered_json;

void expect_malformed(std::string_view payload, std::string_view field, std::string_view reason_part = {}) {
  const auto findings = parse_payload(payload);
  ASSERT_EQ(findings.size(), 1u);
  const Finding& f = findings.front();
  ASSERT_TRUE(f.malformed) << "accepted: " << payload.substr(0, 200);
  EXPECT_EQ(f.malformed->field, field) << f.malformed->reason;
  EXPECT_FALSE(f.malformed->reason.empty());
  if (!reason_part.empty()) {
    EXPECT_NE(f.malformed->reason.find(reason_part), std::string::npos) << f.malformed->reason;
  }
  EXPECT_EQ(f.raw, payload);
}

TEST(IntakeMalformed, EmptyAndWhitespace) {
  expect_malformed("", "payload", "empty");
  expect_malformed("   \n", "payload");
}

TEST(IntakeMalformed, TruncatedJsonAtEveryTenthByte) {
  const std::string payload = read_corpus("wiz/panther-webhook-issues/open-alert.json");
  for (std::size_t cut = 0; cut + 1 < payload.size(); cut += 10) {
    SCOPED_TRACE(cut);
    expect_malformed(std::string_view(payload).substr(0, cut + 1), "payload");
  }
}

TEST(IntakeMalformed, WrongTopLevelType) {
  expect_malformed("[1, 2, 3]", "payload", "must be a JSON object, not array");
  expect_malformed("\"text\"", "payload", "not string");
  expect_malformed("42", "payload", "not number");
  expect_malformed("null", "payload", "not null");
}

TEST(IntakeMalformed, UnknownShape) {
  expect_malformed(R"({"hello": "world"})", "payload", "not a recognised finding");
  expect_malformed("{}", "payload", "not a recognised finding");
}

TEST(IntakeMalformed, InvalidUtf8) {
  json payload = wiz_webhook();
  std::string text = payload.dump();
  const std::size_t at = text.find("wiz-issue-1");
  text[at] = static_cast<char>(0xC3);  // a lead byte followed by ASCII
  expect_malformed(text, "payload", "UTF-8");
  expect_malformed(std::string("{\"issue\": \"\xff\xfe\"}"), "payload", "UTF-8");
}

TEST(IntakeMalformed, BinaryGarbage) {
  std::string garbage;
  for (int i = 0; i < 256; ++i) garbage.push_back(static_cast<char>(i));
  expect_malformed(garbage, "payload");
  expect_malformed(std::string("{\0}", 3), "payload");
}

TEST(IntakeMalformed, DeepNesting) {
  std::string deep = R"({"issue": )";
  for (int i = 0; i < 200; ++i) deep += "[";
  for (int i = 0; i < 200; ++i) deep += "]";
  deep += "}";
  expect_malformed(deep, "payload", "deeper than 64");
  // A nest within the cap parses; it is refused only for what it is.
  json payload = wiz_webhook();
  json nest = json::array();
  for (int i = 0; i < 50; ++i) nest = json::array({nest});
  payload["issue"]["extra"] = nest;
  const Finding f = parse_one(payload.dump());
  EXPECT_FALSE(f.malformed);
}

TEST(IntakeMalformed, PayloadOverTheSizeCap) {
  json payload = wiz_webhook();
  payload["control"]["description"] = std::string(kMaxPayloadBytes, 'a');
  expect_malformed(payload.dump(), "payload", "the limit is 1048576");
}

TEST(IntakeMalformed, HugeStringsInFields) {
  json payload = wiz_webhook();
  payload["issue"]["id"] = std::string(100 * 1024, 'x');
  expect_malformed(payload.dump(), "issue.id", "the limit is 8192");
  payload = wiz_webhook();
  payload["control"]["name"] = std::string(200 * 1024, 'x');
  expect_malformed(payload.dump(), "control.name", "the limit is 65536");
  payload = wiz_webhook();
  payload["resource"]["tags"]["big"] = std::string(20 * 1024, 'v');
  expect_malformed(payload.dump(), "resource.tags");
}

TEST(IntakeMalformed, WizWrongTypesForEachKeyField) {
  struct Case {
    const char* pointer;  // JSON pointer to replace
    json value;
    const char* field;
  };
  const std::vector<Case> cases = {
      {"/issue", "an issue", "issue"},
      {"/issue", json::array(), "issue"},
      {"/issue/id", 12345, "issue.id"},
      {"/issue/id", "", "issue.id"},
      {"/issue/id", nullptr, "issue.id"},
      {"/issue/status", true, "issue.status"},
      {"/issue/status", "SNOOZED", "issue.status"},
      {"/issue/severity", json::object(), "issue.severity"},
      {"/issue/severity", "SEVERE", "issue.severity"},
      {"/issue/projects", 7, "issue.projects"},
      {"/issue/projects", json::array({json::array()}), "issue.projects[0]"},
      {"/issue/projects", json::array({"a", json{{"id", "p2"}, {"name", 5}}}), "issue.projects[1].name"},
      {"/resource", "bucket", "resource"},
      {"/resource/id", 1, "resource.id"},
      {"/resource/subscriptionId", 111111111111, "resource.subscriptionId"},
      {"/resource/region", json::array({"us-east-1"}), "resource.region"},
      {"/resource/type", false, "resource.type"},
      {"/resource/tags", "environment=prod", "resource.tags"},
      {"/resource/tags", 3, "resource.tags"},
      {"/resource/tags", nullptr, "resource.tags"},
      {"/resource/tags", json::array({json{{"key", "a"}, {"value", "b"}}, "c"}), "resource.tags[1]"},
      {"/resource/tags", json::array({json{{"value", "b"}}}), "resource.tags[0].key"},
      {"/resource/tags", json::array({json{{"key", "k"}, {"value", json::object()}}}), "resource.tags[0].value"},
      {"/resource/tags/owner", json::object({{"name", "x"}}), "resource.tags.owner"},
      {"/control", 9, "control"},
      {"/control/id", 9, "control.id"},
      {"/control/id", "", "control.id"},
      {"/control/severity", 3, "control.severity"},
      {"/trigger", "x", "trigger"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.pointer) + " = " + c.value.dump());
    json payload = wiz_webhook();
    payload[json::json_pointer(c.pointer)] = c.value;
    const std::string text = payload.dump();
    expect_malformed(text, c.field);
    const Finding f = parse_one(text);
    EXPECT_EQ(f.source, FindingSource::wiz);
    // The rest is still read.
    if (std::string_view(c.pointer).substr(0, 6) != "/issue") {
      EXPECT_EQ(f.id, "wiz-issue-1");
    }
    if (std::string_view(c.pointer).substr(0, 9) != "/resource") {
      EXPECT_EQ(f.account, "111111111111");
    }
  }
}

TEST(IntakeMalformed, WizMissingRequiredParts) {
  for (const char* key : {"issue", "resource", "control"}) {
    SCOPED_TRACE(key);
    json payload = wiz_webhook();
    payload.erase(key);
    expect_malformed(payload.dump(), key, "missing");
  }
  json payload = wiz_webhook();
  payload["issue"].erase("id");
  expect_malformed(payload.dump(), "issue.id", "missing");
  payload = wiz_webhook();
  payload["issue"].erase("severity");
  payload["control"].erase("severity");
  expect_malformed(payload.dump(), "issue.severity", "missing");
}

TEST(IntakeMalformed, AsffEachRequiredAttributeMissing) {
  for (const char* key : {"AwsAccountId", "CreatedAt", "Description", "GeneratorId", "Id", "ProductArn", "Resources",
                          "SchemaVersion", "Severity", "Title", "Types", "UpdatedAt"}) {
    SCOPED_TRACE(key);
    json payload = asff_finding();
    payload.erase(key);
    if (std::string_view(key) == "SchemaVersion") {
      // Still recognised as ASFF by its other attributes.
      ASSERT_TRUE(payload.contains("ProductArn"));
    }
    expect_malformed(payload.dump(), key, "missing");
    const Finding f = parse_one(payload.dump());
    EXPECT_EQ(f.source, FindingSource::asff);
  }
}

TEST(IntakeMalformed, AsffWrongTypes) {
  struct Case {
    const char* pointer;
    json value;
    const char* field;
  };
  const std::vector<Case> cases = {
      {"/Id", 5, "Id"},
      {"/AwsAccountId", 111111111111, "AwsAccountId"},
      {"/Resources", json::object(), "Resources"},
      {"/Resources", json::array(), "Resources"},
      {"/Resources/0", "arn:aws:s3:::b", "Resources[0]"},
      {"/Resources/0/Type", 7, "Resources[0].Type"},
      {"/Resources/0/Id", "", "Resources[0].Id"},
      {"/Resources/0/Tags", json::array({json{{"Key", "a"}, {"Value", "b"}}}), "Resources[0].Tags"},
      {"/Resources/0/Tags", nullptr, "Resources[0].Tags"},
      {"/Severity", "HIGH", "Severity"},
      {"/Severity", json::object(), "Severity"},
      {"/Severity", json{{"Label", "SEVERE"}}, "Severity.Label"},
      {"/Severity", json{{"Normalized", 150}}, "Severity.Normalized"},
      {"/Severity", json{{"Normalized", -1}}, "Severity.Normalized"},
      {"/Severity", json{{"Normalized", "40"}}, "Severity.Normalized"},
      {"/Severity", json{{"Normalized", 40.5}}, "Severity.Normalized"},
      {"/Types", "Software and Configuration Checks", "Types"},
      {"/Types", json::array({1}), "Types[0]"},
      {"/Compliance", "FAILED", "Compliance"},
      {"/Compliance/Status", 1, "Compliance.Status"},
      {"/Workflow", json::array(), "Workflow"},
      {"/RecordState", false, "RecordState"},
      {"/ProductFields/ControlId", 81, "ProductFields.ControlId"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.pointer) + " = " + c.value.dump());
    json payload = asff_finding();
    payload[json::json_pointer(c.pointer)] = c.value;
    expect_malformed(payload.dump(), c.field);
    const Finding f = parse_one(payload.dump());
    EXPECT_EQ(f.source, FindingSource::asff);
    if (std::string_view(c.pointer) != "/Id") {
      EXPECT_FALSE(f.id.empty());
    }
  }
}

TEST(IntakeMalformed, ContainerProblems) {
  expect_malformed(R"({"Findings": []})", "Findings", "empty");
  expect_malformed(R"({"Findings": {"a": 1}})", "Findings");
  expect_malformed(R"({"detail-type": "Security Hub Findings - Imported", "detail": {"findings": []}})",
                   "detail.findings", "empty");
  expect_malformed(R"({"detail-type": "Security Hub Findings - Imported", "detail": "x"})", "detail");
  expect_malformed(R"({"detail-type": "Security Hub Insight Results", "detail": {}})", "detail-type");
  expect_malformed(R"({"detail-type": "EC2 Instance State-change Notification", "detail": {}})", "detail-type");
  // A batch element that is not an object is named by its position; its raw is that element.
  const std::string batch = R"({"Findings": [42]})";
  const Finding f = parse_one(batch);
  ASSERT_TRUE(f.malformed);
  EXPECT_EQ(f.malformed->field, "Findings[0]");
  EXPECT_EQ(f.raw, "42");
}

TEST(IntakeMalformed, TooManyFindingsIsRefusedCheaply) {
  std::string batch = R"({"Findings": [)";
  for (std::size_t i = 0; i <= kMaxFindingsPerPayload; ++i) batch += i == 0 ? "{}" : ",{}";
  batch += "]}";
  expect_malformed(batch, "Findings", "the limit is 1000");
}

TEST(IntakeMalformed, TooManyTags) {
  json payload = wiz_webhook();
  for (std::size_t i = 0; i <= kMaxListEntries; ++i) payload["resource"]["tags"]["k" + std::to_string(i)] = "v";
  expect_malformed(payload.dump(), "resource.tags", "more than 1000");
}

TEST(IntakeMalformed, ReasonsQuoteAttackerTextSafely) {
  json payload = wiz_webhook();
  payload["issue"]["severity"] = "\x1b[31mRED\x1b[0m" + std::string(200, 'A');
  const Finding f = parse_one(payload.dump());
  ASSERT_TRUE(f.malformed);
  EXPECT_EQ(f.malformed->field, "issue.severity");
  EXPECT_EQ(f.malformed->reason.find('\x1b'), std::string::npos);
  EXPECT_LT(f.malformed->reason.size(), 150u);
}

}  // namespace
}  // namespace fixgate::intake::testing
