#include "notify/notify_config.h"

#include <regex>
#include <set>

#include "core/text.h"

namespace fixgate::notify {
namespace {

using nlohmann::json;

constexpr Outcome kOutcomes[] = {Outcome::remediate, Outcome::dry_run, Outcome::approval_required,
                                 Outcome::notify,    Outcome::skip,    Outcome::reject};

bool valid_env_name(const std::string& name) {
  static const std::regex pattern("[A-Za-z_][A-Za-z0-9_]*");
  return std::regex_match(name, pattern);
}

bool http_url(const std::string& url) { return starts_with(url, "https://") || starts_with(url, "http://"); }

// Collects every problem under "notifications.<path>" instead of stopping at the first.
class Reader {
 public:
  std::vector<std::string> issues;

  void fail(const std::string& path, const std::string& what) {
    issues.push_back("notifications." + path + ": " + what);
  }

  // Reports keys of `object` that are not in `known`.
  void only_keys(const json& object, const std::string& path, std::initializer_list<const char*> known) {
    for (const auto& [key, value] : object.items()) {
      bool found = false;
      for (const char* k : known) found = found || key == k;
      if (!found) fail(path.empty() ? key : path + "." + key, "unknown key");
    }
  }

  std::optional<std::string> string(const json& object, const std::string& path, const char* key, bool required) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
      if (required) fail(path + "." + key, "required");
      return std::nullopt;
    }
    if (!it->is_string() || it->get<std::string>().empty()) {
      fail(path + "." + key, "must be a non-empty string");
      return std::nullopt;
    }
    return it->get<std::string>();
  }

  std::string env_name(const json& object, const std::string& path, const char* key, bool required) {
    auto name = string(object, path, key, required);
    if (!name) return {};
    if (!valid_env_name(*name)) {
      fail(path + "." + key, "must name an environment variable ([A-Za-z_][A-Za-z0-9_]*), not hold a value");
      return {};
    }
    return *name;
  }

  std::vector<std::string> strings(const json& object, const std::string& path, const char* key) {
    std::vector<std::string> out;
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return out;
    if (!it->is_array()) {
      fail(path + "." + key, "must be a list of strings");
      return out;
    }
    for (size_t i = 0; i < it->size(); ++i) {
      const json& item = (*it)[i];
      if (!item.is_string() || item.get<std::string>().empty()) {
        fail(path + "." + key + "[" + std::to_string(i) + "]", "must be a non-empty string");
        continue;
      }
      out.push_back(item.get<std::string>());
    }
    return out;
  }

  std::map<std::string, std::string> string_map(const json& object, const std::string& path, const char* key) {
    std::map<std::string, std::string> out;
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return out;
    if (!it->is_object()) {
      fail(path + "." + key, "must be a mapping of strings");
      return out;
    }
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string() || v.get<std::string>().empty()) {
        fail(path + "." + key + "." + k, "must be a non-empty string");
        continue;
      }
      out[k] = v.get<std::string>();
    }
    return out;
  }

  std::optional<long long> integer(const json& object, const std::string& path, const char* key, long long min,
                                   long long max) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer() || it->get<long long>() < min || it->get<long long>() > max) {
      fail(path + "." + key, "must be an integer in " + std::to_string(min) + ".." + std::to_string(max));
      return std::nullopt;
    }
    return it->get<long long>();
  }
};

// arn:<partition>:sns:<region>:<12-digit account>:<topic name>
bool parse_topic_arn(const std::string& arn, std::string& region) {
  static const std::regex pattern(R"(arn:aws(-cn|-us-gov)?:sns:([a-z0-9-]+):[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?)");
  std::smatch match;
  if (!std::regex_match(arn, match, pattern)) return false;
  region = match[2];
  return true;
}

