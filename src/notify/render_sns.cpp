// SNS Publish over the project's AWS client (Query protocol, API 2010-03-31).
// Subject rules (SNS API reference): printable ASCII, no line breaks, must not
// start with whitespace, at most 100 characters. Message: UTF-8, ≤ 262144 bytes.
#include "notify/message.h"
#include "notify/render.h"

namespace fixgate::notify {

const aws::ServiceInfo& sns_service() {
  static const aws::ServiceInfo info{.service_id = "SNS",
                                     .signing_name = "sns",
                                     .endpoint_prefix = "sns",
                                     .protocol = aws::Protocol::query,
                                     .api_version = "2010-03-31"};
  return info;
}

aws::Operation sns_publish(const std::string& topic_arn, const std::string& message, const std::string& subject) {
  aws::Operation op;
  op.service = sns_service();
  op.name = "Publish";
  op.params = {{"TopicArn", topic_arn}, {"Message", message}};
  if (!subject.empty()) op.params.emplace_back("Subject", subject);
  return op;
}

std::string sns_subject(const nlohmann::json& message) {
  std::string subject;
  for (char c : "fixgate " + headline(message)) {
    const auto u = static_cast<unsigned char>(c);
    if ((u & 0xC0) == 0x80) continue;  // the rest of a multi-byte character already became '?'
    subject += (u < 0x20 || u > 0x7e) ? '?' : c;
  }
  if (subject.size() > 100) subject = subject.substr(0, 97) + "...";
  return subject;
}

Result<Delivery> render_sns(const Channel& channel, const nlohmann::json& message, const RenderContext&) {
  constexpr size_t kMaxMessageBytes = 262144;
  std::string body = dump(message);
  if (body.size() > kMaxMessageBytes) {
    return make_error("notify.render", "SNS message for channel " + channel.name + " is " + std::to_string(body.size()) +
                                           " bytes; SNS accepts at most " + std::to_string(kMaxMessageBytes));
  }
  Delivery d;
  d.type = ChannelType::sns;
  d.sns = sns_publish(channel.topic_arn, body, sns_subject(message));
  return d;
}

}  // namespace fixgate::notify
