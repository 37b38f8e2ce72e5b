#include "notify/notifier.h"

#include <algorithm>
#include <cctype>

#include "aws/crypto.h"
#include "aws/errors.h"
#include "core/text.h"
#include "notify/router.h"

namespace fixgate::notify {

using nlohmann::json;

namespace {

bool is_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// Retry-After is delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
std::optional<std::chrono::milliseconds> parse_retry_after(const std::string* header,
                                                           std::chrono::system_clock::time_point now) {
  if (header == nullptr) return std::nullopt;
  const std::string value = trim(*header);
  constexpr long long kMaxSeconds = 24 * 3600;
  if (is_digits(value)) {
    const long long seconds = value.size() > 6 ? kMaxSeconds : std::stoll(value);
    return std::chrono::milliseconds(std::min(seconds, kMaxSeconds) * 1000);
  }
  if (auto when = aws::parse_http_date(value)) {
    auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(*when - now);
    return std::clamp(delay, std::chrono::milliseconds(0), std::chrono::milliseconds(kMaxSeconds * 1000));
  }
  return std::nullopt;
}

// A receiver's reply, shortened and made safe to keep in an audit record.
std::string reply_excerpt(const std::string& body) { return escape_for_display(truncate_chars(body, 200)); }

std::string reference_from(ChannelType type, const std::string& body) {
  if (type != ChannelType::jira && type != ChannelType::pagerduty) return {};
  json reply = json::parse(body, nullptr, false);
  if (!reply.is_object()) return {};
  return escape_for_display(text_of(reply, type == ChannelType::jira ? "key" : "dedup_key"));
}

}  // namespace

Notifier::Notifier(NotifyConfig config, Outbox outbox, audit::AuditSink& audit, NotifierOptions options)
    : config_(std::move(config)), outbox_(std::move(outbox)), audit_(audit), options_(std::move(options)) {
  if (!options_.env) options_.env = process_environment();
  if (!options_.http) {
    aws::CurlOptions curl;
    curl.request_timeout = config_.delivery.timeout;
    curl.max_response_bytes = 1024 * 1024;
    options_.http = aws::make_curl_transport(curl);
  }
  if (!options_.clock) options_.clock = [] { return std::chrono::system_clock::now(); };
}

int64_t Notifier::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(options_.clock().time_since_epoch()).count();
}

std::string Notifier::dedupe_key(const std::string& correlation_id, const std::string& channel, const std::string& outcome) {
  return correlation_id + "|" + channel + "|" + outcome;
}

std::string Notifier::delivery_id(const std::string& dedupe_key) {
  return "ntf-" + aws::sha256_hex(dedupe_key).substr(0, 24);
}

Result<EnqueueReport> Notifier::enqueue(const NotificationInput& input) {
  EnqueueReport report;
  if (!config_.enabled) return report;
  const Routing routing = route(config_, input.decision);
  report.owner_unresolved = routing.owner_unresolved;
  if (routing.channels.empty()) return report;
  const json message = build_message(input);
  const std::string text = dump(message);
  const std::string outcome = to_string(input.decision.outcome);
  const int64_t now = now_ms();
  for (const auto& channel : routing.channels) {
    OutboxRow row;
    row.dedupe_key = dedupe_key(input.decision.correlation_id, channel, outcome);
    row.correlation_id = input.decision.correlation_id;
    row.finding_id = input.decision.finding_id;
    row.channel = channel;
    row.outcome = outcome;
    row.message = text;
    auto inserted = outbox_.enqueue(row, now);
    if (!inserted) return inserted.error();
    (*inserted ? report.queued : report.duplicates).push_back(channel);
  }
  return report;
}

std::chrono::milliseconds Notifier::backoff(int attempts) const {
  auto delay = config_.delivery.initial_backoff;
  for (int i = 1; i < attempts && delay < config_.delivery.max_backoff; ++i) delay *= 2;
  return std::min(delay, config_.delivery.max_backoff);
}

SendResult Notifier::send_http(const Delivery& delivery) {
  SendResult result;
  const size_t question = delivery.url.find('?');
  auto url = aws::parse_url(delivery.url.substr(0, question));
  if (!url) {
    result.error = "the channel URL is not a valid http(s) URL";
    return result;
  }
  aws::HttpRequest request;
  request.method = "POST";
  request.path = url->base_path.empty() ? "/" : url->base_path;
  if (question != std::string::npos) request.query = aws::parse_query(std::string_view(delivery.url).substr(question + 1));
  request.headers = delivery.headers;
  request.set_header("User-Agent", "fixgate-notify/0.1");
  request.body = delivery.body;
  auto response = options_.http->send(url->scheme, url->authority, request);
  if (!response) {
    result.retryable = true;
    result.error = response.error().to_string();
    return result;
  }
  result.status = response->status;
  if (result.status >= 200 && result.status < 300) {
    result.ok = true;
    result.reference = reference_from(delivery.type, response->body);
    return result;
  }
  result.retryable = result.status == 429 || result.status == 408 || result.status >= 500;
  if (result.status == 429) result.retry_after = parse_retry_after(response->header("retry-after"), options_.clock());
  result.error = "HTTP " + std::to_string(result.status) + ": " + reply_excerpt(response->body);
  return result;
}