Channel read_channel(Reader& r, const std::string& name, const json& spec) {
  const std::string path = "channels." + name;
  Channel ch;
  ch.name = name;
  if (!spec.is_object()) {
    r.fail(path, "must be a mapping with a type");
    return ch;
  }
  const auto type = r.string(spec, path, "type", true).value_or("");
  auto secret_literal = [&](const char* key, const char* instead) {
    if (spec.contains(key)) r.fail(path + "." + key, std::string("is a secret; name an environment variable with ") + instead);
  };
  if (type == "slack") {
    ch.type = ChannelType::slack;
    r.only_keys(spec, path, {"type", "url_env"});
    secret_literal("url", "url_env");
    ch.url_env = r.env_name(spec, path, "url_env", true);
  } else if (type == "jira") {
    ch.type = ChannelType::jira;
    r.only_keys(spec, path, {"type", "base_url", "project", "issue_type", "api_version", "labels", "auth"});
    ch.url = r.string(spec, path, "base_url", true).value_or("");
    if (!ch.url.empty() && !http_url(ch.url)) r.fail(path + ".base_url", "must be an http(s) URL");
    while (!ch.url.empty() && ch.url.back() == '/') ch.url.pop_back();
    ch.project = r.string(spec, path, "project", true).value_or("");
    ch.issue_type = r.string(spec, path, "issue_type", false).value_or("Task");
    ch.api_version = static_cast<int>(r.integer(spec, path, "api_version", 2, 3).value_or(3));
    ch.labels = r.strings(spec, path, "labels");
    for (const auto& label : ch.labels) {
      if (label.find_first_of(" \t\r\n") != std::string::npos) r.fail(path + ".labels", "a Jira label cannot contain spaces");
    }
    auto auth = spec.find("auth");
    if (auth == spec.end() || !auth->is_object()) {
      r.fail(path + ".auth", "required: {email_env, token_env} or {bearer_env}");
    } else {
      r.only_keys(*auth, path + ".auth", {"email_env", "token_env", "bearer_env"});
      ch.email_env = r.env_name(*auth, path + ".auth", "email_env", false);
      ch.token_env = r.env_name(*auth, path + ".auth", "token_env", false);
      ch.bearer_env = r.env_name(*auth, path + ".auth", "bearer_env", false);
      const bool basic = !ch.email_env.empty() && !ch.token_env.empty();
      if (basic == !ch.bearer_env.empty()) r.fail(path + ".auth", "give either email_env and token_env, or bearer_env");
    }
  } else if (type == "pagerduty") {
    ch.type = ChannelType::pagerduty;
    r.only_keys(spec, path, {"type", "routing_key_env", "url"});
    secret_literal("routing_key", "routing_key_env");
    ch.routing_key_env = r.env_name(spec, path, "routing_key_env", true);
    ch.url = r.string(spec, path, "url", false).value_or("https://events.pagerduty.com/v2/enqueue");
    if (!http_url(ch.url)) r.fail(path + ".url", "must be an http(s) URL");
  } else if (type == "webhook") {
    ch.type = ChannelType::webhook;
    r.only_keys(spec, path, {"type", "url", "url_env", "headers", "headers_env", "secret_env"});
    secret_literal("secret", "secret_env");
    ch.url = r.string(spec, path, "url", false).value_or("");
    ch.url_env = r.env_name(spec, path, "url_env", false);
    if (ch.url.empty() == ch.url_env.empty()) r.fail(path, "give exactly one of url and url_env");
    if (!ch.url.empty() && !http_url(ch.url)) r.fail(path + ".url", "must be an http(s) URL");
    ch.headers = r.string_map(spec, path, "headers");
    ch.headers_env = r.string_map(spec, path, "headers_env");
    for (const auto& [header, env] : ch.headers_env) {
      if (!valid_env_name(env)) r.fail(path + ".headers_env." + header, "must name an environment variable");
    }
    for (const auto* map : {&ch.headers, &ch.headers_env}) {
      for (const auto& [header, value] : *map) {
        static const std::regex token("[A-Za-z0-9!#$%&'*+.^_`|~-]+");
        if (!std::regex_match(header, token)) r.fail(path + ".headers." + header, "is not a valid HTTP header name");
        if (value.find_first_of("\r\n") != std::string::npos) r.fail(path + ".headers." + header, "must be one line");
      }
    }
    ch.secret_env = r.env_name(spec, path, "secret_env", false);
  } else if (type == "sns") {
    ch.type = ChannelType::sns;
    r.only_keys(spec, path, {"type", "topic_arn"});
    ch.topic_arn = r.string(spec, path, "topic_arn", true).value_or("");
    if (!ch.topic_arn.empty() && !parse_topic_arn(ch.topic_arn, ch.sns_region)) {
      r.fail(path + ".topic_arn", "must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)");
    }
  } else if (!type.empty()) {
    r.fail(path + ".type", "unknown channel type \"" + escape_for_display(type) +
                               "\" (expected slack, jira, pagerduty, webhook or sns)");
  }
  return ch;
}

Route read_route(Reader& r, size_t index, const json& spec, const NotifyConfig& config) {
  const std::string path = "routes[" + std::to_string(index) + "]";
  Route route;
  if (!spec.is_object()) {
    r.fail(path, "must be a mapping");
    return route;
  }
  r.only_keys(spec, path, {"outcomes", "environments", "owners", "min_severity", "severities", "channels"});
  for (const auto& text : r.strings(spec, path, "outcomes")) {
    bool found = false;
    for (Outcome o : kOutcomes) {
      if (text == to_string(o)) {
        route.outcomes.push_back(o);
        found = true;
      }
    }
    if (!found) r.fail(path + ".outcomes", "unknown outcome \"" + escape_for_display(text) + "\"");
  }
  route.environments = r.strings(spec, path, "environments");
  route.owners = r.strings(spec, path, "owners");
  if (auto min = r.string(spec, path, "min_severity", false)) {
    route.min_severity = parse_severity(*min);
    if (!route.min_severity) r.fail(path + ".min_severity", "unknown severity \"" + escape_for_display(*min) + "\"");
  }
  for (const auto& text : r.strings(spec, path, "severities")) {
    if (auto s = parse_severity(text)) {
      route.severities.push_back(*s);
    } else {
      r.fail(path + ".severities", "unknown severity \"" + escape_for_display(text) + "\"");
    }
  }
  route.channels = r.strings(spec, path, "channels");
  if (route.channels.empty()) r.fail(path + ".channels", "required: at least one channel");
  for (const auto& name : route.channels) {
    if (name != "@owner" && !config.channels.count(name)) {
      r.fail(path + ".channels", "unknown channel \"" + escape_for_display(name) + "\"");
    }
  }
  return route;
}

}  // namespace

