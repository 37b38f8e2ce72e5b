// SNS Notification envelopes (HTTPS delivery, or an SQS body with raw delivery off)
// around corpus payloads are unwrapped; the envelope stays the evidence.
#include "intake_test_util.h"

namespace fixgate::intake::testing {
namespace {

using ::testing::ElementsAre;

void expect_same_finding(const Finding& wrapped, const Finding& bare) {
  EXPECT_EQ(wrapped.source, bare.source);
  EXPECT_EQ(wrapped.id, bare.id);
  EXPECT_EQ(wrapped.status, bare.status);
  EXPECT_EQ(wrapped.open, bare.open);
  EXPECT_EQ(wrapped.severity, bare.severity);
  EXPECT_EQ(wrapped.control_ids, bare.control_ids);
  EXPECT_EQ(wrapped.resource_id, bare.resource_id);
  EXPECT_EQ(wrapped.resource_type, bare.resource_type);
  EXPECT_EQ(wrapped.account, bare.account);
  EXPECT_EQ(wrapped.region, bare.region);
  EXPECT_EQ(wrapped.tags, bare.tags);
  EXPECT_EQ(wrapped.projects, bare.projects);
  EXPECT_EQ(wrapped.malformed.has_value(), bare.malformed.has_value());
}

TEST(IntakeSns, WizWebhookCorpusPayloadsUnwrap) {
  for (const char* file : {"open-alert.json", "resolved-alert.json", "low-severity-open-alert.json"}) {
    for (const bool lambda_casing : {false, true}) {
      SCOPED_TRACE(std::string(file) + (lambda_casing ? " lambda casing" : " http casing"));
      const std::string message = read_corpus(std::string("wiz/panther-webhook-issues/") + file);
      const std::string envelope = sns_envelope(message, lambda_casing);
      const Finding wrapped = parse_one(envelope);
      expect_same_finding(wrapped, parse_one(message));
      EXPECT_FALSE(wrapped.malformed);
      EXPECT_EQ(wrapped.raw, envelope);  // the signed unit is the evidence
    }
  }
}

TEST(IntakeSns, BuiltWizPayloadUnwraps) {
  const std::string envelope = sns_envelope(wiz_webhook().dump());
  const Finding f = parse_one(envelope);
  ASSERT_FALSE(f.malformed);
  EXPECT_EQ(f.id, "wiz-issue-1");
  EXPECT_THAT(f.tags, ElementsAre(Tag{"environment", "prod"}, Tag{"owner", "team-web"}));
  EXPECT_EQ(f.raw, envelope);
}

TEST(IntakeSns, AsffBareFindingAndEventBridgeEventUnwrap) {
  const std::string bare = read_corpus("asff/aws-solutions-asr/simdata/afsbp-ec2.2.json");
  const Finding wrapped = parse_one(sns_envelope(bare));
  expect_same_finding(wrapped, parse_one(bare));

  const std::string event = read_corpus("asff/aws-solutions-asr/layer-test-envelopes/CIS_1-6-multi-select.json");
  const std::string envelope = sns_envelope(event);
  const auto findings = parse_n(envelope, 2);
  const auto unwrapped = parse_payload(event);
  ASSERT_EQ(findings.size(), 2u);
  ASSERT_EQ(unwrapped.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    expect_same_finding(findings[i], unwrapped[i]);
    EXPECT_EQ(findings[i].raw, envelope);
  }
}

TEST(IntakeSns, MalformedInnerPayloadNamesTheInnerField) {
  nlohmann::ordered_json payload = wiz_webhook();
  payload["resource"]["tags"] = "env=prod";
  const std::string envelope = sns_envelope(payload.dump());
  const Finding f = parse_one(envelope);
  ASSERT_TRUE(f.malformed);
  EXPECT_EQ(f.malformed->field, "resource.tags");
  EXPECT_EQ(f.id, "wiz-issue-1");
  EXPECT_EQ(f.raw, envelope);
}

TEST(IntakeSns, RealSignedNotificationsWithTextMessagesAreRefused) {
  // AWS's own test notifications carry "Hello world": not a finding, named as such.
  for (const char* file : {"http/notification-sigv1-with-subject.json", "http/notification-sigv2-no-subject.json",
                           "lambda/notification-sigv2-subject-null.json", "lambda/notification-sigv1-no-subject.json"}) {
    SCOPED_TRACE(file);
    const std::string envelope = read_corpus(std::string("sns/real-signed/") + file);
    const Finding f = parse_one(envelope);
    ASSERT_TRUE(f.malformed);
    EXPECT_EQ(f.malformed->field, "Message");
    EXPECT_NE(f.malformed->reason.find("not valid JSON"), std::string::npos);
    EXPECT_EQ(f.raw, envelope);
  }
}

TEST(IntakeSns, EnvelopeProblemsNameTheEnvelopeField) {
  struct Case {
    const char* payload;
    const char* field;
  };
  for (const Case& c : {
           Case{R"({"Type": "Notification", "TopicArn": "arn:aws:sns:us-east-1:1:t", "Message": 5})", "Message"},
           Case{R"({"Type": "Notification", "TopicArn": "arn:aws:sns:us-east-1:1:t", "Message": ""})", "Message"},
           Case{R"({"Type": "Notification", "TopicArn": "arn:aws:sns:us-east-1:1:t"})", "Message"},
           Case{R"({"Type": "Notification", "Message": "[1, 2]"})", "Message"},
           Case{R"({"Type": "Notification", "Message": "{\"Type\": \"Notification\", \"Message\": \"{}\"}"})",
                "Message"},
           Case{R"({"Type": "SubscriptionConfirmation", "TopicArn": "arn:aws:sns:us-east-1:1:t",
                    "SubscribeURL": "https://example.invalid/", "Message": "confirm"})",
                "Type"},
       }) {
    SCOPED_TRACE(c.payload);
    const Finding f = parse_one(c.payload);
    ASSERT_TRUE(f.malformed);
    EXPECT_EQ(f.malformed->field, c.field);
    EXPECT_EQ(f.raw, c.payload);
  }
}

}  // namespace
}  // namespace fixgate::intake::testing
