// The standard credential chain, region and endpoint resolution, read through an
// in-memory Environment; STS, the ECS endpoint and IMDS are loopback servers.
#include <gtest/gtest.h>

#include <sstream>

#include "aws/config.h"
#include "aws/credential_chain.h"
#include "loopback_server.h"

using namespace fixgate::aws;
using fixgate::aws::testing_support::LoopbackServer;
using fixgate::aws::testing_support::Recorded;

namespace {

std::chrono::system_clock::time_point at(const char* amz) { return parse_amz_date(amz).value(); }

struct ChainSetup {
  std::shared_ptr<MapEnvironment> env = std::make_shared<MapEnvironment>();
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(at("20260314T092653Z"));
  std::shared_ptr<HttpTransport> transport = make_curl_transport();
  ChainSetup() {
    env->variables["HOME"] = "/home/fixgate";
    env->variables["AWS_EC2_METADATA_DISABLED"] = "true";
  }
  ChainOptions options() const {
    ChainOptions o;
    o.env = env;
    o.clock = clock;
    o.transport = transport;
    o.metadata_transport = transport;
    return o;
  }
};

const char* kAssumeRoleOk =
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult><AssumedRoleUser>"
    "<Arn>arn:aws:sts::123456789012:assumed-role/target/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>"
    "<Credentials><AccessKeyId>ASIAASSUMED</AccessKeyId><SecretAccessKey>assumed-secret</SecretAccessKey>"
    "<SessionToken>assumed-token</SessionToken><Expiration>2026-03-14T10:26:53Z</Expiration></Credentials>"
    "</AssumeRoleResult><ResponseMetadata><RequestId>ar-1</RequestId></ResponseMetadata></AssumeRoleResponse>";

TEST(EnvironmentProvider, ReadsKeysAndTokenAndComesFirst) {
  ChainSetup s;
  s.env->variables["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  s.env->variables["AWS_SECRET_ACCESS_KEY"] = "env-secret";
  s.env->variables["AWS_SESSION_TOKEN"] = "env-token";
  s.env->files["/home/fixgate/.aws/credentials"] = "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = f\n";
  auto chain = make_default_chain(s.options());
  auto c = chain->get();
  ASSERT_TRUE(c.ok()) << c.error().to_error().to_string();
  EXPECT_EQ(c->access_key_id, "AKIAENV");
  EXPECT_EQ(c->session_token, "env-token");
  EXPECT_EQ(c->source, "environment");
}

TEST(EnvironmentProvider, HalfSetIsAnErrorNotASilentFallThrough) {
  ChainSetup s;
  s.env->variables["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  auto c = make_default_chain(s.options())->get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "IncompleteCredentials");
}

TEST(ProfileProvider, StaticKeysFromAwsProfileAndCredentialsFileWins) {
  ChainSetup s;
  s.env->variables["AWS_PROFILE"] = "dev";
  s.env->files["/home/fixgate/.aws/config"] =
      "# comment\n[profile dev]\nregion = eu-west-1\naws_access_key_id = AKIACONFIG\naws_secret_access_key = c\n";
  s.env->files["/home/fixgate/.aws/credentials"] =
      "[dev]\naws_access_key_id = AKIADEV ; inline comment\naws_secret_access_key = dev-secret\n";
  auto c = make_default_chain(s.options())->get();
  ASSERT_TRUE(c.ok()) << c.error().to_error().to_string();
  EXPECT_EQ(c->access_key_id, "AKIADEV");
  EXPECT_EQ(c->secret_access_key, "dev-secret");
  EXPECT_EQ(c->source, "profile:dev");
}

TEST(ProfileProvider, MissingNamedProfileIsAnError) {
  ChainSetup s;
  s.env->variables["AWS_PROFILE"] = "nope";
  auto c = make_default_chain(s.options())->get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "ProfileNotFound");
}

TEST(ProfileProvider, RoleArnWithSourceProfileAndExternalIdAssumesTheRole) {
  LoopbackServer sts([&](const Recorded&, httplib::Response& res) { res.set_content(kAssumeRoleOk, "text/xml"); });
  ChainSetup s;
  s.env->variables["AWS_PROFILE"] = "remediator";
  s.env->variables["AWS_ENDPOINT_URL_STS"] = sts.url();
  s.env->files["/home/fixgate/.aws/config"] =
      "[profile remediator]\nrole_arn = arn:aws:iam::123456789012:role/target\nsource_profile = base\n"
      "external_id = ext-42\nrole_session_name = fixgate-test\nduration_seconds = 900\nregion = eu-central-1\n"
      "[profile base]\nregion = us-west-2\n";
  s.env->files["/home/fixgate/.aws/credentials"] = "[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret\n";
  auto c = make_default_chain(s.options())->get();
  ASSERT_TRUE(c.ok()) << c.error().to_error().to_string();
  EXPECT_EQ(c->access_key_id, "ASIAASSUMED");
  EXPECT_EQ(c->session_token, "assumed-token");
  ASSERT_TRUE(c->expiration.has_value());
  EXPECT_EQ(format_iso8601(*c->expiration), "2026-03-14T10:26:53Z");

  const auto reqs = sts.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const KeyValues form = parse_query(reqs[0].request.body);
  const KeyValues expected = {{"Action", "AssumeRole"},
                              {"Version", "2011-06-15"},
                              {"RoleArn", "arn:aws:iam::123456789012:role/target"},
                              {"RoleSessionName", "fixgate-test"},
                              {"DurationSeconds", "900"},
                              {"ExternalId", "ext-42"}};
  EXPECT_EQ(form, expected);
  // Signed with the source profile's keys, for the profile's region.
  const auto auth = parse_authorization(*reqs[0].request.header("authorization")).value();
  EXPECT_EQ(auth.access_key_id, "AKIABASE");
  EXPECT_EQ(auth.region, "eu-central-1");
  SigningParams p = SigningParams::for_service("sts", "eu-central-1");
  p.secret_access_key = "base-secret";
  EXPECT_TRUE(verify_request(reqs[0].request, auth, p).ok());
}

TEST(ProfileProvider, DeniedAssumeRoleSurfacesTypedAndStopsTheChain) {
  LoopbackServer sts([&](const Recorded&, httplib::Response& res) {
    res.status = 403;
    res.set_content("<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized"
                    "</Message></Error><RequestId>deny-9</RequestId></ErrorResponse>",
                    "text/xml");
  });
  ChainSetup s;
  s.env->variables["AWS_ENDPOINT_URL"] = sts.url();
  s.env->files["/home/fixgate/.aws/config"] =
      "[default]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Environment\n";
  s.env->variables["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  s.env->variables["AWS_SECRET_ACCESS_KEY"] = "s";
  auto profile = make_profile_provider(s.options());
  auto c = profile->get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, ErrorKind::access_denied);
  EXPECT_EQ(c.error().request_id, "deny-9");
  EXPECT_EQ(sts.requests().size(), 1u);
}

TEST(ProfileProvider, SourceProfileCycleIsReported) {
  ChainSetup s;
  s.env->files["/home/fixgate/.aws/config"] =
      "[default]\nrole_arn = arn:a\nsource_profile = b\n[profile b]\nrole_arn = arn:b\nsource_profile = default\n";
  auto c = make_profile_provider(s.options())->get();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("cycle"), std::string::npos);
}

TEST(WebIdentity, TokenFileAndRoleFromEnvironmentUnsignedCall) {
  LoopbackServer sts([&](const Recorded&, httplib::Response& res) {
    res.set_content(
        "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAWEB"
        "</AccessKeyId><SecretAccessKey>web-secret</SecretAccessKey><SessionToken>web-token</SessionToken>"
        "<Expiration>2026-03-14T10:26:53.000Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult>"
        "</AssumeRoleWithWebIdentityResponse>",
        "text/xml");
  });
  ChainSetup s;
  s.env->variables["AWS_WEB_IDENTITY_TOKEN_FILE"] = "/var/run/secrets/token";
  s.env->variables["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/irsa";
  s.env->variables["AWS_ROLE_SESSION_NAME"] = "pod-1";
  s.env->variables["AWS_ENDPOINT_URL_STS"] = sts.url();
  s.env->files["/var/run/secrets/token"] = "eyJhbGciOiJSUzI1NiJ9.payload.sig\n";
  auto c = make_default_chain(s.options())->get();
  ASSERT_TRUE(c.ok()) << c.error().to_error().to_string();
  EXPECT_EQ(c->access_key_id, "ASIAWEB");
  EXPECT_EQ(c->source, "web-identity");
  const auto reqs = sts.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].request.header("authorization"), nullptr);
  const KeyValues form = parse_query(reqs[0].request.body);
  const KeyValues expected = {{"Action", "AssumeRoleWithWebIdentity"},
                              {"Version", "2011-06-15"},
                              {"RoleArn", "arn:aws:iam::123456789012:role/irsa"},
                              {"RoleSessionName", "pod-1"},
                              {"WebIdentityToken", "eyJhbGciOiJSUzI1NiJ9.payload.sig"}};
  EXPECT_EQ(form, expected);
}

