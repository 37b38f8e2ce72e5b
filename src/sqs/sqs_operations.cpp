#include "sqs/sqs_operations.h"

#include <set>

#include "aws/crypto.h"
#include "aws/operations.h"
#include "core/text.h"

namespace fixgate::sqs {

namespace {

aws::Operation sqs_operation(const char* name, const std::string& queue_url) {
  aws::Operation op;
  op.service = aws::services::sqs();
  op.name = name;
  op.input["QueueUrl"] = queue_url;
  return op;
}

Error invalid(const std::string& where, const std::string& what) {
  return make_error("sqs.response.invalid", where + ": " + what);
}

// A JSON string member, or an error naming it. Absent is allowed only when optional.
Result<std::string> string_member(const nlohmann::json& object, const char* key, const std::string& where,
                                  bool required) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) return invalid(where + "." + key, "missing");
    return std::string();
  }
  if (!it->is_string()) return invalid(where + "." + key, "not a string");
  return it->get<std::string>();
}

Result<int> receive_count(const std::map<std::string, std::string>& attributes, const std::string& where) {
  const auto it = attributes.find("ApproximateReceiveCount");
  if (it == attributes.end()) return 0;
  try {
    size_t used = 0;
    const int count = std::stoi(it->second, &used);
    if (used == it->second.size() && count >= 0) return count;
  } catch (const std::exception&) {
  }
  return invalid(where + ".Attributes.ApproximateReceiveCount", "not a count: " + escape_for_display(it->second));
}

Result<Message> read_message(const nlohmann::json& item, const std::string& where) {
  if (!item.is_object()) return invalid(where, "not an object");
  Message m;
  auto id = string_member(item, "MessageId", where, true);
  if (!id.ok()) return id.error();
  m.message_id = *id;
  auto handle = string_member(item, "ReceiptHandle", where, true);
  if (!handle.ok()) return handle.error();
  m.receipt_handle = *handle;
  auto body = string_member(item, "Body", where, true);
  if (!body.ok()) return body.error();
  m.body = *body;
  auto md5 = string_member(item, "MD5OfBody", where, false);
  if (!md5.ok()) return md5.error();
  m.md5_of_body = *md5;
  if (!m.md5_of_body.empty() && !iequals(m.md5_of_body, aws::hex_encode(aws::md5(m.body)))) {
    return make_error("sqs.response.md5_mismatch",
                      where + ".MD5OfBody does not match the body of message " + escape_for_display(m.message_id));
  }
  if (const auto attrs = item.find("Attributes"); attrs != item.end() && !attrs->is_null()) {
    if (!attrs->is_object()) return invalid(where + ".Attributes", "not an object");
    for (const auto& [name, value] : attrs->items()) {
      if (!value.is_string()) return invalid(where + ".Attributes." + name, "not a string");
      m.attributes[name] = value.get<std::string>();
    }
  }
  auto count = receive_count(m.attributes, where);
  if (!count.ok()) return count.error();
  m.receive_count = *count;
  return m;
}

}  // namespace

std::string Message::describe() const {
  std::string text = escape_for_display(message_id);
  if (receive_count > 0) text += " (receive " + std::to_string(receive_count) + ")";
  return text;
}

aws::Operation receive_operation(const std::string& queue_url, const ReceiveOptions& options) {
  aws::ops::ReceiveMessageOptions o;
  o.max_number_of_messages = options.max_messages;
  o.wait_time_seconds = options.wait_seconds;
  o.visibility_timeout = options.visibility_timeout;
  o.message_system_attribute_names = {"ApproximateReceiveCount"};
  return aws::ops::sqs_receive_message(queue_url, o);
}

aws::Operation delete_message_batch_operation(const std::string& queue_url, const std::vector<BatchEntry>& entries) {
  aws::Operation op = sqs_operation("DeleteMessageBatch", queue_url);
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& e : entries) {
    nlohmann::ordered_json item = nlohmann::ordered_json::object();
    item["Id"] = e.id;
    item["ReceiptHandle"] = e.receipt_handle;
    list.push_back(std::move(item));
  }
  op.input["Entries"] = std::move(list);
  return op;
}

