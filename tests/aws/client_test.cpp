// AwsClient against a scripted loopback server through the real libcurl transport:
// retries with backoff and quota, errors surfaced typed and not retried, clock-skew
// correction, expired-token refresh, timeouts, keep-alive, and signatures verified
// server-side with the same SigV4 code cloudsim uses.
#include <gtest/gtest.h>

#include <atomic>

#include "aws/client.h"
#include "aws/operations.h"
#include "aws/sts.h"
#include "loopback_server.h"

using namespace fixgate::aws;
using fixgate::aws::testing_support::LoopbackServer;
using fixgate::aws::testing_support::Recorded;

namespace {

const char* kSecret = "loopback/secret+key";

std::chrono::system_clock::time_point at(const char* amz) { return parse_amz_date(amz).value(); }

Credentials test_credentials(std::string token = "tok") {
  Credentials c;
  c.access_key_id = "AKIALOOPBACK";
  c.secret_access_key = kSecret;
  c.session_token = std::move(token);
  return c;
}

const char* kCallerIdentity =
    "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>"
    "<Arn>arn:aws:iam::123456789012:user/fixgate</Arn><UserId>AIDA1</UserId><Account>123456789012</Account>"
    "</GetCallerIdentityResult><ResponseMetadata><RequestId>ok-1</RequestId></ResponseMetadata>"
    "</GetCallerIdentityResponse>";

std::string query_error(const char* code, const char* message) {
  return std::string("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>") +
         code + "</Code><Message>" + message + "</Message></Error><RequestId>err-req-7</RequestId></ErrorResponse>";
}

struct Fixture {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(at("20260314T092653Z"));
  std::shared_ptr<HttpTransport> transport;
  ClientConfig config;

  explicit Fixture(const LoopbackServer& server, CurlOptions curl = {}) {
    transport = make_curl_transport(curl);
    config.region = "us-east-1";
    config.credentials = std::make_shared<StaticCredentialsProvider>(test_credentials());
    config.transport = transport;
    config.clock = clock;
    config.random = [] { return 0.5; };
    config.endpoint_url = server.url();
  }
};

Operation caller_identity() {
  Operation op;
  op.service = services::sts();
  op.name = "GetCallerIdentity";
  return op;
}

TEST(ClientRetries, ThrottlingIsRetriedWithExponentialBackoffThenSucceeds) {
  std::atomic<int> n{0};
  LoopbackServer server([&](const Recorded&, httplib::Response& res) {
    if (n++ < 2) {
      res.status = 400;
      res.set_content(query_error("Throttling", "Rate exceeded"), "text/xml");
      return;
    }
    res.set_content(kCallerIdentity, "text/xml");
  });
  Fixture f(server);
  AwsClient client(f.config);
  auto identity = get_caller_identity(client);
  ASSERT_TRUE(identity.ok()) << identity.error().to_error().to_string();
  EXPECT_EQ(identity->account, "123456789012");
  EXPECT_EQ(server.requests().size(), 3u);
  // full jitter with random=0.5: 0.5 × 100 ms × 2^0, then × 2^1
  ASSERT_EQ(f.clock->sleeps.size(), 2u);
  EXPECT_EQ(f.clock->sleeps[0], std::chrono::milliseconds(50));
  EXPECT_EQ(f.clock->sleeps[1], std::chrono::milliseconds(100));
  // two retries took 5 tokens each; the success refunded the last retry's 5.
  EXPECT_EQ(client.quota().available(), 495);
}

TEST(ClientRetries, GivesUpAfterMaxAttemptsWithTheTypedError) {
  LoopbackServer server([&](const Recorded&, httplib::Response& res) {
    res.status = 400;
    res.set_header("x-amzn-RequestId", "throttled-req");
    res.set_content(query_error("Throttling", "Rate exceeded"), "text/xml");
  });
  Fixture f(server);
  AwsClient client(f.config);
  auto out = client.call(caller_identity());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().kind, ErrorKind::throttling);
  EXPECT_EQ(out.error().operation, "STS.GetCallerIdentity");
  EXPECT_EQ(out.error().request_id, "throttled-req");
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(f.clock->sleeps.size(), 2u);
  EXPECT_EQ(client.quota().available(), 490);
}