TEST(ContainerProvider, FullUriWithAuthorizationTokenFile) {
  LoopbackServer ecs([&](const Recorded& r, httplib::Response& res) {
    const std::string* auth = r.request.header("authorization");
    if (auth == nullptr || *auth != "Bearer ecs-token") {
      res.status = 401;
      return;
    }
    res.set_content(R"({"AccessKeyId":"ASIAECS","SecretAccessKey":"ecs-secret","Token":"ecs-token",)"
                    R"("Expiration":"2026-03-14T15:00:00Z","RoleArn":"arn:aws:iam::1:role/task"})",
                    "application/json");
  });
  ChainSetup s;
  s.env->variables["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = ecs.url() + "/v2/credentials/abc";
  s.env->variables["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = "/var/run/ecs-token";
  s.env->variables["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "ignored-when-file-set";
  s.env->files["/var/run/ecs-token"] = "Bearer ecs-token\n";
  auto c = make_default_chain(s.options())->get();
  ASSERT_TRUE(c.ok()) << c.error().to_error().to_string();
  EXPECT_EQ(c->access_key_id, "ASIAECS");
  EXPECT_EQ(c->session_token, "ecs-token");
  EXPECT_EQ(format_iso8601(*c->expiration), "2026-03-14T15:00:00Z");
  EXPECT_EQ(ecs.requests().at(0).target, "/v2/credentials/abc");
}

TEST(ContainerProvider, PlainHttpToAForeignHostIsRefused) {
  ChainSetup s;
  s.env->variables["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://metadata.example.com/creds";
  auto c = make_container_provider(s.options())->get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "InvalidConfiguration");
}

TEST(ImdsProvider, TokenPutThenRoleThenCredentials) {
  LoopbackServer imds([&](const Recorded& r, httplib::Response& res) {
    if (r.method == "PUT" && r.target == "/latest/api/token") {
      const std::string* ttl = r.request.header("x-aws-ec2-metadata-token-ttl-seconds");
      if (ttl == nullptr || *ttl != "21600") {
        res.status = 400;
        return;
      }
      res.set_content("imds-session-token", "text/plain");
      return;
    }
    const std::string* token = r.request.header("x-aws-ec2-metadata-token");
    if (token == nullptr || *token != "imds-session-token") {
      res.status = 401;
      return;
    }
    if (r.target == "/latest/meta-data/iam/security-credentials/") {
      res.set_content("fixgate-instance-role", "text/plain");
    } else if (r.target == "/latest/meta-data/iam/security-credentials/fixgate-instance-role") {
      res.set_content(R"({"Code":"Success","LastUpdated":"2026-03-14T09:00:00Z","Type":"AWS-HMAC",)"
                      R"("AccessKeyId":"ASIAIMDS","SecretAccessKey":"imds-secret","Token":"imds-token",)"
                      R"("Expiration":"2026-03-14T15:26:53Z"})",
                      "text/plain");
    } else {
      res.status = 404;
    }
  });
  ChainSetup s;
  s.env->variables.erase("AWS_EC2_METADATA_DISABLED");
  s.env->variables["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.url() + "/";
  auto c = make_default_chain(s.options())->get();
  ASSERT_TRUE(c.ok()) << c.error().to_error().to_string();
  EXPECT_EQ(c->access_key_id, "ASIAIMDS");
  EXPECT_EQ(c->source, "imds:fixgate-instance-role");
  const auto reqs = imds.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].method, "PUT");
}

TEST(Chain, NothingConfiguredSaysSoAndNamesWhatWasTried) {
  ChainSetup s;
  auto c = make_default_chain(s.options())->get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "CredentialsNotFound");
  EXPECT_NE(c.error().message.find("AWS_ACCESS_KEY_ID"), std::string::npos);
  EXPECT_NE(c.error().message.find("AWS_EC2_METADATA_DISABLED"), std::string::npos);
}

class CountingProvider final : public CredentialsProvider {
 public:
  explicit CountingProvider(std::shared_ptr<ManualClock> clock) : clock_(std::move(clock)) {}
  AwsOutcome<Credentials> get() override {
    ++calls;
    if (fail) return credentials_not_found("down");
    Credentials c;
    c.access_key_id = "AKIA" + std::to_string(calls);
    c.secret_access_key = "s";
    c.expiration = clock_->now() + std::chrono::minutes(60);
    return c;
  }
  int calls = 0;
  bool fail = false;

 private:
  std::shared_ptr<ManualClock> clock_;
};

TEST(Refreshing, CachesThenRefreshesFiveMinutesBeforeExpiry) {
  auto clock = std::make_shared<ManualClock>(at("20260314T092653Z"));
  auto inner = std::make_shared<CountingProvider>(clock);
  RefreshingCredentialsProvider provider(inner, clock);
  EXPECT_EQ(provider.get()->access_key_id, "AKIA1");
  clock->advance(std::chrono::minutes(54));
  EXPECT_EQ(provider.get()->access_key_id, "AKIA1");
  EXPECT_EQ(inner->calls, 1);
  clock->advance(std::chrono::minutes(2));  // 56 min: inside the 5-minute window
  EXPECT_EQ(provider.get()->access_key_id, "AKIA2");
  // A failed refresh keeps still-valid credentials, and fails once they expire.
  inner->fail = true;
  clock->advance(std::chrono::minutes(56));
  EXPECT_EQ(provider.get()->access_key_id, "AKIA2");
  clock->advance(std::chrono::minutes(5));
  EXPECT_FALSE(provider.get().ok());
  inner->fail = false;
  provider.invalidate();
  const int before = inner->calls;
  auto fresh = provider.get();
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->access_key_id, "AKIA" + std::to_string(before + 1));
}

