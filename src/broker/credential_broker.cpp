#include "broker/credential_broker.h"

#include <algorithm>

#include "broker/session_naming.h"

namespace fixgate::broker {

// One AssumeRole in progress; waiters read its outcome once `done`.
struct CredentialBroker::Flight {
  bool done = false;
  std::optional<BrokeredSession> session;
  std::optional<Error> error;
};

namespace {

Error refusal(const aws::AwsError& e, const aws::AssumeRoleRequest& request) {
  std::string message = "AssumeRole " + request.role_arn + " as session " + request.role_session_name +
                        " failed: " + e.to_error().message;
  if (e.kind == aws::ErrorKind::access_denied) {
    message += " (not retried: the role's trust policy does not allow fixgate's identity, the external id differs, "
               "or sts:SetSourceIdentity / sts:TagSession are not granted)";
  }
  return make_error("sts." + (e.code.empty() ? std::string("Error") : e.code), message);
}

class BrokerProvider final : public aws::CredentialsProvider {
 public:
  BrokerProvider(CredentialBroker& broker, SessionRequest request) : broker_(broker), request_(std::move(request)) {}

  aws::AwsOutcome<aws::Credentials> get() override {
    Result<BrokeredSession> session = broker_.acquire(request_);
    if (!session.ok()) {
      aws::AwsError error;
      error.kind = aws::ErrorKind::access_denied;
      error.code = session.error().code;
      error.message = session.error().message;
      error.operation = "CredentialBroker.acquire";
      return error;
    }
    std::lock_guard lock(mutex_);
    last_key_ = session->credentials.access_key_id;
    return session->credentials;
  }

  void invalidate() override {
    std::string key;
    {
      std::lock_guard lock(mutex_);
      key = last_key_;
    }
    broker_.invalidate(request_, key);
  }

 private:
  CredentialBroker& broker_;
  SessionRequest request_;
  std::mutex mutex_;
  std::string last_key_;
};

}  // namespace

nlohmann::json SessionInfo::to_json() const {
  return {{"account", account},
          {"role_arn", role_arn},
          {"session_name", session_name},
          {"source_identity", source_identity},
          {"assumed_role_arn", assumed_role_arn},
          {"assumed_role_id", assumed_role_id},
          {"access_key_id", access_key_id},
          {"expiration", expiration},
          {"assume_request_id", assume_request_id},
          {"scope", to_string(scope)},
          {"reused", reused}};
}

CredentialBroker::CredentialBroker(Assumer assumer, RoleLookup lookup, BrokerOptions options,
                                   std::shared_ptr<aws::Clock> clock)
    : assumer_(std::move(assumer)), lookup_(std::move(lookup)), options_(std::move(options)),
      clock_(clock ? std::move(clock) : aws::system_clock()) {}

std::string CredentialBroker::cache_key(const SessionRequest& request, const std::string& role_arn) const {
  std::string key = request.account + '\n' + role_arn;
  if (options_.scope == SessionScope::finding) key += '\n' + request.correlation_id;
  return key;
}

aws::AssumeRoleRequest CredentialBroker::make_request(const SessionRequest& request,
                                                      const AccountAccess& access) const {
  aws::AssumeRoleRequest r;
  r.role_arn = access.role_arn;
  r.external_id = access.external_id.value_or("");
  r.duration_seconds = access.session_duration_s;
  if (options_.scope == SessionScope::finding) {
    r.role_session_name = session_name(options_.session_prefix, request.correlation_id);
    r.source_identity = r.role_session_name;
    r.tags = finding_tags(request.finding_id, request.correlation_id);
  } else {
    r.role_session_name = session_name(options_.session_prefix, "acct-" + request.account);
    r.source_identity = session_name(options_.session_prefix, "broker");
    r.tags = {{"fixgate:session-scope", "account"}};
  }
  return r;
}

bool CredentialBroker::fresh(const BrokeredSession& session) const {
  if (!session.credentials.expiration) return true;
  return clock_->now() + options_.refresh_skew < *session.credentials.expiration;
}

void CredentialBroker::evict_locked() {
  if (cache_.size() <= options_.max_cached_sessions) return;
  for (auto it = cache_.begin(); it != cache_.end();) {
    const bool idle = it->second.flight == nullptr;
    it = idle && (!it->second.session || !fresh(*it->second.session)) ? cache_.erase(it) : std::next(it);
  }
  while (cache_.size() > options_.max_cached_sessions) {
    auto oldest = cache_.end();
    for (auto it = cache_.begin(); it != cache_.end(); ++it) {
      if (it->second.flight != nullptr || !it->second.session) continue;
      if (oldest == cache_.end() ||
          it->second.session->credentials.expiration < oldest->second.session->credentials.expiration) {
        oldest = it;
      }
    }
    if (oldest == cache_.end()) return;  // everything left is in flight
    cache_.erase(oldest);
  }
}

Result<BrokeredSession> CredentialBroker::acquire(const SessionRequest& request) {
  Result<AccountAccess> access = lookup_(request.account);
  if (!access.ok()) return access.error();
  const std::string key = cache_key(request, access->role_arn);

  std::unique_lock lock(mutex_);
  std::shared_ptr<Flight> flight;
  for (bool waited = false;;) {
    Entry& entry = cache_[key];
    if (entry.session && fresh(*entry.session)) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      BrokeredSession out = *entry.session;
      out.info.reused = true;
      return out;
    }
    if (entry.flight == nullptr) {
      flight = entry.flight = std::make_shared<Flight>();
      break;
    }
    std::shared_ptr<Flight> other = entry.flight;
    if (!waited) waits_.fetch_add(1, std::memory_order_relaxed);
    waited = true;
    landed_.wait(lock, [&] { return other->done; });
    if (other->error) return *other->error;
    if (other->session) {
      BrokeredSession out = *other->session;
      out.info.reused = true;
      return out;
    }
  }
  lock.unlock();