const char* to_string(ChannelType type) {
  switch (type) {
    case ChannelType::slack: return "slack";
    case ChannelType::jira: return "jira";
    case ChannelType::pagerduty: return "pagerduty";
    case ChannelType::webhook: return "webhook";
    case ChannelType::sns: return "sns";
  }
  return "unknown";
}

const Channel* NotifyConfig::find_channel(const std::string& name) const {
  auto it = channels.find(name);
  return it == channels.end() ? nullptr : &it->second;
}

Result<NotifyConfig> parse_notify_config(const json& section, const std::string& where) {
  NotifyConfig config;
  if (section.is_null()) return config;
  Reader r;
  if (!section.is_object()) {
    r.fail("", "must be a mapping");
  } else {
    config.enabled = true;
    r.only_keys(section, "", {"outbox", "delivery", "channels", "owner_channels", "default_owner_channel", "routes"});
    config.outbox = r.string(section, "", "outbox", false).value_or("");
    if (auto d = section.find("delivery"); d != section.end() && !d->is_null()) {
      if (!d->is_object()) {
        r.fail("delivery", "must be a mapping");
      } else {
        r.only_keys(*d, "delivery", {"max_attempts", "initial_backoff_ms", "max_backoff_ms", "timeout_ms", "lease_ms"});
        auto& p = config.delivery;
        p.max_attempts = static_cast<int>(r.integer(*d, "delivery", "max_attempts", 1, 100).value_or(p.max_attempts));
        auto ms = [&](const char* key, std::chrono::milliseconds fallback) {
          return std::chrono::milliseconds(r.integer(*d, "delivery", key, 1, 7LL * 24 * 3600 * 1000).value_or(fallback.count()));
        };
        p.initial_backoff = ms("initial_backoff_ms", p.initial_backoff);
        p.max_backoff = ms("max_backoff_ms", p.max_backoff);
        p.timeout = ms("timeout_ms", p.timeout);
        p.lease = ms("lease_ms", p.lease);
        if (p.max_backoff < p.initial_backoff) r.fail("delivery.max_backoff_ms", "must be at least initial_backoff_ms");
      }
    }
    if (auto c = section.find("channels"); c != section.end() && c->is_object()) {
      for (const auto& [name, spec] : c->items()) config.channels[name] = read_channel(r, name, spec);
    } else {
      r.fail("channels", "required: a mapping of channel name to channel");
    }
    for (const auto& [owner, channel] : r.string_map(section, "", "owner_channels")) {
      if (!config.channels.count(channel)) r.fail("owner_channels." + owner, "unknown channel \"" + escape_for_display(channel) + "\"");
      config.owner_channels[to_lower(owner)] = channel;
    }
    config.default_owner_channel = r.string(section, "", "default_owner_channel", false).value_or("");
    if (!config.default_owner_channel.empty() && !config.channels.count(config.default_owner_channel)) {
      r.fail("default_owner_channel", "unknown channel \"" + escape_for_display(config.default_owner_channel) + "\"");
    }
    if (auto routes = section.find("routes"); routes != section.end() && routes->is_array()) {
      for (size_t i = 0; i < routes->size(); ++i) config.routes.push_back(read_route(r, i, (*routes)[i], config));
    } else {
      r.fail("routes", "required: a list of routes");
    }
  }
  if (r.issues.empty()) return config;
  std::string message = std::to_string(r.issues.size()) + " error(s) in the notifications section" +
                        (where.empty() ? "" : " (" + where + ")") + ":";
  for (const auto& issue : r.issues) message += "\n  " + issue;
  return make_error("notify.config", message);
}

Result<NotifyConfig> load_notify_config(const Config& config) {
  auto it = config.extra_sections.find("notifications");
  if (it == config.extra_sections.end()) return NotifyConfig{};
  std::string where;
  if (auto loc = config.extra_section_locations.find("notifications"); loc != config.extra_section_locations.end()) {
    where = loc->second.location();
  }
  return parse_notify_config(it->second, where);
}

}  // namespace fixgate::notify
