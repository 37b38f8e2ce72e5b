// CredentialBroker over a scripted STS: cache keys per session scope, refresh
// before expiry, single-flight under concurrency, typed failures that are not
// cached, invalidation, the memory bound, and no secret in what is audited.
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <thread>

#include "broker/credential_broker.h"

namespace fixgate::broker {
namespace {

using namespace std::chrono_literals;

constexpr const char* kAccount = "111111111111";

// A scripted STS: numbered credentials expiring after the requested duration.
struct FakeSts {
  std::shared_ptr<aws::ManualClock> clock = std::make_shared<aws::ManualClock>(std::chrono::system_clock::time_point{} + 1000h);
  std::atomic<int> calls{0};
  std::chrono::milliseconds delay{0};
  bool deny = false;
  std::mutex mutex;
  std::vector<aws::AssumeRoleRequest> requests;

  CredentialBroker::Assumer assumer() {
    return [this](const aws::AssumeRoleRequest& r) -> aws::AwsOutcome<aws::AssumedRole> {
      const int n = ++calls;
      {
        std::lock_guard lock(mutex);
        requests.push_back(r);
      }
      if (delay.count() > 0) std::this_thread::sleep_for(delay);
      if (deny) {
        aws::AwsError e;
        e.kind = aws::ErrorKind::access_denied;
        e.code = "AccessDenied";
        e.message = "User: arn:aws:iam::999999999999:user/fixgate is not authorized to perform: sts:AssumeRole";
        e.request_id = "req-denied-" + std::to_string(n);
        e.http_status = 403;
        e.operation = "STS.AssumeRole";
        return e;
      }
      aws::AssumedRole out;
      out.credentials.access_key_id = "ASIAFAKE" + std::to_string(n);
      out.credentials.secret_access_key = "SECRET-" + std::to_string(n);
      out.credentials.session_token = "TOKEN-" + std::to_string(n);
      out.credentials.expiration = clock->now() + std::chrono::seconds(r.duration_seconds.value_or(3600));
      out.assumed_role_arn = "arn:aws:sts::111111111111:assumed-role/fixgate-remediation/" + r.role_session_name;
      out.assumed_role_id = "AROAFAKE:" + r.role_session_name;
      out.source_identity = r.source_identity;
      out.request_id = "req-ok-" + std::to_string(n);
      return out;
    };
  }
};

CredentialBroker::RoleLookup lookup() {
  return [](const std::string& account) -> Result<AccountAccess> {
    if (account == "222222222222") return make_error("config.account_not_configured", "account 222222222222 is not configured");
    return AccountAccess{account, "arn:aws:iam::" + account + ":role/fixgate-remediation", "ext-id", 900};
  };
}

BrokerOptions scope(SessionScope s) {
  BrokerOptions o;
  o.scope = s;
  return o;
}

TEST(Broker, FindingScopeSharesOneSessionPerCorrelationId) {
  FakeSts sts;
  CredentialBroker broker(sts.assumer(), lookup(), {}, sts.clock);
  const SessionRequest a{kAccount, "corr-a", "finding/a"};
  auto first = broker.acquire(a);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_FALSE(first->info.reused);
  auto again = broker.acquire(a);  // apply, verify, retries, rollback, redelivery
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->info.reused);
  EXPECT_EQ(again->credentials.access_key_id, first->credentials.access_key_id);
  auto other = broker.acquire({kAccount, "corr-b", "finding/b"});
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->credentials.access_key_id, first->credentials.access_key_id);
  EXPECT_EQ(sts.calls, 2);
  EXPECT_EQ(broker.stats().hits, 1u);

  const aws::AssumeRoleRequest& r = sts.requests[0];
  EXPECT_EQ(r.role_arn, "arn:aws:iam::111111111111:role/fixgate-remediation");
  EXPECT_EQ(r.external_id, "ext-id");
  EXPECT_EQ(r.duration_seconds, 900);
  EXPECT_EQ(r.role_session_name, "fixgate-corr-a");
  EXPECT_EQ(r.source_identity, "fixgate-corr-a");
  ASSERT_EQ(r.tags.size(), 2u);
  EXPECT_EQ(r.tags[0], (std::pair<std::string, std::string>{"fixgate:finding-id", "finding/a"}));
  EXPECT_EQ(r.tags[1], (std::pair<std::string, std::string>{"fixgate:correlation-id", "corr-a"}));

  const SessionInfo& info = first->info;
  EXPECT_EQ(info.session_name, "fixgate-corr-a");
  EXPECT_EQ(info.access_key_id, "ASIAFAKE1");
  EXPECT_EQ(info.assumed_role_id, "AROAFAKE:fixgate-corr-a");
  EXPECT_EQ(info.assume_request_id, "req-ok-1");
  EXPECT_EQ(info.scope, SessionScope::finding);
}

TEST(Broker, AccountScopeSharesOneSessionAcrossFindings) {
  FakeSts sts;
  CredentialBroker broker(sts.assumer(), lookup(), scope(SessionScope::account), sts.clock);
  auto a = broker.acquire({kAccount, "corr-a", "finding/a"});
  auto b = broker.acquire({kAccount, "corr-b", "finding/b"});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(sts.calls, 1);
  EXPECT_EQ(a->info.access_key_id, b->info.access_key_id);
  EXPECT_EQ(a->info.session_name, "fixgate-acct-111111111111");
  EXPECT_EQ(sts.requests[0].source_identity, "fixgate-broker");
  EXPECT_EQ(sts.requests[0].tags, (std::vector<std::pair<std::string, std::string>>{{"fixgate:session-scope", "account"}}));
  EXPECT_EQ(b->info.scope, SessionScope::account);
  EXPECT_TRUE(broker.acquire({"333333333333", "corr-a", "f"}).ok());
  EXPECT_EQ(sts.calls, 2);  // another account, another role
}

