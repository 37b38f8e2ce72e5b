// SQS request builders and response readers (AWS JSON 1.0, X-Amz-Target
// AmazonSQS.<Operation>, query-compatible errors), as the current AWS SDKs send
// them. ReceiveMessage and DeleteMessage come from aws/operations.h; the batch
// and visibility operations the worker needs live here. Members are emitted in
// the service model's order so the bytes match the AWS SDK for JavaScript v3
// (tests/sqs/sqs_wire_test.cpp, tests/peers/aws-sdk-wire/operations-sqs.json).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aws/protocols.h"
#include "core/result.h"

namespace fixgate::sqs {

// One entry of a batch request; `id` is unique within the batch (SQS allows
// alphanumerics, '-' and '_', up to 80 characters).
struct BatchEntry {
  std::string id;
  std::string receipt_handle;
};

// What the worker sends: ReceiveMessage asking for ApproximateReceiveCount.
struct ReceiveOptions {
  int max_messages = 10;                  // 1..10
  int wait_seconds = 20;                  // long poll, 0..20
  std::optional<int> visibility_timeout;  // seconds; unset: the queue's default
};
aws::Operation receive_operation(const std::string& queue_url, const ReceiveOptions& options);

aws::Operation delete_message_batch_operation(const std::string& queue_url, const std::vector<BatchEntry>& entries);
aws::Operation change_message_visibility_operation(const std::string& queue_url, const std::string& receipt_handle,
                                                   int visibility_timeout_s);
aws::Operation change_message_visibility_batch_operation(const std::string& queue_url,
                                                         const std::vector<BatchEntry>& entries,
                                                         int visibility_timeout_s);

// A message as ReceiveMessage returns it.
struct Message {
  std::string message_id;
  std::string receipt_handle;
  std::string body;
  std::string md5_of_body;                       // hex, as sent
  std::map<std::string, std::string> attributes;  // system attributes (ApproximateReceiveCount, SentTimestamp, …)
  int receive_count = 0;                          // ApproximateReceiveCount; 0 when not requested

  // "<message id> (receive <n>)" with the id escaped for display.
  std::string describe() const;
};

// Reads a ReceiveMessage response body ({"Messages": [...]}; an empty or absent
// list is no message). Each message's MD5OfBody is checked against its body, as
// the SDKs do, so a corrupted body is never decided on. Errors
// ("sqs.response.invalid") name the message index and the field.
Result<std::vector<Message>> read_receive_response(const nlohmann::json& body);

// The entries of a batch response that failed: {"Failed": [{"Id", "Code",
// "Message", "SenderFault"}]}. An entry is only successful when listed in
// "Successful"; ids listed in neither are reported as failed ("sqs.batch.missing").
struct BatchFailure {
  std::string id;
  std::string code;
  std::string message;
  bool sender_fault = false;
};
Result<std::vector<BatchFailure>> read_batch_response(const nlohmann::json& body,
                                                      const std::vector<BatchEntry>& sent);

}  // namespace fixgate::sqs
