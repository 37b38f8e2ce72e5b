#include "sns/sns_message.h"

#include <nlohmann/json.hpp>

namespace fixgate::sns {

const char* to_string(MessageType type) {
  switch (type) {
    case MessageType::notification: return "Notification";
    case MessageType::subscription_confirmation: return "SubscriptionConfirmation";
    case MessageType::unsubscribe_confirmation: return "UnsubscribeConfirmation";
  }
  return "Notification";
}

namespace {

using nlohmann::json;

// Reads a string field; absent (or JSON null) gives nullopt, any other type an error.
Result<std::optional<std::string>> optional_string(const json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) return make_error("sns.bad_field", std::string("field '") + name + "' must be a string");
  return std::optional<std::string>{it->get<std::string>()};
}

Result<std::string> required_string(const json& object, const char* name) {
  auto value = optional_string(object, name);
  if (!value) return value.error();
  if (!value->has_value()) return make_error("sns.missing_field", std::string("field '") + name + "' is missing");
  return std::move(**value);
}

// A field with an HTTP spelling (…URL) and a Lambda spelling (…Url). Giving
// both is refused so the value we verify is the value we later act on.
Result<std::optional<std::string>> either_spelling(const json& object, const char* http, const char* lambda) {
  auto a = optional_string(object, http);
  if (!a) return a.error();
  auto b = optional_string(object, lambda);
  if (!b) return b.error();
  if (a->has_value() && b->has_value()) {
    return make_error("sns.bad_field", std::string("both '") + http + "' and '" + lambda + "' are present");
  }
  return a->has_value() ? std::move(*a) : std::move(*b);
}

Result<std::string> required_either(const json& object, const char* http, const char* lambda) {
  auto value = either_spelling(object, http, lambda);
  if (!value) return value.error();
  if (!value->has_value()) return make_error("sns.missing_field", std::string("field '") + http + "' is missing");
  return std::move(**value);
}

Result<SnsMessage> from_json(const json& object) {
  if (!object.is_object()) return make_error("sns.bad_json", "SNS message must be a JSON object");
  SnsMessage out;
  auto type = required_string(object, "Type");
  if (!type) return type.error();
  if (*type == "Notification") out.type = MessageType::notification;
  else if (*type == "SubscriptionConfirmation") out.type = MessageType::subscription_confirmation;
  else if (*type == "UnsubscribeConfirmation") out.type = MessageType::unsubscribe_confirmation;
  else return make_error("sns.unknown_type", "field 'Type' is not a known SNS message type");

  struct Field { const char* name; std::string* into; };
  for (Field f : {Field{"MessageId", &out.message_id}, Field{"TopicArn", &out.topic_arn},
                  Field{"Message", &out.message}, Field{"Timestamp", &out.timestamp},
                  Field{"SignatureVersion", &out.signature_version}, Field{"Signature", &out.signature}}) {
    auto value = required_string(object, f.name);
    if (!value) return value.error();
    *f.into = std::move(*value);
  }
  auto cert_url = required_either(object, "SigningCertURL", "SigningCertUrl");
  if (!cert_url) return cert_url.error();
  out.signing_cert_url = std::move(*cert_url);

  if (out.type == MessageType::notification) {
    auto subject = optional_string(object, "Subject");
    if (!subject) return subject.error();
    out.subject = std::move(*subject);
    auto unsubscribe = either_spelling(object, "UnsubscribeURL", "UnsubscribeUrl");
    if (!unsubscribe) return unsubscribe.error();
    out.unsubscribe_url = unsubscribe->value_or("");
  } else {
    auto subscribe = required_either(object, "SubscribeURL", "SubscribeUrl");
    if (!subscribe) return subscribe.error();
    out.subscribe_url = std::move(*subscribe);
    auto token = required_string(object, "Token");
    if (!token) return token.error();
    out.token = std::move(*token);
  }
  return out;
}

void append_pair(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.push_back('\n');
  out.append(value);
  out.push_back('\n');
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

Result<SnsMessage> parse_sns_message(std::string_view text) {
  // Envelope fields are flat strings; refusing deep nesting keeps a hostile
  // body from exhausting the stack.
  struct TooDeep {};
  json object;
  try {
    object = json::parse(text.begin(), text.end(), [](int depth, json::parse_event_t, json&) {
      if (depth > 32) throw TooDeep{};
      return true;
    });
  } catch (const TooDeep&) {
    return make_error("sns.bad_json", "SNS message nests deeper than 32 levels");
  } catch (const json::exception& e) {
    return make_error("sns.bad_json", std::string("SNS message is not valid JSON: ") + e.what());
  }
  return from_json(object);
}

std::string string_to_sign(const SnsMessage& m) {
  std::string out;
  out.reserve(m.message.size() + 512);
  append_pair(out, "Message", m.message);
  append_pair(out, "MessageId", m.message_id);
  if (m.type == MessageType::notification) {
    if (m.subject) append_pair(out, "Subject", *m.subject);
  } else {
    append_pair(out, "SubscribeURL", m.subscribe_url);
  }
  append_pair(out, "Timestamp", m.timestamp);
  if (m.type != MessageType::notification) append_pair(out, "Token", m.token);
  append_pair(out, "TopicArn", m.topic_arn);
  append_pair(out, "Type", to_string(m.type));
  return out;
}

Result<std::string> decode_base64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) {
    return make_error("sns.bad_base64", "Signature length " + std::to_string(text.size()) +
                                            " is not a non-zero multiple of 4");
  }
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int v[4];
    for (size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      // '=' is allowed only as the last one or two characters.
      if (c == '=' && last && (j == 3 || (j == 2 && text[i + 3] == '='))) {
        v[j] = 0;
        continue;
      }
      v[j] = base64_value(c);
      if (v[j] < 0) return make_error("sns.bad_base64", "Signature has an invalid base64 character at offset " +
                                                            std::to_string(i + j));
    }
    const unsigned triple = (unsigned(v[0]) << 18) | (unsigned(v[1]) << 12) | (unsigned(v[2]) << 6) | unsigned(v[3]);
    out.push_back(static_cast<char>((triple >> 16) & 0xFF));
    if (text[i + 2] != '=') out.push_back(static_cast<char>((triple >> 8) & 0xFF));
    if (text[i + 3] != '=') out.push_back(static_cast<char>(triple & 0xFF));
  }
  return out;
}

}  // namespace fixgate::sns