TEST(Credentials, PrintingRedactsSecrets) {
  Credentials c;
  c.access_key_id = "AKIAPRINT";
  c.secret_access_key = "super-secret-value";
  c.session_token = "session-token-value";
  c.source = "environment";
  std::ostringstream out;
  out << c;
  EXPECT_EQ(out.str().find("super-secret-value"), std::string::npos);
  EXPECT_EQ(out.str().find("session-token-value"), std::string::npos);
  EXPECT_NE(out.str().find("AKIAPRINT"), std::string::npos);
}

TEST(Region, EnvironmentThenProfile) {
  MapEnvironment env;
  SharedConfig config;
  ASSERT_TRUE(parse_shared_file("[default]\nregion = ap-south-1\n[profile x]\nregion = sa-east-1\n", true, "config", config).ok());
  EXPECT_EQ(resolve_region(env, config), "ap-south-1");
  env.variables["AWS_PROFILE"] = "x";
  EXPECT_EQ(resolve_region(env, config), "sa-east-1");
  env.variables["AWS_DEFAULT_REGION"] = "eu-north-1";
  EXPECT_EQ(resolve_region(env, config), "eu-north-1");
  env.variables["AWS_REGION"] = "us-west-1";
  EXPECT_EQ(resolve_region(env, config), "us-west-1");
}

