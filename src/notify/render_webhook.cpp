// Generic webhook: the notification JSON, signed when a secret is configured.
// The timestamp is inside the signed text so a captured request cannot be
// replayed later under a fresh timestamp.
#include "aws/crypto.h"
#include "notify/message.h"
#include "notify/render.h"

namespace fixgate::notify {

std::string webhook_signature(std::string_view secret, std::string_view timestamp, std::string_view body) {
  std::string text;
  text.reserve(timestamp.size() + 1 + body.size());
  text.append(timestamp).append(".").append(body);
  return "sha256=" + aws::hex_encode(aws::hmac_sha256(secret, text));
}

Result<Delivery> render_webhook(const Channel& channel, const nlohmann::json& message, const RenderContext& context) {
  Delivery d;
  d.type = ChannelType::webhook;
  if (!channel.url_env.empty()) {
    auto url = read_secret(context.env, channel.url_env, "webhook URL of channel " + channel.name);
    if (!url) return url.error();
    d.url = *url;
  } else {
    d.url = channel.url;
  }
  d.body = dump(message);
  d.headers = {{"Content-Type", "application/json"},
               {"X-Fixgate-Delivery", context.delivery_id},
               {"X-Fixgate-Event", text_of(message, "outcome")}};
  for (const auto& [name, value] : channel.headers) d.headers.emplace_back(name, value);
  for (const auto& [name, env] : channel.headers_env) {
    auto value = read_secret(context.env, env, "header " + name + " of channel " + channel.name);
    if (!value) return value.error();
    if (value->find_first_of("\r\n") != std::string::npos) {
      return make_error("notify.render", "environment variable " + env + " holds a line break; not a header value");
    }
    d.headers.emplace_back(name, *value);
  }
  if (!channel.secret_env.empty()) {
    auto secret = read_secret(context.env, channel.secret_env, "signing secret of channel " + channel.name);
    if (!secret) return secret.error();
    const std::string timestamp =
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(context.now.time_since_epoch()).count());
    d.headers.emplace_back("X-Fixgate-Timestamp", timestamp);
    d.headers.emplace_back("X-Fixgate-Signature", webhook_signature(*secret, timestamp, d.body));
  }
  return d;
}

}  // namespace fixgate::notify