TEST(ClientRetries, ServerErrorsAreRetriedButQuotaLimitsThem) {
  LoopbackServer server([&](const Recorded&, httplib::Response& res) {
    res.status = 503;
    res.set_content("<Error><Code>ServiceUnavailable</Code><Message>busy</Message></Error>", "application/xml");
  });
  Fixture f(server);
  f.config.quota = std::make_shared<RetryQuota>(7);  // room for one retry only
  AwsClient client(f.config);
  auto out = client.call(ops::s3_get_public_access_block("bucket-a"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().kind, ErrorKind::transient);
  EXPECT_EQ(out.error().http_status, 503);
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(client.quota().available(), 2);
}

TEST(ClientRetries, AccessDeniedIsNotRetried) {
  LoopbackServer server([&](const Recorded&, httplib::Response& res) {
    res.status = 403;
    res.set_header("x-amzn-RequestId", "denied-req-1");
    res.set_content(
        "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized</Message>"
        "</Error></Errors><RequestID>denied-req-1</RequestID></Response>",
        "text/xml");
  });
  Fixture f(server);
  AwsClient client(f.config);
  auto out = client.call(ops::ec2_enable_ebs_encryption_by_default());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().kind, ErrorKind::access_denied);
  EXPECT_EQ(out.error().code, "UnauthorizedOperation");
  EXPECT_EQ(out.error().request_id, "denied-req-1");
  EXPECT_EQ(out.error().http_status, 403);
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_TRUE(f.clock->sleeps.empty());
  EXPECT_EQ(out.error().to_error().code, "aws.access_denied");
}

