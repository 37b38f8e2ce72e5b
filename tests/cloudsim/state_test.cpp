#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cloudsim/state.h"
#include "cloudsim/wire.h"

namespace fixgate::cloudsim {
namespace {

using nlohmann::json;

const TimePoint kNow = std::chrono::system_clock::from_time_t(1764072000);  // 2025-11-25T12:00:00Z

TEST(SeedTest, DemoSeedLoadsWithEveryAccountTheDemoNeeds) {
  auto w = world_from_file(FIXGATE_SOURCE_DIR "/src/cloudsim/seeds/demo.json", kNow);
  ASSERT_TRUE(w.ok()) << w.error().to_string();
  for (const char* id : {"111111111111", "222222222222", "333333333333", "999999999999"}) {
    EXPECT_NE(w->find_account(id), nullptr) << id;
  }
  Account* prod = w->find_account("111111111111");
  ASSERT_EQ(prod->roles.size(), 1u);
  EXPECT_EQ(prod->roles[0].name, "fixgate-remediation");
  EXPECT_NE(prod->roles[0].trust_policy.find("demo-external-id"), std::string::npos);
  EXPECT_NE(w->find_bucket("public-website-assets"), nullptr);
  bool bastion = false;
  for (const SecurityGroup& g : prod->security_groups) bastion = bastion || g.group_id == "sg-0bastion0000000000";
  EXPECT_TRUE(bastion);
  EXPECT_FALSE(prod->ebs_encryption_by_default.at("us-east-1"));
  std::string account, user;
  const AccessKey* key = w->find_access_key("AKIDEXAMPLE", &account, &user);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(account, "999999999999");
}

TEST(SeedTest, RelativeDatesAreAnchoredAtLoadTime) {
  EXPECT_EQ(parse_seed_time("now-2d", kNow), kNow - std::chrono::hours(48));
  EXPECT_EQ(parse_seed_time("now-3h", kNow), kNow - std::chrono::hours(3));
  EXPECT_EQ(parse_seed_time("2025-11-25T12:00:00Z", kNow), kNow);
  EXPECT_EQ(parse_seed_time("2025-11-25T12:00:00.123Z", kNow), kNow);
  EXPECT_FALSE(parse_seed_time("yesterday", kNow).has_value());
  EXPECT_FALSE(parse_seed_time("now-3w", kNow).has_value());
  EXPECT_FALSE(parse_seed_time("2025-13-01T00:00:00Z", kNow).has_value());
  EXPECT_EQ(format_iso8601(kNow), "2025-11-25T12:00:00Z");
}

TEST(SeedTest, ErrorsNameTheOffendingField) {
  json seed = json::parse(R"({"accounts":[{"id":"111111111111","ec2":{"security_groups":[
      {"group_id":"sg-1","ingress":[{"protocol":"tcp","from_port":22}]}]}}]})");
  auto w = world_from_json(seed, kNow);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code, "cloudsim.seed");
  EXPECT_NE(w.error().message.find("seed.accounts[0].ec2.security_groups[0].ingress[0]"), std::string::npos)
      << w.error().message;

  auto bad_id = world_from_json(json::parse(R"({"accounts":[{"id":"12345"}]})"), kNow);
  ASSERT_FALSE(bad_id.ok());
  EXPECT_NE(bad_id.error().message.find("seed.accounts[0].id"), std::string::npos) << bad_id.error().message;

  auto bad_date = world_from_json(
      json::parse(R"({"accounts":[{"id":"111111111111","iam":{"users":[{"name":"u","create_date":"soon"}]}}]})"), kNow);
  ASSERT_FALSE(bad_date.ok());
  EXPECT_NE(bad_date.error().message.find("seed.accounts[0].iam.users[0].create_date"), std::string::npos);

  auto dup = world_from_json(json::parse(R"({"accounts":[{"id":"111111111111"},{"id":"111111111111"}]})"), kNow);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("duplicate"), std::string::npos);

  EXPECT_FALSE(world_from_json(json::parse(R"({"accounts":[]})"), kNow).ok());
  EXPECT_FALSE(world_from_json(json::parse("[1]"), kNow).ok());
}

