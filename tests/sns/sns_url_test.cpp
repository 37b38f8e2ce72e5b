#include "sns/sns_url.h"

#include <gtest/gtest.h>

namespace fixgate::sns {
namespace {

TEST(SnsUrl, AcceptsRegionalSnsCertUrls) {
  for (const char* url : {
           "https://sns.us-east-2.amazonaws.com/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem",
           "https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-abc.pem",
           "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem",
           "https://sns.ap-southeast-3.amazonaws.com/a/b.pem",
       }) {
    EXPECT_TRUE(validate_cert_url(url).ok()) << url;
  }
}

TEST(SnsUrl, RefusesEverythingElse) {
  for (const char* url : {
           "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
           "HTTPS://sns.us-east-1.amazonaws.com/x.pem",
           "https://sns.us-east-1.amazonaws.com.evil.com/x.pem",
           "https://evil.com/sns.us-east-1.amazonaws.com/x.pem",
           "https://evil.com/?sns.us-east-1.amazonaws.com/x.pem",
           "https://sns.us-east-1.amazonaws.com@evil.com/x.pem",
           "https://user@sns.us-east-1.amazonaws.com/x.pem",
           "https://sns.us-east-1.amazonaws.com:8443/x.pem",
           "https://sns.amazonaws.com/x.pem",
           "https://sns.evil.amazonaws.com/x.pem",
           "https://xsns.us-east-1.amazonaws.com/x.pem",
           "https://sqs.us-east-1.amazonaws.com/x.pem",
           "https://sns.us-east-1.amazonaws.co/x.pem",
           "https://sns.US-EAST-1.amazonaws.com/x.pem",
           "https://sns.us-east-1.amazonaws.com/x.pem.txt",
           "https://sns.us-east-1.amazonaws.com/x.pem?x=1",
           "https://sns.us-east-1.amazonaws.com/x.pem#frag",
           "https://sns.us-east-1.amazonaws.com/.pem",
           "https://sns.us-east-1.amazonaws.com",
           "https://sns.us-east-1.amazonaws.com/x .pem",
           "https://sns.us-east-1.amazonaws.com/x\n.pem",
           "file:///etc/ssl/x.pem",
           "",
       }) {
    auto result = validate_cert_url(url);
    ASSERT_FALSE(result.ok()) << url;
    EXPECT_EQ(result.error().code, "sns.cert_url_refused") << url;
  }
}

TEST(SnsUrl, SubscribeUrl) {
  EXPECT_TRUE(validate_subscribe_url("https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn="
                                     "arn:aws:sns:us-west-2:123456789012:MyTopic&Token=2336412f37")
                  .ok());
  for (const char* url : {
           "http://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&Token=x",
           "https://sns.us-west-2.amazonaws.com.evil.com/?Action=ConfirmSubscription",
           "https://evil.com/sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription",
           "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x",
           "https://sns.us-west-2.amazonaws.com/other?Action=ConfirmSubscription",
           "https://sns.us-west-2.amazonaws.com/?XAction=ConfirmSubscription",
       }) {
    auto result = validate_subscribe_url(url);
    ASSERT_FALSE(result.ok()) << url;
    EXPECT_EQ(result.error().code, "sns.subscribe_url_refused") << url;
  }
}

TEST(SnsUrl, HostForm) {
  EXPECT_TRUE(is_sns_host("sns.eu-central-1.amazonaws.com"));
  EXPECT_TRUE(is_sns_host("sns.il-central-1.amazonaws.com"));
  EXPECT_FALSE(is_sns_host("sns.eu-central.amazonaws.com"));
  EXPECT_FALSE(is_sns_host("sns.eu-central-123.amazonaws.com"));
  EXPECT_FALSE(is_sns_host("sns.e-central-1.amazonaws.com"));
  EXPECT_FALSE(is_sns_host("sns.eu--1.amazonaws.com"));
  EXPECT_FALSE(is_sns_host("sns..amazonaws.com"));
  EXPECT_FALSE(is_sns_host(""));
}

}  // namespace
}  // namespace fixgate::sns