TEST(AssumeRole, FailureIsTypedWithRequestIdAndNotRetried) {
  LoopbackServer server([&](const Recorded&, httplib::Response& res) {
    res.status = 403;
    res.set_content(query_error("AccessDenied",
                                "User: arn:aws:iam::111:user/x is not authorized to perform: sts:AssumeRole"),
                    "text/xml");
  });
  Fixture f(server);
  AwsClient client(f.config);
  AssumeRoleRequest r;
  r.role_arn = "arn:aws:iam::123456789012:role/fixgate-remediator";
  r.role_session_name = "fixgate-c0ffee";
  r.external_id = "wrong";
  auto out = assume_role(client, r);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().kind, ErrorKind::access_denied);
  EXPECT_EQ(out.error().request_id, "err-req-7");
  EXPECT_EQ(out.error().operation, "STS.AssumeRole");
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(AssumeRole, SuccessReturnsExpiringCredentialsAndSendsEveryParameter) {
  LoopbackServer server([&](const Recorded&, httplib::Response& res) {
    res.set_content(
        "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
        "<SourceIdentity>fixgate-c0ffee</SourceIdentity><AssumedRoleUser>"
        "<Arn>arn:aws:sts::123456789012:assumed-role/fixgate-remediator/fixgate-c0ffee</Arn>"
        "<AssumedRoleId>AROA3XFRBF535PLBIFPI4:fixgate-c0ffee</AssumedRoleId></AssumedRoleUser>"
        "<Credentials><AccessKeyId>ASIAJEXAMPLEXEG2JICEA</AccessKeyId><SecretAccessKey>9drTJvcXLB89EXAMPLELB8923FB892xMFI"
        "</SecretAccessKey><SessionToken>AQoXdzELDDY//////////wEaoAK1wvxJY12r2IrDFT2IvAzTCn3zHoZ7YNtpiQLF0MqZye/qwjzP2iEXAMPLE"
        "</SessionToken><Expiration>2026-03-14T09:41:53Z</Expiration></Credentials><PackedPolicySize>6</PackedPolicySize>"
        "</AssumeRoleResult><ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>"
        "</ResponseMetadata></AssumeRoleResponse>",
        "text/xml");
  });
  Fixture f(server);
  AwsClient client(f.config);
  AssumeRoleRequest r;
  r.role_arn = "arn:aws:iam::123456789012:role/fixgate-remediator";
  r.role_session_name = "fixgate-c0ffee";
  r.external_id = "ext-7f3a";
  r.duration_seconds = 900;
  r.source_identity = "fixgate-c0ffee";
  r.tags = {{"finding", "wiz-1"}, {"team", "security"}};
  r.transitive_tag_keys = {"finding"};
  auto out = assume_role(client, r);
  ASSERT_TRUE(out.ok()) << out.error().to_error().to_string();
  EXPECT_EQ(out->credentials.access_key_id, "ASIAJEXAMPLEXEG2JICEA");
  ASSERT_TRUE(out->credentials.expiration.has_value());
  EXPECT_EQ(format_iso8601(*out->credentials.expiration), "2026-03-14T09:41:53Z");
  EXPECT_EQ(out->assumed_role_arn, "arn:aws:sts::123456789012:assumed-role/fixgate-remediator/fixgate-c0ffee");
  EXPECT_EQ(out->packed_policy_size, 6);
  EXPECT_EQ(out->request_id, "c6104cbe-af31-11e0-8154-cbc7ccf896c7");
  const auto form = parse_query(server.requests().at(0).request.body);
  const KeyValues expected = {{"Action", "AssumeRole"},          {"Version", "2011-06-15"},
                              {"RoleArn", r.role_arn},           {"RoleSessionName", "fixgate-c0ffee"},
                              {"DurationSeconds", "900"},        {"Tags.member.1.Key", "finding"},
                              {"Tags.member.1.Value", "wiz-1"},  {"Tags.member.2.Key", "team"},
                              {"Tags.member.2.Value", "security"}, {"TransitiveTagKeys.member.1", "finding"},
                              {"ExternalId", "ext-7f3a"},        {"SourceIdentity", "fixgate-c0ffee"}};
  EXPECT_EQ(form, expected);
}

TEST(AssumeRole, BadInputIsRejectedLocally) {
  LoopbackServer server([&](const Recorded&, httplib::Response& res) { res.status = 500; });
  Fixture f(server);
  AwsClient client(f.config);
  AssumeRoleRequest r;
  r.role_arn = "arn:aws:iam::1:role/x";
  r.role_session_name = "has space";
  EXPECT_EQ(assume_role(client, r).error().kind, ErrorKind::validation);
  r.role_session_name = "ok-name";
  r.duration_seconds = 60;
  EXPECT_NE(assume_role(client, r).error().message.find("duration_seconds"), std::string::npos);
  EXPECT_TRUE(server.requests().empty());
}

