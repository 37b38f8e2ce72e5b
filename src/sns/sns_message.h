// The SNS delivery envelope: what an HTTP(S) subscription (or a Lambda event
// record) receives, parsed but NOT yet trusted. Only SnsVerifier (verifier.h)
// turns an envelope into something the intake may act on.
//
// Error codes (Error::code) returned by this header:
//   sns.bad_json          body is not a JSON object
//   sns.missing_field     a field the message type signs is absent (names it)
//   sns.bad_field         a field has the wrong JSON type, or is given in both
//                         the HTTP and the Lambda spelling (names it)
//   sns.unknown_type      Type is not Notification / SubscriptionConfirmation /
//                         UnsubscribeConfirmation
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace fixgate::sns {

enum class MessageType { notification, subscription_confirmation, unsubscribe_confirmation };
const char* to_string(MessageType type);  // the wire spelling, e.g. "Notification"

struct SnsMessage {
  MessageType type = MessageType::notification;
  std::string message_id;
  std::string topic_arn;
  std::optional<std::string> subject;  // Notification only; JSON null means absent
  std::string message;                 // unescaped, exactly as signed
  std::string timestamp;
  std::string signature_version;       // as sent; the verifier decides if it is known
  std::string signature;               // base64, as sent
  std::string signing_cert_url;        // SigningCertURL (HTTP) or SigningCertUrl (Lambda)
  std::string subscribe_url;           // confirmations only
  std::string token;                   // confirmations only
  std::string unsubscribe_url;         // Notification only; not signed, never fetched
};

// Parses one envelope. Accepts both the HTTP spelling (SigningCertURL,
// UnsubscribeURL, SubscribeURL) and the Lambda event spelling (...Url). On
// success every field the type's signature covers is present. Never throws.
Result<SnsMessage> parse_sns_message(std::string_view json);

// The exact bytes SNS signed: "Name\nvalue\n" pairs in the AWS-documented order
//   Notification:  Message, MessageId, Subject (only if present), Timestamp, TopicArn, Type
//   Confirmations: Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type
std::string string_to_sign(const SnsMessage& message);

// Strict standard base64 (RFC 4648 alphabet, '=' padding, length a multiple of 4,
// no whitespace). Fails with "sns.bad_base64" naming the offending position.
Result<std::string> decode_base64(std::string_view text);

}  // namespace fixgate::sns