aws::Operation change_message_visibility_operation(const std::string& queue_url, const std::string& receipt_handle,
                                                   int visibility_timeout_s) {
  aws::Operation op = sqs_operation("ChangeMessageVisibility", queue_url);
  op.input["ReceiptHandle"] = receipt_handle;
  op.input["VisibilityTimeout"] = visibility_timeout_s;
  return op;
}

aws::Operation change_message_visibility_batch_operation(const std::string& queue_url,
                                                         const std::vector<BatchEntry>& entries,
                                                         int visibility_timeout_s) {
  aws::Operation op = sqs_operation("ChangeMessageVisibilityBatch", queue_url);
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& e : entries) {
    nlohmann::ordered_json item = nlohmann::ordered_json::object();
    item["Id"] = e.id;
    item["ReceiptHandle"] = e.receipt_handle;
    item["VisibilityTimeout"] = visibility_timeout_s;
    list.push_back(std::move(item));
  }
  op.input["Entries"] = std::move(list);
  return op;
}

Result<std::vector<Message>> read_receive_response(const nlohmann::json& body) {
  std::vector<Message> out;
  if (body.is_null()) return out;
  if (!body.is_object()) return invalid("ReceiveMessage response", "not a JSON object");
  const auto it = body.find("Messages");
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array()) return invalid("Messages", "not a list");
  for (size_t i = 0; i < it->size(); ++i) {
    auto message = read_message((*it)[i], "Messages[" + std::to_string(i) + "]");
    if (!message.ok()) return message.error();
    out.push_back(std::move(*message));
  }
  return out;
}

Result<std::vector<BatchFailure>> read_batch_response(const nlohmann::json& body,
                                                      const std::vector<BatchEntry>& sent) {
  if (!body.is_object()) return invalid("batch response", "not a JSON object");
  std::set<std::string> succeeded;
  std::vector<BatchFailure> failures;
  if (const auto ok = body.find("Successful"); ok != body.end() && !ok->is_null()) {
    if (!ok->is_array()) return invalid("Successful", "not a list");
    for (size_t i = 0; i < ok->size(); ++i) {
      if (!(*ok)[i].is_object()) return invalid("Successful[" + std::to_string(i) + "]", "not an object");
      auto id = string_member((*ok)[i], "Id", "Successful[" + std::to_string(i) + "]", true);
      if (!id.ok()) return id.error();
      succeeded.insert(*id);
    }
  }
  if (const auto failed = body.find("Failed"); failed != body.end() && !failed->is_null()) {
    if (!failed->is_array()) return invalid("Failed", "not a list");
    for (size_t i = 0; i < failed->size(); ++i) {
      const auto& item = (*failed)[i];
      const std::string where = "Failed[" + std::to_string(i) + "]";
      if (!item.is_object()) return invalid(where, "not an object");
      BatchFailure f;
      auto id = string_member(item, "Id", where, true);
      if (!id.ok()) return id.error();
      f.id = *id;
      auto code = string_member(item, "Code", where, false);
      if (!code.ok()) return code.error();
      f.code = *code;
      auto message = string_member(item, "Message", where, false);
      if (!message.ok()) return message.error();
      f.message = escape_for_display(*message);
      if (const auto fault = item.find("SenderFault"); fault != item.end() && fault->is_boolean()) {
        f.sender_fault = fault->get<bool>();
      }
      failures.push_back(std::move(f));
    }
  }
  for (const auto& entry : sent) {
    if (succeeded.count(entry.id) > 0) continue;
    bool reported = false;
    for (const auto& f : failures) reported = reported || f.id == entry.id;
    if (!reported) failures.push_back({entry.id, "sqs.batch.missing", "the response does not list this entry", false});
  }
  return failures;
}

}  // namespace fixgate::sqs
