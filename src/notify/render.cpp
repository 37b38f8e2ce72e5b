#include "notify/render.h"

#include "notify/message.h"

namespace fixgate::notify {

Result<std::string> read_secret(const EnvLookup& env, const std::string& env_name, const std::string& what) {
  std::optional<std::string> value = env ? env(env_name) : std::nullopt;
  if (!value || value->empty()) {
    return make_error("notify.secret_missing", "environment variable " + env_name + " (" + what + ") is not set");
  }
  return *value;
}

// Defined in the per-channel files.
Result<Delivery> render_slack(const Channel& channel, const nlohmann::json& message, const RenderContext& context);
Result<Delivery> render_jira(const Channel& channel, const nlohmann::json& message, const RenderContext& context);
Result<Delivery> render_pagerduty(const Channel& channel, const nlohmann::json& message, const RenderContext& context);
Result<Delivery> render_webhook(const Channel& channel, const nlohmann::json& message, const RenderContext& context);
Result<Delivery> render_sns(const Channel& channel, const nlohmann::json& message, const RenderContext& context);

Result<Delivery> render(const Channel& channel, const nlohmann::json& message, const RenderContext& context) {
  switch (channel.type) {
    case ChannelType::slack: return render_slack(channel, message, context);
    case ChannelType::jira: return render_jira(channel, message, context);
    case ChannelType::pagerduty: return render_pagerduty(channel, message, context);
    case ChannelType::webhook: return render_webhook(channel, message, context);
    case ChannelType::sns: return render_sns(channel, message, context);
  }
  return make_error("notify.render", "unknown channel type for " + channel.name);
}

}  // namespace fixgate::notify