TEST(EndpointUrl, PrecedenceAndServiceNames) {
  EXPECT_EQ(endpoint_env_suffix("S3 Control"), "S3_CONTROL");
  EXPECT_EQ(endpoint_env_suffix("Resource Groups Tagging API"), "RESOURCE_GROUPS_TAGGING_API");
  MapEnvironment env;
  SharedConfig config;
  ASSERT_TRUE(parse_shared_file("[default]\nendpoint_url = http://profile-global\nservices = local\n"
                                "[services local]\ns3 =\n  endpoint_url = http://services-s3\n"
                                "resource_groups_tagging_api =\n  endpoint_url = http://services-tagging\n",
                                true, "config", config)
                  .ok());
  EXPECT_EQ(resolve_endpoint_url(env, config, services::s3()), "http://services-s3");
  EXPECT_EQ(resolve_endpoint_url(env, config, services::tagging()), "http://services-tagging");
  EXPECT_EQ(resolve_endpoint_url(env, config, services::sts()), "http://profile-global");
  env.variables["AWS_ENDPOINT_URL"] = "http://env-global";
  EXPECT_EQ(resolve_endpoint_url(env, config, services::s3()), "http://env-global");
  env.variables["AWS_ENDPOINT_URL_S3"] = "http://env-s3";
  EXPECT_EQ(resolve_endpoint_url(env, config, services::s3()), "http://env-s3");
  EXPECT_EQ(resolve_endpoint_url(env, config, services::kms()), "http://env-global");
  env.variables["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
  EXPECT_EQ(resolve_endpoint_url(env, config, services::s3()), "");
}

TEST(SharedFiles, MalformedLinesNameFileAndLine) {
  SharedConfig config;
  auto bad = parse_shared_file("[default]\nregion us-east-1\n", true, "/etc/aws/config", config);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "aws.config.malformed");
  EXPECT_NE(bad.error().message.find("/etc/aws/config:2"), std::string::npos);
  EXPECT_FALSE(parse_shared_file("[default\n", true, "c", config).ok());
  EXPECT_FALSE(parse_shared_file("key = v\n", true, "c", config).ok());
}

}  // namespace