TEST(ClockSkew, OffsetLearntFromDateHeaderAndRequestRetried) {
  const auto server_now = at("20260314T092653Z");
  LoopbackServer server([&](const Recorded& r, httplib::Response& res) {
    res.set_header("Date", "Sat, 14 Mar 2026 09:26:53 GMT");
    const std::string* date = r.request.header("x-amz-date");
    const auto sent = parse_amz_date(date ? *date : "").value_or({});
    const auto skew = sent > server_now ? sent - server_now : server_now - sent;
    if (skew > std::chrono::minutes(5)) {
      res.status = 403;
      res.set_content("<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and "
                      "the current time is too large.</Message><RequestId>skew-1</RequestId></Error>",
                      "application/xml");
      return;
    }
    res.set_content("", "application/xml");
  });
  Fixture f(server);
  f.clock->advance(std::chrono::hours(1) + std::chrono::minutes(3));  // our clock runs 63 minutes fast
  AwsClient client(f.config);
  auto out = client.call(ops::s3_put_public_access_block("bucket-a", {}));
  ASSERT_TRUE(out.ok()) << out.error().to_error().to_string();
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(*reqs[1].request.header("x-amz-date"), "20260314T092653Z");
  EXPECT_EQ(client.clock_offset(), -std::chrono::seconds(63 * 60));
  EXPECT_TRUE(f.clock->sleeps.empty());
  // Later calls sign with the corrected clock straight away.
  ASSERT_TRUE(client.call(ops::s3_get_bucket_acl("bucket-a")).ok());
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(ClockSkew, SignatureErrorWithFarServerDateCountsAsSkew) {
  std::atomic<int> n{0};
  LoopbackServer server([&](const Recorded&, httplib::Response& res) {
    res.set_header("Date", "Sat, 14 Mar 2026 09:26:53 GMT");
    if (n++ == 0) {
      res.status = 401;
      res.set_content("<Response><Errors><Error><Code>AuthFailure</Code><Message>AWS was not able to validate the "
                      "provided access credentials</Message></Error></Errors><RequestID>a</RequestID></Response>",
                      "text/xml");
      return;
    }
    res.set_content("<EnableEbsEncryptionByDefaultResponse><ebsEncryptionByDefault>true</ebsEncryptionByDefault>"
                    "</EnableEbsEncryptionByDefaultResponse>",
                    "text/xml");
  });
  Fixture f(server);
  f.clock->advance(-std::chrono::hours(2));
  AwsClient client(f.config);
  auto out = client.call(ops::ec2_enable_ebs_encryption_by_default());
  ASSERT_TRUE(out.ok()) << out.error().to_error().to_string();
  EXPECT_EQ(out->attempts, 2);
  EXPECT_EQ(client.clock_offset(), std::chrono::seconds(7200));
}

class RotatingProvider final : public CredentialsProvider {
 public:
  AwsOutcome<Credentials> get() override { return test_credentials(generation_ == 0 ? "old-token" : "new-token"); }
  void invalidate() override { ++generation_; ++invalidations; }
  int invalidations = 0;

 private:
  int generation_ = 0;
};

TEST(ExpiredToken, CredentialsRefreshedOnceAndRetried) {
  LoopbackServer server([&](const Recorded& r, httplib::Response& res) {
    if (*r.request.header("x-amz-security-token") == "old-token") {
      res.status = 400;
      res.set_content(query_error("ExpiredToken", "The security token included in the request is expired"),
                      "text/xml");
      return;
    }
    res.set_content(kCallerIdentity, "text/xml");
  });
  Fixture f(server);
  auto provider = std::make_shared<RotatingProvider>();
  f.config.credentials = provider;
  AwsClient client(f.config);
  auto out = get_caller_identity(client);
  ASSERT_TRUE(out.ok()) << out.error().to_error().to_string();
  EXPECT_EQ(provider->invalidations, 1);
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(*server.requests()[1].request.header("x-amz-security-token"), "new-token");
}

TEST(ExpiredToken, StillExpiredAfterRefreshIsSurfaced) {
  LoopbackServer server([&](const Recorded&, httplib::Response& res) {
    res.status = 400;
    res.set_content(query_error("ExpiredToken", "expired"), "text/xml");
  });
  Fixture f(server);
  auto provider = std::make_shared<RotatingProvider>();
  f.config.credentials = provider;
  AwsClient client(f.config);
  auto out = get_caller_identity(client);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().kind, ErrorKind::expired_token);
  EXPECT_EQ(provider->invalidations, 1);
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(Transport, TimeoutIsRetriedAtTheHigherQuotaCost) {
  LoopbackServer server([&](const Recorded&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    res.set_content(kCallerIdentity, "text/xml");
  });
  CurlOptions curl;
  curl.request_timeout = std::chrono::milliseconds(100);
  Fixture f(server, curl);
  f.config.retry.max_attempts = 2;
  AwsClient client(f.config);
  auto out = client.call(caller_identity());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, "TimeoutError");
  EXPECT_TRUE(out.error().timeout);
  EXPECT_EQ(out.error().http_status, 0);
  EXPECT_EQ(client.quota().available(), 490);
}

