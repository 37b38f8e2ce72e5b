// SqsClient against a real SQS implementation: fauxqs on loopback.
#include <gtest/gtest.h>

#include <cstdlib>

#include "aws/credentials.h"
#include "aws/http.h"
#include "fauxqs_suite.h"
#include "sqs/sqs_client.h"

namespace fixgate::sqs {
namespace {

using fixgate::testing::FauxqsPeer;

class SqsAgainstFauxqs : public fixgate::testing::FauxqsSuite<SqsAgainstFauxqs> {
 protected:
  void SetUp() override {
    FauxqsSuite::SetUp();
    if (peer_missing()) return;
    aws::ClientConfig config;
    config.region = "us-east-1";
    config.endpoint_urls["SQS"] = peer_->endpoint();
    config.transport = aws::make_curl_transport();
    config.credentials = std::make_shared<aws::StaticCredentialsProvider>(
        aws::Credentials{"AKIDFAUXQS", "fauxqs-secret", "", std::nullopt, "test"});
    client_ = std::make_shared<aws::AwsClient>(config);
  }

  std::unique_ptr<SqsClient> queue(const std::string& url) { return std::make_unique<SqsClient>(client_, url); }

  std::shared_ptr<aws::AwsClient> client_;
};

TEST_F(SqsAgainstFauxqs, ReceiveCountsRedeliveriesAndBatchDeleteEmptiesTheQueue) {
  const auto q = peer_->setup("client-basic", 5, 30);
  ASSERT_FALSE(q.queue_url.empty());
  peer_->send(q.queue_url, R"({"first": true})");
  peer_->send(q.queue_url, "second \xc3\xa9");
  auto sqs = queue(q.queue_url);

  auto first = sqs->receive(ReceiveOptions{10, 1, 30});
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  ASSERT_EQ(first->size(), 2u);
  for (const auto& m : *first) EXPECT_EQ(m.receive_count, 1);

  // Visibility 0 hands one back at once; it comes again with a higher count.
  ASSERT_TRUE(sqs->change_visibility((*first)[0].receipt_handle, 0).ok());
  auto again = sqs->receive(ReceiveOptions{10, 1, 30});
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ(again->front().message_id, (*first)[0].message_id);
  EXPECT_EQ(again->front().receive_count, 2);

  auto failures = sqs->delete_batch({{"a", again->front().receipt_handle}, {"b", (*first)[1].receipt_handle}});
  ASSERT_TRUE(failures.ok()) << failures.error().to_string();
  EXPECT_TRUE(failures->empty());
  const auto state = peer_->inspect("client-basic");
  EXPECT_TRUE(state["ready"].empty()) << state.dump();
  EXPECT_TRUE(state["inflight"].empty()) << state.dump();
}

TEST_F(SqsAgainstFauxqs, SnsDeliversTheEnvelopeAndAnEmptyLongPollEnds) {
  const auto q = peer_->setup("client-sns", 5, 30);
  auto sqs = queue(q.queue_url);
  auto none = sqs->receive(ReceiveOptions{10, 1, 30});
  ASSERT_TRUE(none.ok()) << none.error().to_string();
  EXPECT_TRUE(none->empty());

  ASSERT_FALSE(peer_->publish(q.topic_arn, R"({"finding": 1})").empty());
  auto got = sqs->receive(ReceiveOptions{1, 2, 30});
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  ASSERT_EQ(got->size(), 1u);
  const auto envelope = nlohmann::json::parse(got->front().body);
  EXPECT_EQ(envelope["Type"], "Notification");
  EXPECT_EQ(envelope["Message"], R"({"finding": 1})");
  ASSERT_TRUE(sqs->delete_message(got->front().receipt_handle).ok());
}

TEST_F(SqsAgainstFauxqs, MissingQueueIsAnErrorNamingIt) {
  auto sqs = queue(peer_->endpoint() + "/000000000000/no-such-queue");
  auto got = sqs->receive(ReceiveOptions{1, 0, 30});
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.error().message.find("SQS.ReceiveMessage"), std::string::npos) << got.error().message;
  EXPECT_NE(got.error().message.find("NonExistentQueue"), std::string::npos) << got.error().message;
}

}  // namespace
}  // namespace fixgate::sqs
