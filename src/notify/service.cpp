#include "notify/service.h"

#include <filesystem>

#include "aws/config.h"
#include "aws/environment.h"
#include "notify/render.h"

namespace fixgate::notify {

Result<std::unique_ptr<NotificationService>> NotificationService::open(const Config& config,
                                                                        const std::string& state_dir,
                                                                        audit::AuditSink& audit,
                                                                        ServiceOptions options) {
  auto parsed = load_notify_config(config);
  if (!parsed) return parsed.error();
  if (!parsed->enabled) return std::unique_ptr<NotificationService>();
  std::string path = parsed->outbox.empty() ? state_dir + "/notifications.db" : parsed->outbox;
  std::error_code ignored;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ignored);
  auto outbox = Outbox::open(path);
  if (!outbox) return outbox.error();

  NotifierOptions notifier_options;
  notifier_options.env = options.env;
  notifier_options.clock = options.clock;
  notifier_options.actor = options.actor;
  if (options.metrics != nullptr) {
    auto metrics = NotifyMetrics::create(*options.metrics);
    if (!metrics) return metrics.error();
    notifier_options.metrics = std::move(*metrics);
  }
  if (options.aws) {
    aws::ClientConfig cc = *options.aws;
    if (!cc.endpoint_urls.count(sns_service().service_id)) {
      auto env = aws::system_environment();
      if (auto shared = aws::load_shared_config(*env); shared.ok()) {
        const std::string url = aws::resolve_endpoint_url(*env, *shared, sns_service());
        if (!url.empty()) cc.endpoint_urls[sns_service().service_id] = url;
      }
    }
    notifier_options.sns = std::make_shared<aws::AwsClient>(cc);
  }
  auto notifier = std::make_unique<Notifier>(std::move(*parsed), std::move(*outbox), audit, std::move(notifier_options));
  return std::unique_ptr<NotificationService>(new NotificationService(std::move(notifier), std::move(options)));
}

NotificationService::NotificationService(std::unique_ptr<Notifier> notifier, ServiceOptions options)
    : notifier_(std::move(notifier)), options_(std::move(options)) {}

NotificationService::~NotificationService() { stop(); }

Result<EnqueueReport> NotificationService::enqueue(const NotificationInput& input) {
  auto report = notifier_->enqueue(input);
  if (report.ok() && !report->queued.empty()) {
    std::lock_guard lock(mutex_);
    kicked_ = true;
    wake_.notify_one();
  }
  return report;
}

void NotificationService::record(const DeliveryReport& report) {
  std::lock_guard lock(mutex_);
  stats_.sent += report.sent;
  stats_.retried += report.retried;
  stats_.failed += report.failed;
  stats_.errors += report.errors.size();
  if (!report.errors.empty()) stats_.last_error = report.errors.back();
}

DeliveryReport NotificationService::drain(std::chrono::milliseconds budget) {
  DeliveryReport total;
  const auto deadline = std::chrono::steady_clock::now() + budget;
  while (std::chrono::steady_clock::now() < deadline) {
    const DeliveryReport round = notifier_->deliver_due();
    record(round);
    total.sent += round.sent;
    total.retried += round.retried;
    total.failed += round.failed;
    total.errors.insert(total.errors.end(), round.errors.begin(), round.errors.end());
    if (round.sent + round.retried + round.failed == 0 || !round.errors.empty()) break;
  }
  return total;
}

void NotificationService::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void NotificationService::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void NotificationService::run() {
  for (;;) {
    const DeliveryReport round = notifier_->deliver_due();
    record(round);
    auto next = notifier_->next_delay();
    std::chrono::milliseconds wait = options_.idle_poll;
    // After an outbox or audit error, back off a full poll instead of spinning.
    if (round.errors.empty() && next.ok() && next->has_value()) wait = std::min(wait, **next);
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, wait, [this] { return stopping_ || kicked_; });
    if (stopping_) return;
    kicked_ = false;
  }
}

ServiceStats NotificationService::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace fixgate::notify
