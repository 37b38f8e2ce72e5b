#include "lambda/sqs_event.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fixgate::lambda {
namespace {

std::string corpus(const std::string& path) {
  std::ifstream in(FIXGATE_SHARED_DIR "/corpus/lambda-events/" + path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ParseSqsEvent, ReadsEverySqsEventOfTheCorpus) {
  struct Case {
    std::string file;
    std::vector<std::string> ids;
    int first_receive_count;
  };
  const std::vector<Case> cases = {
      {"aws-lambda-go/sqs-event.json", {"MessageID_1"}, 2},
      {"awsdocs-lambda-guide/sqs-standard-event-2-records.json",
       {"059f36b4-87a3-44ab-83d2-661975830a7d", "2e1424d4-f796-459a-8184-9c92662be6da"}, 1},
      {"awsdocs-lambda-guide/sqs-fifo-event.json", {"11d6ee51-4cc7-4302-9e22-7cd8afdaadf5"}, 1},
      {"awsdocs-lambda-guide/java-events-sqs-record.json", {"19dd0b57-b21e-4ac1-bd88-01bbb068cb78"}, 1},
  };
  for (const auto& c : cases) {
    auto records = parse_sqs_event(corpus(c.file));
    ASSERT_TRUE(records.ok()) << c.file << ": " << records.error().to_string();
    ASSERT_EQ(records->size(), c.ids.size()) << c.file;
    for (size_t i = 0; i < c.ids.size(); ++i) EXPECT_EQ((*records)[i].message_id, c.ids[i]) << c.file;
    EXPECT_EQ(records->front().receive_count, c.first_receive_count) << c.file;
    EXPECT_FALSE(records->front().event_source_arn.empty()) << c.file;
  }
  EXPECT_EQ(parse_sqs_event(corpus("aws-lambda-go/sqs-event.json"))->front().body, "Message Body");
}

TEST(ParseSqsEvent, OtherEventSourcesAndBrokenEventsNameTheField) {
  struct Case {
    std::string event;
    std::string field;
  };
  const std::vector<Case> cases = {
      {corpus("aws-lambda-go/sns-event.json"), "Records[0].eventSource"},
      {corpus("aws-lambda-go/s3-event.json"), "Records[0].eventSource"},
      {"not json", "event"},
      {"[]", "event"},
      {R"({"records": []})", "Records"},
      {R"({"Records": [{"eventSource": "aws:sqs", "body": "x"}]})", "Records[0].messageId"},
      {R"({"Records": [{"eventSource": "aws:sqs", "messageId": "", "body": "x"}]})", "Records[0].messageId"},
      {R"({"Records": [{"eventSource": "aws:sqs", "messageId": "a", "body": "x"}, {"eventSource": "aws:sqs", "messageId": "b"}]})",
       "Records[1].body"},
      {R"({"Records": [{"eventSource": "aws:sqs", "messageId": "a", "body": "x", "attributes": {"ApproximateReceiveCount": "many"}}]})",
       "Records[0].attributes.ApproximateReceiveCount"},
  };
  for (const auto& c : cases) {
    auto records = parse_sqs_event(c.event);
    ASSERT_FALSE(records.ok()) << c.field;
    EXPECT_EQ(records.error().code, "lambda.malformed_event");
    EXPECT_EQ(records.error().message.rfind(c.field + ":", 0), 0u) << records.error().message;
  }
}

TEST(HandleSqsBatch, ReportsOnlyTheFailedRecordsInTheDocumentedShape) {
  const std::vector<SqsRecord> records = {{"id1", "ok", "", 1}, {"id2", "fail", "", 1}, {"id3", "ok", "", 1},
                                          {"id4", "fail", "", 3}};
  auto report = handle_sqs_batch(
      records,
      [](const SqsRecord& r) -> Result<void> {
        if (r.body == "fail") return make_error("audit.write_failed", "database is locked");
        return {};
      },
      [] { return false; });
  // Exactly the AWS documentation's example response.
  EXPECT_EQ(report.response, nlohmann::json::parse(corpus("awsdocs-lambda-guide/sqs-batch-item-failures-response.json")));
  EXPECT_EQ(report.reasons[0], "audit.write_failed: database is locked");
}

TEST(HandleSqsBatch, RecordsNotStartedBeforeTheDeadlineAreReportedForRetry) {
  const std::vector<SqsRecord> records = {{"a", "", "", 1}, {"b", "", "", 1}, {"c", "", "", 1}};
  int handled = 0;
  auto report = handle_sqs_batch(
      records,
      [&handled](const SqsRecord&) -> Result<void> {
        ++handled;
        return {};
      },
      [&handled] { return handled >= 1; });
  EXPECT_EQ(handled, 1);
  EXPECT_EQ(report.failed, (std::vector<std::string>{"b", "c"}));
}

TEST(HandleSqsBatch, AllRecordedIsAnEmptyFailureList) {
  auto report = handle_sqs_batch({{"a", "", "", 1}}, [](const SqsRecord&) -> Result<void> { return {}; }, {});
  EXPECT_EQ(report.response.dump(), R"({"batchItemFailures":[]})");
}

}  // namespace
}  // namespace fixgate::lambda
