// Fault injection (in code and through the admin endpoint), call counting, state
// dumps and reset.
#include <nlohmann/json.hpp>

#include "cloudsim/faults.h"
#include "sim_fixture.h"

namespace fixgate::cloudsim::testing {
namespace {

using nlohmann::json;

Resp admin(int port, const std::string& method, const std::string& path, const std::string& body = "") {
  httplib::Client c("127.0.0.1", port);
  httplib::Result r = method == "GET"      ? c.Get(path.c_str())
                      : method == "DELETE" ? c.Delete(path.c_str())
                                           : c.Post(path.c_str(), body, "application/json");
  if (!r) return Resp{-1, "", {}};
  return Resp{r->status, r->body, r->headers};
}

TEST_F(SimTest, ThrottleNextCallsInEachProtocolThenRecover) {
  SimClient c = as("111111111111");
  sim_->add_fault({"ec2:RevokeSecurityGroupIngress", "111111111111", FaultKind::kThrottle, 2, 0});
  const std::vector<std::pair<std::string, std::string>> revoke{{"GroupId", "sg-0bastion0000000000"},
                                                                {"IpPermissions.1.IpProtocol", "tcp"},
                                                                {"IpPermissions.1.FromPort", "22"},
                                                                {"IpPermissions.1.ToPort", "22"},
                                                                {"IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"}};
  for (int i = 0; i < 2; ++i) {
    Resp r = c.query("ec2", "RevokeSecurityGroupIngress", revoke);
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(xml_text(r.body, "Code"), "RequestLimitExceeded");
  }
  sim_->with_world([](World& w) {
    EXPECT_EQ(w.find_account("111111111111")->security_groups[0].rules.size(), 4u) << "a throttled call changes nothing";
  });
  EXPECT_EQ(c.query("ec2", "RevokeSecurityGroupIngress", revoke).status, 200);
  EXPECT_EQ(sim_->call_count("ec2:RevokeSecurityGroupIngress"), 3);

  sim_->add_fault({"*", "*", FaultKind::kThrottle, 3, 0});
  EXPECT_EQ(xml_text(c.s3("GET", "/public-website-assets", "acl").body, "Code"), "SlowDown");
  EXPECT_EQ(xml_text(c.query("iam", "ListUsers").body, "Code"), "Throttling");
  EXPECT_NE(c.json("kms", "TrentService.GetKeyRotationStatus", R"({"KeyId":"x"})").body.find("ThrottlingException"),
            std::string::npos);
  EXPECT_EQ(c.query("iam", "ListUsers").status, 200);
}

TEST_F(SimTest, FaultsAreScopedByAccount) {
  sim_->add_fault({"GetEbsEncryptionByDefault", "222222222222", FaultKind::kDeny, -1, 0});
  EXPECT_EQ(as("111111111111").query("ec2", "GetEbsEncryptionByDefault").status, 200);
  Resp denied = as("222222222222").query("ec2", "GetEbsEncryptionByDefault");
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(xml_text(denied.body, "Code"), "UnauthorizedOperation");
  // AssumeRole faults match the role's account, not the platform caller's.
  sim_->add_fault({"sts:AssumeRole", "333333333333", FaultKind::kDeny, 1, 0});
  Resp r = client().query("sts", "AssumeRole", {{"RoleArn", "arn:aws:iam::333333333333:role/fixgate-remediation"},
                                                {"RoleSessionName", "x1"},
                                                {"ExternalId", "demo-external-id"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(xml_text(r.body, "Code"), "AccessDenied");
  sim_->clear_faults();
  EXPECT_EQ(as("222222222222").query("ec2", "GetEbsEncryptionByDefault").status, 200);
}

TEST_F(SimTest, InternalErrorAndLatencyFaults) {
  SimClient c = as("111111111111");
  sim_->add_fault({"iam:ListUsers", "*", FaultKind::kInternalError, 1, 0});
  Resp r = c.query("iam", "ListUsers");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(xml_text(r.body, "Code"), "InternalFailure");
  EXPECT_EQ(xml_text(r.body, "Type"), "Receiver");
  sim_->add_fault({"s3:GetBucketAcl", "*", FaultKind::kInternalError, 1, 0});
  EXPECT_EQ(xml_text(c.s3("GET", "/public-website-assets", "acl").body, "Code"), "InternalError");
  sim_->add_fault({"iam:ListUsers", "*", FaultKind::kLatency, 1, 20});
  EXPECT_EQ(c.query("iam", "ListUsers").status, 200);
}

TEST_F(SimTest, AdminEndpointsManageFaultsCallsStateAndReset) {
  Resp bad = admin(port_, "POST", "/__sim/faults", R"({"operation":"ec2:*","kind":"explode"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("fault.kind"), std::string::npos);
  EXPECT_EQ(admin(port_, "POST", "/__sim/faults", "not json").status, 400);
  EXPECT_NE(admin(port_, "POST", "/__sim/faults", R"({"account":"12"})").body.find("fault.account"), std::string::npos);
  Resp ok = admin(port_, "POST", "/__sim/faults", R"({"operation":"ec2:*","account":"111111111111","kind":"deny","count":1})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(json::parse(admin(port_, "GET", "/__sim/faults").body)["faults"].size(), 1u);
  SimClient c = as("111111111111");
  EXPECT_EQ(xml_text(c.query("ec2", "EnableEbsEncryptionByDefault").body, "Code"), "UnauthorizedOperation");
  EXPECT_EQ(json::parse(admin(port_, "GET", "/__sim/faults").body)["faults"].size(), 0u);
  ASSERT_EQ(c.query("ec2", "EnableEbsEncryptionByDefault").status, 200);

  const json calls = json::parse(admin(port_, "GET", "/__sim/calls").body);
  EXPECT_EQ(calls["counts"]["ec2:EnableEbsEncryptionByDefault"], 2);
  EXPECT_EQ(calls["counts"]["sts:AssumeRole"], 1);
  bool saw_session = false;
  for (const json& e : calls["log"]) {
    if (e["operation"] == "ec2:EnableEbsEncryptionByDefault" && e["status"] == 200) {
      saw_session = true;
      EXPECT_EQ(e["source_identity"], "corr-1234");
      EXPECT_EQ(e["principal"], "arn:aws:sts::111111111111:assumed-role/fixgate-remediation/fixgate-test");
    }
  }
  EXPECT_TRUE(saw_session);

  json state = json::parse(admin(port_, "GET", "/__sim/state").body);
  EXPECT_EQ(state["accounts"][0]["ec2"]["ebs_encryption_by_default"]["us-east-1"], true);
  EXPECT_EQ(state.dump().find("wJalrXUtnFEMI"), std::string::npos);

  ASSERT_EQ(admin(port_, "POST", "/__sim/reset").status, 200);
  state = json::parse(admin(port_, "GET", "/__sim/state").body);
  EXPECT_EQ(state["accounts"][0]["ec2"]["ebs_encryption_by_default"]["us-east-1"], false);
  EXPECT_TRUE(json::parse(admin(port_, "GET", "/__sim/calls").body)["counts"].empty());
  // Sessions issued before the reset are gone.
  EXPECT_EQ(xml_text(c.query("sts", "GetCallerIdentity").body, "Code"), "InvalidClientTokenId");

  Resp seed = admin(port_, "POST", "/__sim/seed", R"({"accounts":[{"id":"123"}]})");
  EXPECT_EQ(seed.status, 400);
  EXPECT_NE(seed.body.find("seed.accounts[0].id"), std::string::npos);
  EXPECT_EQ(admin(port_, "GET", "/__sim/nothing").status, 404);
  EXPECT_GE(json::parse(admin(port_, "GET", "/__sim/operations").body)["operations"].size(), 30u);
}

TEST_F(SimTest, SessionsCanBeExpiredThroughAdmin) {
  SimClient c = as("111111111111");
  ASSERT_EQ(admin(port_, "POST", "/__sim/sessions/expire").status, 200);
  EXPECT_EQ(xml_text(c.query("ec2", "GetEbsEncryptionByDefault").body, "Code"), "RequestExpired");
}

TEST(FaultSpecTest, JsonParsingValidatesEveryField) {
  EXPECT_TRUE(fault_from_json(json::parse(R"({"operation":"s3:PutBucketAcl","kind":"latency","latency_ms":5})")).ok());
  EXPECT_FALSE(fault_from_json(json::parse(R"({"kind":"latency"})")).ok());
  EXPECT_FALSE(fault_from_json(json::parse(R"({"count":0})")).ok());
  EXPECT_FALSE(fault_from_json(json::parse(R"({"count":"2"})")).ok());
  EXPECT_FALSE(fault_from_json(json::parse(R"({"operation":""})")).ok());
  EXPECT_FALSE(fault_from_json(json::parse(R"([1])")).ok());
  FaultBook book;
  book.add({"ec2:*", "*", FaultKind::kThrottle, 1, 0});
  EXPECT_FALSE(book.take("s3", "GetBucketAcl", "111111111111").has_value());
  EXPECT_TRUE(book.take("ec2", "DescribeSecurityGroups", "111111111111").has_value());
  EXPECT_FALSE(book.take("ec2", "DescribeSecurityGroups", "111111111111").has_value()) << "count 1 is used up";
}

}  // namespace
}  // namespace fixgate::cloudsim::testing