TEST(SeedTest, DumpRoundTripsWithoutSecrets) {
  auto w = world_from_file(FIXGATE_SOURCE_DIR "/src/cloudsim/seeds/demo.json", kNow);
  ASSERT_TRUE(w.ok());
  const json dumped = world_to_json(w.value());
  EXPECT_EQ(dumped.dump().find("wJalrXUtnFEMI"), std::string::npos) << "secret keys must never be dumped";
  auto again = world_from_json(dumped, kNow);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(world_to_json(again.value()), dumped);
}

TEST(WireTest, XmlEscapingCoversMarkupQuotesAndControlCharacters) {
  EXPECT_EQ(xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(xml_escape(std::string("x\x01y\x1bz")), "xyz");
  EXPECT_EQ(xml_escape("line\nnext"), "line&#10;next");
  Xml x;
  x.leaf("Description", std::string("</Description><Injected>1</Injected>"));
  EXPECT_EQ(x.str(), "<Description>&lt;/Description&gt;&lt;Injected&gt;1&lt;/Injected&gt;</Description>");
}

TEST(WireTest, ErrorEnvelopesFollowEachProtocol) {
  const ApiError e{404, "NoSuchBucket", "The specified bucket does not exist", true, {{"BucketName", "b<1>"}}};
  Reply s3 = render_error(Protocol::kRestXml, e, "REQ1");
  EXPECT_EQ(s3.status, 404);
  EXPECT_NE(s3.body.find("<Error><Code>NoSuchBucket</Code>"), std::string::npos);
  EXPECT_NE(s3.body.find("<BucketName>b&lt;1&gt;</BucketName>"), std::string::npos);
  EXPECT_EQ(s3.headers.at("x-amz-request-id"), "REQ1");

  Reply ec2 = render_error(Protocol::kEc2, {400, "InvalidGroup.NotFound", "m"}, "REQ2");
  EXPECT_NE(ec2.body.find("<Response><Errors><Error><Code>InvalidGroup.NotFound</Code>"), std::string::npos);
  EXPECT_NE(ec2.body.find("<RequestID>REQ2</RequestID>"), std::string::npos);

  Reply q = render_error(Protocol::kQuery, {403, "AccessDenied", "m"}, "REQ3");
  EXPECT_NE(q.body.find("<ErrorResponse"), std::string::npos);
  EXPECT_NE(q.body.find("<Type>Sender</Type><Code>AccessDenied</Code>"), std::string::npos);
  EXPECT_NE(q.body.find("<RequestId>REQ3</RequestId>"), std::string::npos);

  Reply j = render_error(Protocol::kJson, {400, "NotFoundException", "m\"x"}, "REQ4");
  EXPECT_EQ(json::parse(j.body).at("__type"), "NotFoundException");
  EXPECT_EQ(json::parse(j.body).at("message"), "m\"x");
  EXPECT_EQ(j.headers.at("x-amzn-RequestId"), "REQ4");

  Reply c = render_error(Protocol::kS3Control, {404, "NoSuchPublicAccessBlockConfiguration", "m"}, "REQ5");
  EXPECT_NE(c.body.find("<ErrorResponse><Error><Code>NoSuchPublicAccessBlockConfiguration"), std::string::npos);
}

TEST(WireTest, FormDecodingHandlesPlusAndPercent) {
  auto f = parse_form("Action=AssumeRole&RoleSessionName=a%2Bb+c&Empty=&Flag");
  EXPECT_EQ(f.find("RoleSessionName")->second, "a+b c");
  EXPECT_EQ(f.find("Empty")->second, "");
  EXPECT_EQ(f.count("Flag"), 1u);
  EXPECT_EQ(url_decode("%zz%41", false), "%zzA");
}

}  // namespace
}  // namespace fixgate::cloudsim
