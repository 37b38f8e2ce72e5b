#include "sqs/sqs_operations.h"

#include <gtest/gtest.h>

#include "aws/crypto.h"
#include "sqs/sqs_client.h"

namespace fixgate::sqs {
namespace {

using nlohmann::json;

std::string md5_hex(const std::string& body) { return aws::hex_encode(aws::md5(body)); }

// The documented ReceiveMessage JSON response shape (AWS SQS API reference).
TEST(ReadReceiveResponse, ReadsMessagesWithTheirReceiveCount) {
  const std::string body = R"({"Type":"Notification","Message":"{}"})";
  const json response = {{"Messages",
                          {{{"Attributes", {{"ApproximateReceiveCount", "3"}, {"SentTimestamp", "1677112427387"}}},
                            {"Body", body},
                            {"MD5OfBody", md5_hex(body)},
                            {"MessageId", "219f8380-5770-4cc2-8c3e-5c715e145f5e"},
                            {"ReceiptHandle", "AQEBaZ+j5qUoOAoxlmrCQPkBm9njMWXqemmIG6shMHCO6fV20JrQYg/AiZ8JELwLwOu5U61W+aIX5Qzu7GGofxJuvzymr4Ph53RiR0mudj4InLSgpSspYeTRDteBye5tV/txbZDdNZxsi+qqZA9xPnmtbaI3rRH2NN3WQQ9uNRcCiuiXG4mCKD6bBbzTzr/FjHk/r7SZo9qfaUp4qGh3Zq37pDg7FvYONsGwqSjPz9aqvu+k4hsq3QwuSzZjUKqtG6MUUCgVv0EMh6ckZCMBhkyLdTEnMYhW8Co3KfNBsZsoDNUzaZ9Nug2b1V+Pbyh4flxp0uzsMGiZ2X1zCuvgNY5rzfHCMGJhT9FIvBeELXLDP5dUY/OPjh7jm4y3p6KSWt6EEL21gk11ZJ+Yp4rQNPq+lnk8YFlG8X8RcyFHpzZkFD1CNyuJyvu2ZMLHx5x/Vs3vm6LCmH/yFvw=="}}}}};
  auto messages = read_receive_response(response);
  ASSERT_TRUE(messages.ok()) << messages.error().to_string();
  ASSERT_EQ(messages->size(), 1u);
  EXPECT_EQ(messages->front().message_id, "219f8380-5770-4cc2-8c3e-5c715e145f5e");
  EXPECT_EQ(messages->front().body, body);
  EXPECT_EQ(messages->front().receive_count, 3);
  EXPECT_EQ(messages->front().attributes.at("SentTimestamp"), "1677112427387");
  EXPECT_EQ(messages->front().describe(), "219f8380-5770-4cc2-8c3e-5c715e145f5e (receive 3)");
}

TEST(ReadReceiveResponse, EmptyPollIsNoMessage) {
  for (const json& empty : {json(nullptr), json::object(), json{{"Messages", json::array()}}}) {
    auto messages = read_receive_response(empty);
    ASSERT_TRUE(messages.ok());
    EXPECT_TRUE(messages->empty());
  }
}

TEST(ReadReceiveResponse, CorruptedBodyIsRefusedByItsMd5) {
  const json response = {{"Messages",
                          {{{"Body", "tampered"}, {"MD5OfBody", md5_hex("original")}, {"MessageId", "m-1"},
                            {"ReceiptHandle", "h"}}}}};
  auto messages = read_receive_response(response);
  ASSERT_FALSE(messages.ok());
  EXPECT_EQ(messages.error().code, "sqs.response.md5_mismatch");
  EXPECT_NE(messages.error().message.find("Messages[0].MD5OfBody"), std::string::npos);
}

TEST(ReadReceiveResponse, ErrorsNameTheField) {
  struct Case {
    json response;
    std::string field;
  };
  const std::vector<Case> cases = {
      {{{"Messages", "x"}}, "Messages"},
      {{{"Messages", {{{"MessageId", "a"}, {"ReceiptHandle", "h"}}}}}, "Messages[0].Body"},
      {{{"Messages", {{{"Body", "b"}, {"ReceiptHandle", "h"}}}}}, "Messages[0].MessageId"},
      {{{"Messages", {{{"Body", "b"}, {"MessageId", "a"}, {"ReceiptHandle", 7}}}}}, "Messages[0].ReceiptHandle"},
      {{{"Messages", {{{"Body", "b"}, {"MessageId", "a"}, {"ReceiptHandle", "h"}, {"Attributes", {{"ApproximateReceiveCount", "two"}}}}}}},
       "Messages[0].Attributes.ApproximateReceiveCount"},
  };
  for (const auto& c : cases) {
    auto messages = read_receive_response(c.response);
    ASSERT_FALSE(messages.ok()) << c.response.dump();
    EXPECT_EQ(messages.error().code, "sqs.response.invalid");
    EXPECT_NE(messages.error().message.find(c.field), std::string::npos) << messages.error().message;
  }
}

TEST(ReadBatchResponse, ReportsFailedAndUnlistedEntries) {
  const std::vector<BatchEntry> sent = {{"m0", "h0"}, {"m1", "h1"}, {"m2", "h2"}};
  const json response = {
      {"Successful", {{{"Id", "m0"}}}},
      {"Failed", {{{"Id", "m1"}, {"Code", "ReceiptHandleIsInvalid"}, {"Message", "bad\x1b[31m"}, {"SenderFault", true}}}}};
  auto failures = read_batch_response(response, sent);
  ASSERT_TRUE(failures.ok()) << failures.error().to_string();
  ASSERT_EQ(failures->size(), 2u);
  EXPECT_EQ((*failures)[0].id, "m1");
  EXPECT_EQ((*failures)[0].code, "ReceiptHandleIsInvalid");
  EXPECT_TRUE((*failures)[0].sender_fault);
  EXPECT_EQ((*failures)[0].message.find('\x1b'), std::string::npos);  // escaped for display
  EXPECT_EQ((*failures)[1].id, "m2");
  EXPECT_EQ((*failures)[1].code, "sqs.batch.missing");
}

TEST(Operations, BatchAndVisibilityCallsTargetAmazonSqs) {
  const auto del = delete_message_batch_operation("https://q", {{"m0", "h0"}});
  EXPECT_EQ(del.name, "DeleteMessageBatch");
  EXPECT_EQ(del.service.target_prefix, "AmazonSQS");
  EXPECT_EQ(del.input.dump(), R"({"QueueUrl":"https://q","Entries":[{"Id":"m0","ReceiptHandle":"h0"}]})");
  const auto vis = change_message_visibility_operation("https://q", "h0", 0);
  EXPECT_EQ(vis.input.dump(), R"({"QueueUrl":"https://q","ReceiptHandle":"h0","VisibilityTimeout":0})");
  const auto recv = receive_operation("https://q", ReceiveOptions{5, 3, 30});
  EXPECT_EQ(recv.input.dump(),
            R"({"QueueUrl":"https://q","MessageSystemAttributeNames":["ApproximateReceiveCount"],"MaxNumberOfMessages":5,"VisibilityTimeout":30,"WaitTimeSeconds":3})");
}

TEST(Validate, NamesTheOptionOutOfRange) {
  EXPECT_TRUE(validate(ReceiveOptions{10, 20, 60}).ok());
  auto bad = validate(ReceiveOptions{11, 20, 60});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("max messages"), std::string::npos);
  bad = validate(ReceiveOptions{1, 21, 60});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("wait seconds"), std::string::npos);
  bad = validate(ReceiveOptions{1, 0, 43201});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("visibility timeout"), std::string::npos);
}

}  // namespace
}  // namespace fixgate::sqs
