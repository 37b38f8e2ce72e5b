// STS trust-policy actions beyond sts:AssumeRole (SetSourceIdentity, TagSession,
// StringLike on the session name) and presigned (query-string) SigV4 requests,
// both as real AWS enforces them.
#include "sim_fixture.h"

namespace fixgate::cloudsim::testing {
namespace {

using nlohmann::json;

const char* kRole = "arn:aws:iam::111111111111:role/";

class TrustTest : public SimTest {
 protected:
  // Adds a role to 111111111111 trusting the platform account with `actions`.
  void add_role(const std::string& name, const json& actions, const json& condition = nullptr) {
    json statement = {{"Effect", "Allow"}, {"Principal", {{"AWS", "arn:aws:iam::999999999999:root"}}}, {"Action", actions}};
    if (!condition.is_null()) statement["Condition"] = condition;
    const std::string policy = json{{"Version", "2012-10-17"}, {"Statement", json::array({statement})}}.dump();
    sim_->with_world([&](World& w) {
      IamRole role;
      role.name = name;
      role.role_id = "AROA" + std::string(17, 'X');
      role.trust_policy = policy;
      w.find_account("111111111111")->roles.push_back(role);
    });
  }

  Resp assume(const std::string& role, std::vector<std::pair<std::string, std::string>> extra,
              const std::string& session = "fixgate-corr-1") {
    std::vector<std::pair<std::string, std::string>> params = {{"RoleArn", kRole + role}, {"RoleSessionName", session}};
    params.insert(params.end(), extra.begin(), extra.end());
    return client().query("sts", "AssumeRole", params);
  }
};

TEST_F(TrustTest, SourceIdentityNeedsSetSourceIdentityInTheTrustPolicy) {
  add_role("plain", "sts:AssumeRole");
  EXPECT_EQ(assume("plain", {}).status, 200);
  Resp r = assume("plain", {{"SourceIdentity", "fixgate-corr-1"}});
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(xml_text(r.body, "Code"), "AccessDenied");
  EXPECT_NE(xml_text(r.body, "Message").find("not authorized to perform: sts:SetSourceIdentity on resource: " +
                                             std::string(kRole) + "plain"),
            std::string::npos)
      << r.body;
}

TEST_F(TrustTest, SessionTagsNeedTagSessionInTheTrustPolicy) {
  add_role("sourceonly", json::array({"sts:AssumeRole", "sts:SetSourceIdentity"}));
  EXPECT_EQ(assume("sourceonly", {{"SourceIdentity", "fixgate-corr-1"}}).status, 200);
  Resp r = assume("sourceonly", {{"Tags.member.1.Key", "fixgate:finding-id"}, {"Tags.member.1.Value", "f-1"}});
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(xml_text(r.body, "Message").find("sts:TagSession"), std::string::npos) << r.body;
}

TEST_F(TrustTest, DemoRoleGrantsBothAndTheSessionKeepsItsTags) {
  Resp r = assume("fixgate-remediation", {{"ExternalId", "demo-external-id"},
                                          {"SourceIdentity", "fixgate-corr-1"},
                                          {"Tags.member.1.Key", "fixgate:finding-id"},
                                          {"Tags.member.1.Value", "wiz issue/42 = x@y"},
                                          {"Tags.member.2.Key", "fixgate:correlation-id"},
                                          {"Tags.member.2.Value", "corr-1"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json sessions = sim_->sessions_json();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0]["session_name"], "fixgate-corr-1");
  EXPECT_EQ(sessions[0]["source_identity"], "fixgate-corr-1");
  EXPECT_EQ(sessions[0]["tags"][0], (json{{"Key", "fixgate:finding-id"}, {"Value", "wiz issue/42 = x@y"}}));
  EXPECT_EQ(sessions[0]["access_key_id"], xml_text(r.body, "AccessKeyId"));
  EXPECT_EQ(sessions[0].dump().find(xml_text(r.body, "SecretAccessKey")), std::string::npos);
  EXPECT_EQ(sessions[0].dump().find(xml_text(r.body, "SessionToken")), std::string::npos);
}

TEST_F(TrustTest, TagRulesAreEnforced) {
  const std::vector<std::pair<std::string, std::string>> ext = {{"ExternalId", "demo-external-id"}};
  auto with = [&](std::string key, std::string value) {
    auto p = ext;
    p.emplace_back("Tags.member.1.Key", std::move(key));
    p.emplace_back("Tags.member.1.Value", std::move(value));
    return assume("fixgate-remediation", p);
  };
  EXPECT_EQ(with("ok", "a\nb").status, 400);
  EXPECT_EQ(with("bad;key", "v").status, 400);
  EXPECT_EQ(with("aws:reserved", "v").status, 400);
  EXPECT_EQ(with(std::string(129, 'k'), "v").status, 400);
  EXPECT_EQ(with("k", std::string(257, 'v')).status, 400);
  EXPECT_EQ(with(std::string(128, 'k'), std::string(256, 'v')).status, 200);
  Resp dup = assume("fixgate-remediation", {{"ExternalId", "demo-external-id"},
                                            {"Tags.member.1.Key", "K"}, {"Tags.member.1.Value", "1"},
                                            {"Tags.member.2.Key", "k"}, {"Tags.member.2.Value", "2"}});
  EXPECT_EQ(dup.status, 400) << dup.body;
}

// The trust policy `fixgate member-role` generates: session names must carry the prefix.
TEST_F(TrustTest, StringLikeOnTheSessionNameIsEvaluated) {
  add_role("member", json::array({"sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"}),
           {{"StringEquals", {{"sts:ExternalId", "ext-1"}}}, {"StringLike", {{"sts:RoleSessionName", "fixgate-*"}}}});
  EXPECT_EQ(assume("member", {{"ExternalId", "ext-1"}}, "fixgate-abc").status, 200);
  EXPECT_EQ(assume("member", {{"ExternalId", "ext-1"}}, "other-abc").status, 403);
  EXPECT_EQ(assume("member", {{"ExternalId", "wrong"}}, "fixgate-abc").status, 403);
}

class PresignTest : public SimTest {
 protected:
  aws::HttpRequest caller_identity_url(const Creds& creds, std::chrono::system_clock::time_point time,
                                       std::chrono::seconds expires) {
    aws::HttpRequest req;
    req.method = "GET";
    req.path = "/";
    req.query = {{"Action", "GetCallerIdentity"}, {"Version", "2011-06-15"}};
    req.headers = {{"host", "127.0.0.1:" + std::to_string(port_)}};
    aws::SigningParams p = aws::SigningParams::for_service("sts", "us-east-1");
    p.access_key_id = creds.key;
    p.secret_access_key = creds.secret;
    p.session_token = creds.token;
    p.time = time;
    EXPECT_TRUE(aws::presign_request(req, p, expires).ok());
    return req;
  }
  std::chrono::system_clock::time_point now() { return std::chrono::system_clock::now(); }
};

TEST_F(PresignTest, ValidPresignedUrlIsAccepted) {
  Resp r = client().raw(caller_identity_url(Creds{}, now(), std::chrono::seconds(60)));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(xml_text(r.body, "Arn"), "arn:aws:iam::999999999999:user/fixgate");
}

TEST_F(PresignTest, ExpiresIsHonouredBeyondTheHeaderSkewWindow) {
  // Signed 20 minutes ago: a header signature would be skewed, a 30-minute URL is still good.
  const auto signed_at = now() - std::chrono::minutes(20);
  EXPECT_EQ(client().raw(caller_identity_url(Creds{}, signed_at, std::chrono::minutes(30))).status, 200);
  Resp expired = client().raw(caller_identity_url(Creds{}, signed_at, std::chrono::minutes(10)));
  EXPECT_EQ(expired.status, 403) << expired.body;
  EXPECT_NE(xml_text(expired.body, "Message").find("expired"), std::string::npos) << expired.body;
  Resp future = client().raw(caller_identity_url(Creds{}, now() + std::chrono::minutes(10), std::chrono::minutes(30)));
  EXPECT_EQ(future.status, 403) << future.body;
}

TEST_F(PresignTest, TamperedOrMalformedUrlsAreRefused) {
  aws::HttpRequest req = caller_identity_url(Creds{}, now(), std::chrono::seconds(60));
  aws::HttpRequest tampered = req;
  tampered.query[1].second = "2011-06-16";
  Resp r = client().raw(tampered);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(xml_text(r.body, "Code"), "SignatureDoesNotMatch");
  for (const char* bad : {"0", "604801", "x"}) {
    aws::HttpRequest b = req;
    for (auto& [k, v] : b.query) {
      if (k == "X-Amz-Expires") v = bad;
    }
    EXPECT_EQ(client().raw(b).status, 400) << bad;
  }
  aws::HttpRequest wrong_key = req;
  for (auto& [k, v] : wrong_key.query) {
    if (k == "X-Amz-Credential") v.replace(0, std::string(kPlatformKey).size(), "AKIDUNKNOWN");
  }
  EXPECT_EQ(client().raw(wrong_key).status, 403);
}

TEST_F(PresignTest, SessionCredentialsAndS3PresignedUrlsWork) {
  const Creds session = assume("111111111111");
  Resp who = client().raw(caller_identity_url(session, now(), std::chrono::seconds(60)));
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_NE(xml_text(who.body, "Arn").find(":assumed-role/fixgate-remediation/fixgate-test"), std::string::npos);

  aws::HttpRequest s3;
  s3.method = "GET";
  s3.path = "/public-website-assets";
  s3.query = {{"acl", ""}};
  s3.headers = {{"host", "127.0.0.1:" + std::to_string(port_)}};
  aws::SigningParams p = aws::SigningParams::for_service("s3", "us-east-1");
  p.access_key_id = session.key;
  p.secret_access_key = session.secret;
  p.session_token = session.token;
  p.time = now();
  p.unsigned_payload = true;
  p.add_content_sha256 = false;
  ASSERT_TRUE(aws::presign_request(s3, p, std::chrono::seconds(300)).ok());
  Resp acl = client().raw(s3);
  EXPECT_EQ(acl.status, 200) << acl.body;
  EXPECT_NE(acl.body.find("AccessControlPolicy"), std::string::npos);

  aws::HttpRequest no_token = s3;
  std::erase_if(no_token.query, [](const auto& kv) { return kv.first == "X-Amz-Security-Token"; });
  EXPECT_EQ(client().raw(no_token).status, 400);  // InvalidToken
}

}  // namespace
}  // namespace fixgate::cloudsim::testing
