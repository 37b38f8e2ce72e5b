// SqsQueue: the four SQS calls a consumer needs, behind an interface so the
// worker can be tested against a fault-injecting fake as well as the real
// emulator. SqsClient implements it over aws::AwsClient (SigV4, standard
// retries, endpoint from AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL).
//
// Every call is thread-safe. Errors are values: "aws.<kind>" from the client
// (the AWS code, status and request id in the message), or "sqs.response.*"
// when a 2xx body cannot be read.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/client.h"
#include "core/result.h"
#include "sqs/sqs_operations.h"

namespace fixgate::sqs {

class SqsQueue {
 public:
  virtual ~SqsQueue() = default;

  // Long-polls for up to max_messages messages, each with its
  // ApproximateReceiveCount. An empty list means the wait ended with nothing.
  virtual Result<std::vector<Message>> receive(const ReceiveOptions& options) = 0;

  // Deletes one message. A stale receipt handle (the visibility timeout passed
  // and someone else received it) is an error: the message was not deleted.
  virtual Result<void> delete_message(const std::string& receipt_handle) = 0;

  // Deletes up to 10 messages in one call; returns the entries that were NOT
  // deleted (empty: all were). A call-level failure deletes none.
  virtual Result<std::vector<BatchFailure>> delete_batch(const std::vector<BatchEntry>& entries) = 0;

  // Sets the message's remaining invisibility to `seconds` from now (0: visible
  // again at once, for another consumer).
  virtual Result<void> change_visibility(const std::string& receipt_handle, int seconds) = 0;

  virtual const std::string& queue_url() const = 0;
};

class SqsClient final : public SqsQueue {
 public:
  // The client should have a request timeout above the longest wait_seconds (20 s).
  SqsClient(std::shared_ptr<aws::AwsClient> client, std::string queue_url);

  Result<std::vector<Message>> receive(const ReceiveOptions& options) override;
  Result<void> delete_message(const std::string& receipt_handle) override;
  Result<std::vector<BatchFailure>> delete_batch(const std::vector<BatchEntry>& entries) override;
  Result<void> change_visibility(const std::string& receipt_handle, int seconds) override;
  const std::string& queue_url() const override { return queue_url_; }

 private:
  std::shared_ptr<aws::AwsClient> client_;
  std::string queue_url_;
};

// Checks the receive options against SQS's limits; the error names the option.
Result<void> validate(const ReceiveOptions& options);

}  // namespace fixgate::sqs