std::shared_ptr<aws::AwsClient> Notifier::sns_client(const std::string& region) {
  if (!options_.sns || region.empty() || options_.sns->config().region == region) return options_.sns;
  std::lock_guard lock(sns_mutex_);
  auto& client = sns_by_region_[region];
  if (!client) {
    aws::ClientConfig cc = options_.sns->config();
    cc.region = region;
    client = std::make_shared<aws::AwsClient>(cc);
  }
  return client;
}

SendResult Notifier::send_sns(const Channel& channel, const Delivery& delivery) {
  SendResult result;
  auto client = sns_client(channel.sns_region);
  if (!client) {
    result.error = "notify.sns_unavailable: no AWS client configured for SNS";
    return result;
  }
  auto response = client->call(*delivery.sns);
  if (!response) {
    const aws::AwsError& e = response.error();
    result.status = e.http_status;
    result.retryable = e.kind == aws::ErrorKind::throttling || e.kind == aws::ErrorKind::transient ||
                       e.kind == aws::ErrorKind::expired_token || e.kind == aws::ErrorKind::clock_skew;
    result.error = e.to_error().to_string();
    return result;
  }
  result.ok = true;
  result.status = response->status;
  if (response->xml) result.reference = escape_for_display(response->xml->text_at("PublishResult/MessageId"));
  return result;
}

SendResult Notifier::attempt(const Channel& channel, const json& message, const std::string& id) {
  RenderContext context{options_.env, options_.clock(), id};
  auto delivery = render(channel, message, context);
  if (!delivery) {
    SendResult result;
    result.retryable = delivery.error().code == "notify.secret_missing";
    result.error = delivery.error().to_string();
    return result;
  }
  return channel.type == ChannelType::sns ? send_sns(channel, *delivery) : send_http(*delivery);
}

Result<SendResult> Notifier::send_now(const std::string& channel_name, const json& message) {
  const Channel* channel = config_.find_channel(channel_name);
  if (channel == nullptr) {
    return make_error("notify.unknown_channel", "no channel named \"" + escape_for_display(channel_name) + "\"");
  }
  return attempt(*channel, message, delivery_id(dedupe_key(text_of(message, "correlation_id"), channel_name,
                                                           text_of(message, "outcome"))));
}

DeliveryReport Notifier::deliver_due(size_t limit) {
  DeliveryReport report;
  auto rows = outbox_.claim_due(now_ms(), config_.delivery.lease.count(), limit);
  if (!rows) {
    report.errors.push_back(rows.error().to_string());
    return report;
  }
  for (const OutboxRow& row : *rows) {
    const Channel* channel = config_.find_channel(row.channel);
    const json message = json::parse(row.message, nullptr, false);
    const std::string id = delivery_id(row.dedupe_key);
    SendResult result;
    if (channel == nullptr) {
      result.error = "channel \"" + escape_for_display(row.channel) + "\" is no longer configured";
    } else if (message.is_discarded()) {
      result.error = "the stored message is not valid JSON";
    } else {
      result = attempt(*channel, message, id);
    }
    const int attempts = row.attempts + 1;
    json body = {{"channel", row.channel},
                 {"channel_type", channel ? to_string(channel->type) : "unknown"},
                 {"outcome", row.outcome},
                 {"status", result.status},
                 {"attempts", attempts},
                 {"delivery_id", id},
                 {"notification_id", row.id}};
    std::string kind;
    const char* counted = "failed";
    Result<void> stored;
    if (result.ok) {
      stored = outbox_.mark_sent(row.id, attempts, result.status, now_ms());
      body["reference"] = result.reference;
      kind = "notification_sent";
      counted = "sent";
      ++report.sent;
    } else if (result.retryable && attempts < config_.delivery.max_attempts) {
      auto delay = std::max(backoff(attempts), result.retry_after.value_or(std::chrono::milliseconds(0)));
      stored = outbox_.mark_retry(row.id, attempts, result.status, result.error, now_ms() + delay.count());
      counted = "retry";
      ++report.retried;
    } else {
      stored = outbox_.mark_failed(row.id, attempts, result.status, result.error, now_ms());
      body["error"] = result.error;
      body["permanent"] = !result.retryable;
      kind = "notification_failed";
      ++report.failed;
    }
    if (options_.metrics) {
      options_.metrics->attempted(row.channel, counted, row.attempts > 0,
                                  static_cast<double>(now_ms() - row.created_ms) / 1000.0);
    }
    if (!stored) report.errors.push_back(stored.error().to_string());
    if (kind.empty()) continue;
    auto record = audit_.append({kind, row.correlation_id, row.finding_id, options_.actor, body});
    if (!record) report.errors.push_back(record.error().to_string());
  }
  if (options_.metrics) {
    auto depth = outbox_.depth();
    if (depth) options_.metrics->outbox_rows(depth->pending, depth->failed);
    else report.errors.push_back(depth.error().to_string());
  }
  return report;
}

Result<std::optional<std::chrono::milliseconds>> Notifier::next_delay() {
  auto due = outbox_.next_due();
  if (!due) return due.error();
  if (!*due) return std::optional<std::chrono::milliseconds>();
  return std::optional<std::chrono::milliseconds>(std::chrono::milliseconds(std::max<int64_t>(0, **due - now_ms())));
}

}  // namespace fixgate::notify