TEST(Broker, RefreshesShortlyBeforeExpiry) {
  FakeSts sts;
  CredentialBroker broker(sts.assumer(), lookup(), {}, sts.clock);  // 900 s sessions, 300 s skew
  const SessionRequest req{kAccount, "corr", "f"};
  ASSERT_TRUE(broker.acquire(req).ok());
  sts.clock->advance(599s);
  EXPECT_EQ(broker.acquire(req)->credentials.access_key_id, "ASIAFAKE1");
  sts.clock->advance(2s);  // 601 s: within 300 s of expiry
  EXPECT_EQ(broker.acquire(req)->credentials.access_key_id, "ASIAFAKE2");
  EXPECT_EQ(sts.calls, 2);
}

TEST(Broker, ConcurrentCallersForOneKeyCauseOneAssumeRole) {
  FakeSts sts;
  sts.delay = 100ms;
  CredentialBroker broker(sts.assumer(), lookup(), {}, sts.clock);
  constexpr int kThreads = 8;
  std::barrier start(kThreads);
  std::vector<std::string> keys(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      auto s = broker.acquire({kAccount, "same-corr", "f"});
      keys[i] = s.ok() ? s->credentials.access_key_id : s.error().message;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(sts.calls, 1);
  for (const std::string& k : keys) EXPECT_EQ(k, "ASIAFAKE1");
  EXPECT_GE(broker.stats().waits + broker.stats().hits, static_cast<uint64_t>(kThreads - 1));
}

TEST(Broker, RefusalIsTypedCarriesTheRequestIdIsSharedWithWaitersAndIsNotCached) {
  FakeSts sts;
  sts.deny = true;
  sts.delay = 50ms;
  CredentialBroker broker(sts.assumer(), lookup(), {}, sts.clock);
  std::vector<std::thread> threads;
  std::atomic<int> denied{0};
  std::barrier start(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      auto s = broker.acquire({kAccount, "corr", "f"});
      if (!s.ok() && s.error().code == "sts.AccessDenied") ++denied;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(denied, 4);
  EXPECT_EQ(sts.calls, 1);

  auto again = broker.acquire({kAccount, "corr", "f"});  // failures are not cached
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(sts.calls, 2);
  EXPECT_EQ(again.error().code, "sts.AccessDenied");
  EXPECT_NE(again.error().message.find("req-denied-2"), std::string::npos) << again.error().message;
  EXPECT_NE(again.error().message.find("arn:aws:iam::111111111111:role/fixgate-remediation"), std::string::npos);
  EXPECT_NE(again.error().message.find("external id"), std::string::npos);
  EXPECT_EQ(broker.stats().failures, 2u);
}

TEST(Broker, LookupErrorsPassThroughWithoutCallingSts) {
  FakeSts sts;
  CredentialBroker broker(sts.assumer(), lookup(), {}, sts.clock);
  auto s = broker.acquire({"222222222222", "corr", "f"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "config.account_not_configured");
  EXPECT_EQ(sts.calls, 0);
}

TEST(Broker, InvalidateDropsOnlyTheNamedCredentials) {
  FakeSts sts;
  CredentialBroker broker(sts.assumer(), lookup(), {}, sts.clock);
  const SessionRequest req{kAccount, "corr", "f"};
  ASSERT_TRUE(broker.acquire(req).ok());
  broker.invalidate(req, "ASIA-SOMETHING-ELSE");
  EXPECT_EQ(broker.acquire(req)->credentials.access_key_id, "ASIAFAKE1");
  broker.invalidate(req, "ASIAFAKE1");
  EXPECT_EQ(broker.acquire(req)->credentials.access_key_id, "ASIAFAKE2");

  // The provider handed to the AWS client invalidates what it last served.
  auto provider = broker.provider_for(req);
  auto c = provider->get();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "ASIAFAKE2");
  provider->invalidate();
  EXPECT_EQ(provider->get()->access_key_id, "ASIAFAKE3");
}

TEST(Broker, ProviderSurfacesARefusalAsATypedAwsError) {
  FakeSts sts;
  sts.deny = true;
  CredentialBroker broker(sts.assumer(), lookup(), {}, sts.clock);
  auto c = broker.provider_for({kAccount, "corr", "f"})->get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, aws::ErrorKind::access_denied);
  EXPECT_EQ(c.error().code, "sts.AccessDenied");
}

TEST(Broker, CacheIsBoundedInMemory) {
  FakeSts sts;
  BrokerOptions options;
  options.max_cached_sessions = 3;
  CredentialBroker broker(sts.assumer(), lookup(), options, sts.clock);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(broker.acquire({kAccount, "corr-" + std::to_string(i), "f"}).ok());
  EXPECT_LE(broker.stats().cached, 3u);
  EXPECT_TRUE(broker.acquire({kAccount, "corr-9", "f"})->info.reused);  // the newest stays
}

TEST(Broker, SessionInfoNeverCarriesTheSecretOrToken) {
  FakeSts sts;
  CredentialBroker broker(sts.assumer(), lookup(), {}, sts.clock);
  auto s = broker.acquire({kAccount, "corr", "f"});
  ASSERT_TRUE(s.ok());
  const std::string text = s->info.to_json().dump();
  EXPECT_EQ(text.find("SECRET-1"), std::string::npos);
  EXPECT_EQ(text.find("TOKEN-1"), std::string::npos);
  EXPECT_NE(text.find("ASIAFAKE1"), std::string::npos);
  EXPECT_EQ(s->credentials.to_string().find("SECRET-1"), std::string::npos);
}

}  // namespace
}  // namespace fixgate::broker
