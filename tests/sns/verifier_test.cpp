#include "sns/verifier.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sns_test_support.h"

namespace fixgate::sns {
namespace {

using namespace std::chrono_literals;
using testing::corpus_dir;
using testing::FakeFetcher;
using testing::kCorpusCertUrl;
using testing::read_file;
using testing::TestSigner;

std::chrono::system_clock::time_point at(int year, int month, int day) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

const char* kAllCorpus[] = {
    "http/notification-sigv1-no-subject",    "http/notification-sigv1-with-subject",
    "http/notification-sigv2-no-subject",    "http/notification-sigv2-with-subject",
    "lambda/notification-sigv1-no-subject",  "lambda/notification-sigv1-subject-null",
    "lambda/notification-sigv1-with-subject", "lambda/notification-sigv2-no-subject",
    "lambda/notification-sigv2-subject-null", "lambda/notification-sigv2-with-subject",
};

class CorpusVerify : public ::testing::Test {
 protected:
  void SetUp() override { fetcher.serve(kCorpusCertUrl, testing::corpus_cert_pem()); }
  VerifierOptions skip_dates() {
    VerifierOptions o;
    o.skip_cert_date_check = true;
    return o;
  }
  nlohmann::json corpus(const char* name) {
    return nlohmann::json::parse(read_file(corpus_dir() + "/" + name + ".json"));
  }
  FakeFetcher fetcher;
};

TEST_F(CorpusVerify, EveryRealMessageVerifies) {
  SnsVerifier verifier(fetcher, skip_dates());
  for (const char* name : kAllCorpus) {
    SCOPED_TRACE(name);
    auto verified = verifier.verify(read_file(corpus_dir() + "/" + name + ".json"));
    ASSERT_TRUE(verified.ok()) << verified.error().to_string();
    EXPECT_EQ(verified->message, "Hello world");
  }
  EXPECT_EQ(fetcher.count(), 1u) << "certificate is cached by URL";
}

TEST_F(CorpusVerify, DateCheckUsesTheInjectedClock) {
  VerifierOptions inside;
  inside.now = [] { return at(2022, 7, 28); };
  EXPECT_TRUE(SnsVerifier(fetcher, inside).verify(read_file(corpus_dir() + "/http/notification-sigv2-no-subject.json")).ok());

  VerifierOptions after;
  after.now = [] { return at(2022, 8, 18); };
  EXPECT_EQ(SnsVerifier(fetcher, after).verify(read_file(corpus_dir() + "/http/notification-sigv2-no-subject.json")).error().code,
            "sns.cert_expired");

  VerifierOptions before;
  before.now = [] { return at(2021, 9, 6); };
  EXPECT_EQ(SnsVerifier(fetcher, before).verify(read_file(corpus_dir() + "/http/notification-sigv2-no-subject.json")).error().code,
            "sns.cert_not_yet_valid");

  // Default clock is the real one: the corpus cert expired in 2022.
  EXPECT_EQ(SnsVerifier(fetcher).verify(read_file(corpus_dir() + "/http/notification-sigv1-no-subject.json")).error().code,
            "sns.cert_expired");
}

TEST_F(CorpusVerify, EveryTamperedSignedFieldIsRefused) {
  SnsVerifier verifier(fetcher, skip_dates());
  for (const char* name : {"http/notification-sigv1-with-subject", "http/notification-sigv2-with-subject"}) {
    for (const char* field : {"Message", "MessageId", "Subject", "Timestamp", "TopicArn"}) {
      SCOPED_TRACE(std::string(name) + " " + field);
      nlohmann::json j = corpus(name);
      j[field] = j[field].get<std::string>() + "x";
      auto result = verifier.verify(j.dump());
      ASSERT_FALSE(result.ok());
      EXPECT_EQ(result.error().code, "sns.signature_mismatch");
    }
  }
}

TEST_F(CorpusVerify, SubjectAddedRemovedOrTypeChangedIsRefused) {
  SnsVerifier verifier(fetcher, skip_dates());
  nlohmann::json added = corpus("http/notification-sigv2-no-subject");
  added["Subject"] = "Hello world";
  EXPECT_EQ(verifier.verify(added.dump()).error().code, "sns.signature_mismatch");

  nlohmann::json removed = corpus("http/notification-sigv1-with-subject");
  removed.erase("Subject");
  EXPECT_EQ(verifier.verify(removed.dump()).error().code, "sns.signature_mismatch");

  nlohmann::json retyped = corpus("http/notification-sigv1-no-subject");
  retyped["Type"] = "UnsubscribeConfirmation";
  retyped["SubscribeURL"] = "https://sns.us-east-2.amazonaws.com/?Action=ConfirmSubscription";
  retyped["Token"] = "t";
  EXPECT_EQ(verifier.verify(retyped.dump()).error().code, "sns.signature_mismatch");

  nlohmann::json version_swapped = corpus("http/notification-sigv1-no-subject");
  version_swapped["SignatureVersion"] = "2";  // SHA1 signature checked as SHA256
  EXPECT_EQ(verifier.verify(version_swapped.dump()).error().code, "sns.signature_mismatch");

  nlohmann::json signature_swapped = corpus("http/notification-sigv1-no-subject");
  signature_swapped["Signature"] = corpus("http/notification-sigv1-with-subject")["Signature"];
  EXPECT_EQ(verifier.verify(signature_swapped.dump()).error().code, "sns.signature_mismatch");

  nlohmann::json flipped = corpus("http/notification-sigv2-no-subject");
  std::string sig = flipped["Signature"];
  sig[10] = sig[10] == 'A' ? 'B' : 'A';
  flipped["Signature"] = sig;
  EXPECT_EQ(verifier.verify(flipped.dump()).error().code, "sns.signature_mismatch");

  // The unsigned UnsubscribeURL may change without affecting the signature.
  nlohmann::json unsigned_field = corpus("http/notification-sigv2-no-subject");
  unsigned_field["UnsubscribeURL"] = "https://example.invalid/";
  EXPECT_TRUE(verifier.verify(unsigned_field.dump()).ok());
}

TEST_F(CorpusVerify, RefusedCertUrlsAreNeverFetched) {
  SnsVerifier verifier(fetcher, skip_dates());
  for (const char* url : {
           "https://sns.us-east-1.amazonaws.com.evil.com/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem",
           "https://evil.com/sns.us-east-1.amazonaws.com/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem",
           "http://sns.us-east-2.amazonaws.com/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem",
           "https://sns.us-east-2.amazonaws.com/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.txt",
       }) {
    SCOPED_TRACE(url);
    fetcher.serve(url, testing::corpus_cert_pem());  // even if it would be served
    nlohmann::json j = corpus("http/notification-sigv1-no-subject");
    j["SigningCertURL"] = url;
    EXPECT_EQ(verifier.verify(j.dump()).error().code, "sns.cert_url_refused");
  }
  EXPECT_EQ(fetcher.count(), 0u);
}

TEST_F(CorpusVerify, UnknownSignatureVersionAndBadBase64AreRefusedBeforeFetching) {
  SnsVerifier verifier(fetcher, skip_dates());
  for (const char* version : {"3", "0", "", "1 ", "SHA256"}) {
    nlohmann::json j = corpus("http/notification-sigv2-no-subject");
    j["SignatureVersion"] = version;
    EXPECT_EQ(verifier.verify(j.dump()).error().code, "sns.unsupported_signature_version") << version;
  }
  nlohmann::json j = corpus("http/notification-sigv2-no-subject");
  j["Signature"] = "not base64!";
  EXPECT_EQ(verifier.verify(j.dump()).error().code, "sns.bad_base64");
  EXPECT_EQ(fetcher.count(), 0u);
}

TEST_F(CorpusVerify, FetchFailuresAreReportedAndNotCached) {
  FakeFetcher empty;
  SnsVerifier verifier(empty, skip_dates());
  const std::string body = read_file(corpus_dir() + "/http/notification-sigv1-no-subject.json");
  EXPECT_EQ(verifier.verify(body).error().code, "sns.fetch_failed");
  EXPECT_EQ(verifier.verify(body).error().code, "sns.fetch_failed");
  EXPECT_EQ(empty.count(), 2u);
  empty.serve(kCorpusCertUrl, "-----BEGIN CERTIFICATE-----\nnot a cert\n-----END CERTIFICATE-----\n");
  EXPECT_EQ(verifier.verify(body).error().code, "sns.cert_invalid");
  empty.serve(kCorpusCertUrl, testing::corpus_cert_pem());
  EXPECT_TRUE(verifier.verify(body).ok());
}

class GeneratedVerify : public ::testing::Test {
 protected:
  static constexpr const char* kCertUrl = "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-test.pem";
  static constexpr const char* kTopic = "arn:aws:sns:us-west-2:123456789012:MyTopic";
  GeneratedVerify() : signer(at(2026, 1, 1), at(2027, 1, 1)) {
    fetcher.serve(kCertUrl, signer.cert_pem());
    options.now = [] { return at(2026, 6, 1); };
  }
  FakeFetcher fetcher;
  TestSigner signer;
  VerifierOptions options;
};

TEST_F(GeneratedVerify, SubscriptionConfirmationVerifiesAndConfirmsThroughTheFetcher) {
  SnsVerifier verifier(fetcher, options);
  for (const char* version : {"1", "2"}) {
    SnsMessage m = testing::make_confirmation(kTopic, kCertUrl);
    signer.sign_message(m, version);
    fetcher.serve(m.subscribe_url, "<ConfirmSubscriptionResponse/>");
    auto verified = verifier.verify(testing::to_json(m));
    ASSERT_TRUE(verified.ok()) << verified.error().to_string();
    EXPECT_EQ(verified->type, MessageType::subscription_confirmation);
    EXPECT_EQ(verified->subscribe_url, m.subscribe_url);
    ASSERT_TRUE(verifier.confirm_subscription(*verified).ok());
    EXPECT_EQ(fetcher.requested().back(), m.subscribe_url);
  }
}

TEST_F(GeneratedVerify, TamperedConfirmationFieldsAreRefused) {
  SnsVerifier verifier(fetcher, options);
  SnsMessage m = testing::make_confirmation(kTopic, kCertUrl);
  signer.sign_message(m);
  for (const char* field : {"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn"}) {
    nlohmann::json j = nlohmann::json::parse(testing::to_json(m));
    j[field] = j[field].get<std::string>() + "1";
    EXPECT_EQ(verifier.verify(j.dump()).error().code, "sns.signature_mismatch") << field;
  }
}

TEST_F(GeneratedVerify, ConfirmRefusesForeignSubscribeUrlWithoutFetching) {
  SnsVerifier verifier(fetcher, options);
  SnsMessage m = testing::make_confirmation(kTopic, kCertUrl);
  m.subscribe_url = "https://sns.us-west-2.amazonaws.com.evil.com/?Action=ConfirmSubscription&Token=x";
  signer.sign_message(m);
  auto verified = verifier.verify(testing::to_json(m));
  ASSERT_TRUE(verified.ok()) << verified.error().to_string();
  const size_t before = fetcher.count();
  EXPECT_EQ(verifier.confirm_subscription(*verified).error().code, "sns.subscribe_url_refused");
  EXPECT_EQ(fetcher.count(), before);

  SnsMessage notification;
  notification.type = MessageType::notification;
  EXPECT_EQ(verifier.confirm_subscription(notification).error().code, "sns.not_a_confirmation");
}

TEST_F(GeneratedVerify, UnsubscribeConfirmationAndUnicodeNotification) {
  SnsVerifier verifier(fetcher, options);
  SnsMessage u = testing::make_confirmation(kTopic, kCertUrl);
  u.type = MessageType::unsubscribe_confirmation;
  signer.sign_message(u, "1");
  EXPECT_TRUE(verifier.verify(testing::to_json(u)).ok());

  SnsMessage n;
  n.type = MessageType::notification;
  n.message_id = "a";
  n.topic_arn = kTopic;
  n.message = "{\"issue\":{\"id\":\"x\"},\n\t\"title\":\"caf\xc3\xa9 \\\"quoted\\\"\"}";
  n.timestamp = "2026-06-01T00:00:00.000Z";
  n.subject = "line\nbreak";
  n.signing_cert_url = kCertUrl;
  signer.sign_message(n, "2");
  auto verified = verifier.verify(testing::to_json(n));
  ASSERT_TRUE(verified.ok()) << verified.error().to_string();
  EXPECT_EQ(verified->message, n.message);
}

TEST_F(GeneratedVerify, AnotherKeysSignatureIsRefused) {
  SnsVerifier verifier(fetcher, options);
  TestSigner impostor(at(2026, 1, 1), at(2027, 1, 1));
  SnsMessage m = testing::make_confirmation(kTopic, kCertUrl);
  impostor.sign_message(m);
  EXPECT_EQ(verifier.verify(testing::to_json(m)).error().code, "sns.signature_mismatch");
}

}  // namespace
}  // namespace fixgate::sns