TEST(Transport, ConnectionRefusedIsANetworkError) {
  int port = 0;
  {
    LoopbackServer gone([](const Recorded&, httplib::Response&) {});
    port = gone.port();
  }
  LoopbackServer unused([](const Recorded&, httplib::Response&) {});
  Fixture f(unused);
  f.config.endpoint_url = "http://127.0.0.1:" + std::to_string(port);
  f.config.retry.max_attempts = 2;
  AwsClient client(f.config);
  auto out = client.call(caller_identity());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, "NetworkError");
  EXPECT_EQ(out.error().kind, ErrorKind::transient);
  EXPECT_EQ(f.clock->sleeps.size(), 1u);
}

TEST(Transport, ConnectionIsKeptAliveBetweenCalls) {
  LoopbackServer server([&](const Recorded&, httplib::Response& res) { res.set_content(kCallerIdentity, "text/xml"); });
  Fixture f(server);
  AwsClient client(f.config);
  ASSERT_TRUE(client.call(caller_identity()).ok());
  ASSERT_TRUE(client.call(caller_identity()).ok());
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].remote_port, reqs[1].remote_port);
}

// The server checks every request with sigv4.h's verifier — what cloudsim does.
TEST(Signing, EveryProtocolVerifiesServerSide) {
  LoopbackServer server([&](const Recorded& r, httplib::Response& res) {
    const std::string* auth = r.request.header("authorization");
    auto parsed = parse_authorization(auth ? *auth : "");
    if (!parsed) {
      res.status = 400;
      return;
    }
    SigningParams p = SigningParams::for_service(parsed->service, parsed->region);
    p.secret_access_key = kSecret;
    res.status = verify_request(r.request, *parsed, p).ok() ? 200 : 403;
  });
  Fixture f(server);
  AwsClient client(f.config);
  const std::vector<Operation> operations = {
      caller_identity(),
      ops::iam_update_access_key("alice", "AKIA1", "Inactive"),
      ops::ec2_describe_security_groups({"sg-1"}, {{"vpc-id", {"vpc-1"}}}),
      ops::s3_put_bucket_encryption("bucket-a", "AES256"),
      ops::s3_put_bucket_acl("bucket-a", "private"),
      ops::sqs_delete_message("https://sqs.us-east-1.amazonaws.com/1/q", "h+/="),
      ops::kms_enable_key_rotation("key-1"),
  };
  for (const auto& op : operations) {
    auto out = client.call(op);
    EXPECT_TRUE(out.ok()) << op.name << ": " << (out.ok() ? "" : out.error().to_error().to_string());
  }
  EXPECT_EQ(server.requests().size(), operations.size());
}

TEST(Backoff, FullJitterCappedAtTwentySeconds) {
  RetryConfig c;
  EXPECT_EQ(backoff_delay(c, 0, 1.0), std::chrono::milliseconds(100));
  EXPECT_EQ(backoff_delay(c, 3, 1.0), std::chrono::milliseconds(800));
  EXPECT_EQ(backoff_delay(c, 20, 1.0), std::chrono::milliseconds(20000));
  EXPECT_EQ(backoff_delay(c, 5, 0.0), std::chrono::milliseconds(0));
}

