#include "sqs/sqs_client.h"

#include <utility>

#include "aws/operations.h"

namespace fixgate::sqs {

SqsClient::SqsClient(std::shared_ptr<aws::AwsClient> client, std::string queue_url)
    : client_(std::move(client)), queue_url_(std::move(queue_url)) {}

Result<void> validate(const ReceiveOptions& options) {
  if (options.max_messages < 1 || options.max_messages > 10) {
    return make_error("sqs.invalid_option", "max messages must be between 1 and 10, got " +
                                                std::to_string(options.max_messages));
  }
  if (options.wait_seconds < 0 || options.wait_seconds > 20) {
    return make_error("sqs.invalid_option", "wait seconds must be between 0 and 20, got " +
                                                std::to_string(options.wait_seconds));
  }
  if (options.visibility_timeout && (*options.visibility_timeout < 0 || *options.visibility_timeout > 43200)) {
    return make_error("sqs.invalid_option", "visibility timeout must be between 0 and 43200 seconds, got " +
                                                std::to_string(*options.visibility_timeout));
  }
  return {};
}

Result<std::vector<Message>> SqsClient::receive(const ReceiveOptions& options) {
  if (auto valid = validate(options); !valid.ok()) return valid.error();
  auto response = client_->call(receive_operation(queue_url_, options));
  if (!response.ok()) return response.error().to_error();
  return read_receive_response(response->json);
}

Result<void> SqsClient::delete_message(const std::string& receipt_handle) {
  auto response = client_->call(aws::ops::sqs_delete_message(queue_url_, receipt_handle));
  if (!response.ok()) return response.error().to_error();
  return {};
}

Result<std::vector<BatchFailure>> SqsClient::delete_batch(const std::vector<BatchEntry>& entries) {
  if (entries.empty()) return std::vector<BatchFailure>{};
  if (entries.size() > 10) {
    return make_error("sqs.invalid_option", "a batch holds at most 10 entries, got " + std::to_string(entries.size()));
  }
  auto response = client_->call(delete_message_batch_operation(queue_url_, entries));
  if (!response.ok()) return response.error().to_error();
  return read_batch_response(response->json, entries);
}

Result<void> SqsClient::change_visibility(const std::string& receipt_handle, int seconds) {
  auto response = client_->call(change_message_visibility_operation(queue_url_, receipt_handle, seconds));
  if (!response.ok()) return response.error().to_error();
  return {};
}

}  // namespace fixgate::sqs