  // This caller assumes the role; everyone else asking for `key` waits above.
  const aws::AssumeRoleRequest sts_request = make_request(request, *access);
  assume_calls_.fetch_add(1, std::memory_order_relaxed);
  aws::AwsOutcome<aws::AssumedRole> assumed = assumer_(sts_request);

  lock.lock();
  Entry& entry = cache_[key];
  entry.flight = nullptr;
  flight->done = true;
  Result<BrokeredSession> out = make_error("", "");
  if (assumed.ok()) {
    BrokeredSession session;
    session.credentials = assumed->credentials;
    SessionInfo& info = session.info;
    info.account = request.account;
    info.role_arn = sts_request.role_arn;
    info.session_name = sts_request.role_session_name;
    info.source_identity = assumed->source_identity.empty() ? sts_request.source_identity : assumed->source_identity;
    info.assumed_role_arn = assumed->assumed_role_arn;
    info.assumed_role_id = assumed->assumed_role_id;
    info.access_key_id = assumed->credentials.access_key_id;
    if (assumed->credentials.expiration) info.expiration = aws::format_iso8601(*assumed->credentials.expiration);
    info.assume_request_id = assumed->request_id;
    info.scope = options_.scope;
    entry.session = session;
    flight->session = session;
    out = std::move(session);
    evict_locked();
  } else {
    failures_.fetch_add(1, std::memory_order_relaxed);
    entry.session.reset();
    const Error error = refusal(assumed.error(), sts_request);
    flight->error = error;
    cache_.erase(key);
    out = error;
  }
  lock.unlock();
  landed_.notify_all();
  return out;
}

void CredentialBroker::invalidate(const SessionRequest& request, const std::string& access_key_id) {
  Result<AccountAccess> access = lookup_(request.account);
  if (!access.ok()) return;
  std::lock_guard lock(mutex_);
  auto it = cache_.find(cache_key(request, access->role_arn));
  if (it == cache_.end() || !it->second.session) return;
  if (it->second.session->credentials.access_key_id == access_key_id) it->second.session.reset();
}

std::shared_ptr<aws::CredentialsProvider> CredentialBroker::provider_for(const SessionRequest& request) {
  return std::make_shared<BrokerProvider>(*this, request);
}

BrokerStats CredentialBroker::stats() const {
  BrokerStats s;
  s.hits = hits_.load();
  s.assume_calls = assume_calls_.load();
  s.waits = waits_.load();
  s.failures = failures_.load();
  std::lock_guard lock(mutex_);
  s.cached = static_cast<size_t>(std::count_if(cache_.begin(), cache_.end(),
                                               [](const auto& kv) { return kv.second.session.has_value(); }));
  return s;
}

CredentialBroker::Assumer sts_assumer(std::shared_ptr<aws::AwsClient> sts) {
  return [sts = std::move(sts)](const aws::AssumeRoleRequest& request) { return aws::assume_role(*sts, request); };
}

CredentialBroker::RoleLookup config_role_lookup(const Config& config) {
  return [&config](const std::string& account) { return config.access_for(account); };
}

}  // namespace fixgate::broker
