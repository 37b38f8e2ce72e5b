#include "sns/sns_message.h"

#include <gtest/gtest.h>

#include "sns_test_support.h"

namespace fixgate::sns {
namespace {

using testing::corpus_dir;
using testing::read_file;

TEST(SnsMessage, StringToSignMatchesCorpusForEveryHttpMessage) {
  for (const char* name : {"notification-sigv1-no-subject", "notification-sigv1-with-subject",
                           "notification-sigv2-no-subject", "notification-sigv2-with-subject"}) {
    SCOPED_TRACE(name);
    auto parsed = parse_sns_message(read_file(corpus_dir() + "/http/" + name + ".json"));
    ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
    const std::string expected = read_file(corpus_dir() + "/string-to-sign/" + name + ".txt");
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(string_to_sign(*parsed), expected);
  }
}

TEST(SnsMessage, LambdaSpellingAndNullSubject) {
  auto parsed = parse_sns_message(read_file(corpus_dir() + "/lambda/notification-sigv1-subject-null.json"));
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_FALSE(parsed->subject.has_value());
  EXPECT_EQ(parsed->signing_cert_url, testing::kCorpusCertUrl);
  EXPECT_EQ(parsed->type, MessageType::notification);
  EXPECT_EQ(parsed->message_id, "792cda85-518f-5dd3-9163-81d851212f3a");
  EXPECT_NE(parsed->unsubscribe_url.find("Action=Unsubscribe"), std::string::npos);
}

TEST(SnsMessage, ConfirmationStringToSignOrder) {
  SnsMessage m = testing::make_confirmation("arn:aws:sns:us-west-2:123456789012:MyTopic", "https://x/y.pem");
  m.message = "M";
  m.subscribe_url = "U";
  m.token = "T";
  m.timestamp = "TS";
  m.message_id = "ID";
  m.topic_arn = "ARN";
  EXPECT_EQ(string_to_sign(m),
            "Message\nM\nMessageId\nID\nSubscribeURL\nU\nTimestamp\nTS\nToken\nT\nTopicArn\nARN\n"
            "Type\nSubscriptionConfirmation\n");
  m.type = MessageType::unsubscribe_confirmation;
  EXPECT_EQ(string_to_sign(m),
            "Message\nM\nMessageId\nID\nSubscribeURL\nU\nTimestamp\nTS\nToken\nT\nTopicArn\nARN\n"
            "Type\nUnsubscribeConfirmation\n");
}

TEST(SnsMessage, EscapedControlCharactersAreUnescapedBeforeSigning) {
  auto parsed = parse_sns_message(
      R"({"Type":"Notification","MessageId":"m","TopicArn":"t","Message":"line1\nline2 \"q\" \u00e9",)"
      R"("Timestamp":"ts","SignatureVersion":"1","Signature":"AA==","SigningCertURL":"u"})");
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->message, "line1\nline2 \"q\" \xc3\xa9");
}

TEST(SnsMessage, ErrorsNameTheField) {
  auto bad_json = parse_sns_message("{not json");
  EXPECT_EQ(bad_json.error().code, "sns.bad_json");
  EXPECT_EQ(parse_sns_message("[1,2]").error().code, "sns.bad_json");

  auto no_type = parse_sns_message(R"({"MessageId":"x"})");
  EXPECT_EQ(no_type.error().code, "sns.missing_field");
  EXPECT_NE(no_type.error().message.find("'Type'"), std::string::npos);

  EXPECT_EQ(parse_sns_message(R"({"Type":"Bogus"})").error().code, "sns.unknown_type");

  auto missing_ts = parse_sns_message(
      R"({"Type":"Notification","MessageId":"m","TopicArn":"t","Message":"x","SignatureVersion":"1",)"
      R"("Signature":"AA==","SigningCertURL":"u"})");
  EXPECT_EQ(missing_ts.error().code, "sns.missing_field");
  EXPECT_NE(missing_ts.error().message.find("'Timestamp'"), std::string::npos);

  auto numeric = parse_sns_message(
      R"({"Type":"Notification","MessageId":7,"TopicArn":"t","Message":"x","Timestamp":"ts",)"
      R"("SignatureVersion":"1","Signature":"AA==","SigningCertURL":"u"})");
  EXPECT_EQ(numeric.error().code, "sns.bad_field");
  EXPECT_NE(numeric.error().message.find("'MessageId'"), std::string::npos);

  auto both = parse_sns_message(
      R"({"Type":"Notification","MessageId":"m","TopicArn":"t","Message":"x","Timestamp":"ts",)"
      R"("SignatureVersion":"1","Signature":"AA==","SigningCertURL":"u","SigningCertUrl":"v"})");
  EXPECT_EQ(both.error().code, "sns.bad_field");

  auto confirmation_without_token = parse_sns_message(
      R"({"Type":"SubscriptionConfirmation","MessageId":"m","TopicArn":"t","Message":"x","Timestamp":"ts",)"
      R"("SignatureVersion":"1","Signature":"AA==","SigningCertURL":"u","SubscribeURL":"s"})");
  EXPECT_EQ(confirmation_without_token.error().code, "sns.missing_field");
  EXPECT_NE(confirmation_without_token.error().message.find("'Token'"), std::string::npos);
}

TEST(SnsMessage, Base64IsStrict) {
  EXPECT_EQ(*decode_base64("aGVsbG8="), "hello");
  EXPECT_EQ(*decode_base64("aGVsbG8h"), "hello!");
  EXPECT_EQ(*decode_base64("aGVsbA=="), "hell");
  EXPECT_EQ(decode_base64("").error().code, "sns.bad_base64");
  EXPECT_EQ(decode_base64("aGVsbG8").error().code, "sns.bad_base64");      // length
  EXPECT_EQ(decode_base64("aGV sbG8").error().code, "sns.bad_base64");     // whitespace
  EXPECT_EQ(decode_base64("aG=sbG8h").error().code, "sns.bad_base64");     // padding in the middle
  EXPECT_EQ(decode_base64("aGVsbG8-").error().code, "sns.bad_base64");     // url-safe alphabet
  EXPECT_EQ(decode_base64("aGVs=G8=").error().code, "sns.bad_base64");
  EXPECT_EQ(*decode_base64("aGV="), "he");  // one "=" at the end is fine
}

}  // namespace
}  // namespace fixgate::sns