TEST(Endpoints, DefaultsAndOverrides) {
  EXPECT_EQ(default_endpoint_url(services::sts(), "eu-west-1"), "https://sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(default_endpoint_url(services::iam(), "eu-west-1"), "https://iam.amazonaws.com");
  EXPECT_EQ(default_endpoint_url(services::ec2(), "cn-north-1"), "https://ec2.cn-north-1.amazonaws.com.cn");
  auto s3 = resolve_endpoint(ops::s3_get_bucket_acl("my-bucket"), "us-west-2", "");
  ASSERT_TRUE(s3.ok());
  EXPECT_EQ(s3->host, "my-bucket.s3.us-west-2.amazonaws.com");
  EXPECT_EQ(s3->path, "/");
  auto dotted = resolve_endpoint(ops::s3_get_bucket_acl("my.bucket"), "us-west-2", "");
  EXPECT_EQ(dotted->host, "s3.us-west-2.amazonaws.com");
  EXPECT_EQ(dotted->path, "/my.bucket/");
  auto control = resolve_endpoint(ops::s3control_put_public_access_block("123456789012", {}), "eu-west-1", "");
  EXPECT_EQ(control->host, "123456789012.s3-control.eu-west-1.amazonaws.com");
  auto iam = resolve_endpoint(ops::iam_list_access_keys("a"), "eu-west-1", "");
  EXPECT_EQ(iam->signing_region, "us-east-1");
  auto custom = resolve_endpoint(ops::s3_get_bucket_acl("bkt"), "us-east-1", "http://localhost:4566/base/");
  EXPECT_EQ(custom->host, "bkt.localhost:4566");
  EXPECT_EQ(custom->path, "/base/");
  EXPECT_EQ(resolve_endpoint(caller_identity(), "us-east-1", "ftp://x").error().code, "aws.endpoint.invalid");
  EXPECT_EQ(resolve_endpoint(caller_identity(), "evil.example/x?", "").error().code, "aws.endpoint.invalid");
  EXPECT_EQ(resolve_endpoint(caller_identity(), "", "").error().code, "aws.endpoint.invalid");
  EXPECT_FALSE(resolve_endpoint(ops::s3control_put_public_access_block("1@evil", {}), "us-east-1", "").ok());
}

// Regression: the S3 Control account prefix used to be glued onto the connection
// address too, so an IP endpoint became "111111111111.127.0.0.1" and every call
// failed to connect. An IP literal now takes no prefix; a host name still does,
// exactly as the AWS SDK for JavaScript sends it (tests/peers/aws-sdk-wire).
TEST(Endpoints, HostPrefixIsNotAppliedToAnIpLiteral) {
  const Operation control = ops::s3control_put_public_access_block("111111111111", {});
  auto ip = resolve_endpoint(control, "us-east-1", "http://127.0.0.1:4566");
  ASSERT_TRUE(ip.ok());
  EXPECT_EQ(ip->connect_authority, "127.0.0.1:4566");
  EXPECT_EQ(ip->host, "127.0.0.1:4566");
  EXPECT_EQ(ip->path, "/v20180820/configuration/publicAccessBlock");
  auto v6 = resolve_endpoint(control, "us-east-1", "http://[::1]:4566");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->connect_authority, "[::1]:4566");
  auto named = resolve_endpoint(control, "us-east-1", "http://localhost:4566");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->host, "111111111111.localhost:4566");
  EXPECT_EQ(named->connect_authority, "111111111111.localhost:4566");
}

TEST(Endpoints, S3ControlCallReachesAnIpEndpointAndNamesTheAccountInAHeader) {
  LoopbackServer server([&](const Recorded&, httplib::Response& res) { res.status = 200; });
  Fixture f(server);
  AwsClient client(f.config);
  auto out = client.call(ops::s3control_put_public_access_block("111111111111", {true, true, true, true}));
  ASSERT_TRUE(out.ok()) << out.error().to_error().to_string();
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const std::string* account = reqs[0].request.header("x-amz-account-id");
  ASSERT_NE(account, nullptr);
  EXPECT_EQ(*account, "111111111111");
  const std::string* host = reqs[0].request.header("host");
  ASSERT_NE(host, nullptr);
  EXPECT_EQ(host->rfind("127.0.0.1:", 0), 0u) << *host;
}

}  // namespace
