// EC2: security group ingress revoke/authorize must act on exactly the named
// permission; EBS default encryption and snapshot permissions change state.
#include "sim_fixture.h"

namespace fixgate::cloudsim::testing {
namespace {

const char* kBastion = "sg-0bastion0000000000";

std::vector<const SgRule*> ingress(World& w, const std::string& account, const std::string& group) {
  std::vector<const SgRule*> out;
  for (const SecurityGroup& g : w.find_account(account)->security_groups) {
    if (g.group_id != group) continue;
    for (const SgRule& r : g.rules) {
      if (!r.egress) out.push_back(&r);
    }
  }
  return out;
}

TEST_F(SimTest, DescribeSecurityGroupsFiltersByGroupIdAndGroupsPermissions) {
  SimClient c = as("111111111111");
  Resp r = c.query("ec2", "DescribeSecurityGroups", {{"GroupId.1", kBastion}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\""), std::string::npos);
  EXPECT_FALSE(xml_text(r.body, "requestId").empty());
  EXPECT_EQ(xml_count(r.body, "*[local-name()='securityGroupInfo']/*[local-name()='item']"), 1u);
  EXPECT_EQ(xml_text(r.body, "groupId"), kBastion);
  EXPECT_EQ(xml_text(r.body, "ownerId"), "111111111111");
  // tcp/22 has three sources (0.0.0.0/0, ::/0, 10.0.0.0/8) in ONE IpPermission.
  EXPECT_EQ(xml_count(r.body, "*[local-name()='ipPermissions']/*[local-name()='item']"), 1u);
  EXPECT_EQ(xml_count(r.body, "*[local-name()='ipPermissions']//*[local-name()='cidrIp']"), 2u);
  EXPECT_EQ(xml_count(r.body, "*[local-name()='ipPermissions']//*[local-name()='cidrIpv6']"), 1u);

  Resp all = c.query("ec2", "DescribeSecurityGroups");
  EXPECT_EQ(xml_count(all.body, "*[local-name()='securityGroupInfo']/*[local-name()='item']"), 5u);
  Resp missing = c.query("ec2", "DescribeSecurityGroups", {{"GroupId.1", "sg-0000000000000dead"}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(missing.body.find("<Response><Errors><Error><Code>InvalidGroup.NotFound</Code>"), std::string::npos);
  EXPECT_FALSE(xml_text(missing.body, "RequestID").empty());
  Resp filtered = c.query("ec2", "DescribeSecurityGroups", {{"Filter.1.Name", "tag:owner"}, {"Filter.1.Value.1", "payments-team"}});
  EXPECT_EQ(xml_count(filtered.body, "*[local-name()='securityGroupInfo']/*[local-name()='item']"), 2u);
  // Another region has none of production's groups.
  c.region = "eu-west-1";
  EXPECT_EQ(xml_count(c.query("ec2", "DescribeSecurityGroups").body, "*[local-name()='securityGroupInfo']/*[local-name()='item']"), 0u);
}

TEST_F(SimTest, RevokeRemovesOnlyTheExactlyMatchingRule) {
  SimClient c = as("111111111111");
  Resp r = c.query("ec2", "RevokeSecurityGroupIngress", {{"GroupId", kBastion},
                                                         {"IpPermissions.1.IpProtocol", "tcp"},
                                                         {"IpPermissions.1.FromPort", "22"},
                                                         {"IpPermissions.1.ToPort", "22"},
                                                         {"IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(xml_text(r.body, "return"), "true");
  EXPECT_EQ(xml_text(r.body, "cidrIpv4"), "0.0.0.0/0");
  EXPECT_EQ(sim_->call_count("ec2:RevokeSecurityGroupIngress"), 1);
  sim_->with_world([](World& w) {
    auto rules = ingress(w, "111111111111", kBastion);
    ASSERT_EQ(rules.size(), 2u);
    std::set<std::string> sources;
    for (const SgRule* rule : rules) sources.insert(rule->source);
    EXPECT_EQ(sources, (std::set<std::string>{"::/0", "10.0.0.0/8"}));
  });
  // Same permission again: nothing matches any more.
  Resp again = c.query("ec2", "RevokeSecurityGroupIngress", {{"GroupId", kBastion},
                                                             {"IpPermissions.1.IpProtocol", "tcp"},
                                                             {"IpPermissions.1.FromPort", "22"},
                                                             {"IpPermissions.1.ToPort", "22"},
                                                             {"IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"}});
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(xml_text(again.body, "Code"), "InvalidPermission.NotFound");
}

TEST_F(SimTest, RevokeWithDifferentPortsOrProtocolMatchesNothing) {
  SimClient c = as("111111111111");
  for (auto [proto, from, to] : {std::tuple{"tcp", "0", "65535"}, std::tuple{"udp", "22", "22"}, std::tuple{"tcp", "22", "23"}}) {
    Resp r = c.query("ec2", "RevokeSecurityGroupIngress", {{"GroupId", kBastion},
                                                           {"IpPermissions.1.IpProtocol", proto},
                                                           {"IpPermissions.1.FromPort", from},
                                                           {"IpPermissions.1.ToPort", to},
                                                           {"IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"}});
    EXPECT_EQ(xml_text(r.body, "Code"), "InvalidPermission.NotFound") << proto << from << to;
  }
  sim_->with_world([](World& w) { EXPECT_EQ(ingress(w, "111111111111", kBastion).size(), 3u); });
}

TEST_F(SimTest, RevokeReportsUnknownPermissionsAndKeepsGroupReferences) {
  SimClient c = as("111111111111");
  const std::string app = "sg-01a000000000000002";
  Resp r = c.query("ec2", "RevokeSecurityGroupIngress", {{"GroupId", app},
                                                         {"IpPermissions.1.IpProtocol", "tcp"},
                                                         {"IpPermissions.1.FromPort", "3389"},
                                                         {"IpPermissions.1.ToPort", "3389"},
                                                         {"IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"},
                                                         {"IpPermissions.2.IpProtocol", "tcp"},
                                                         {"IpPermissions.2.FromPort", "3389"},
                                                         {"IpPermissions.2.ToPort", "3389"},
                                                         {"IpPermissions.2.Ipv6Ranges.1.CidrIpv6", "::/0"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(xml_text(r.body, "cidrIpv6"), "::/0");  // in unknownIpPermissionSet
  sim_->with_world([&](World& w) {
    auto rules = ingress(w, "111111111111", app);
    EXPECT_EQ(rules.size(), 4u);
    bool group_ref = false, internal = false, prefix = false;
    for (const SgRule* rule : rules) {
      group_ref = group_ref || rule->source_kind == "group";
      internal = internal || rule->source == "10.0.0.0/8";
      prefix = prefix || rule->source_kind == "prefix_list";
      EXPECT_FALSE(rule->source == "0.0.0.0/0" && rule->from_port == 3389);
    }
    EXPECT_TRUE(group_ref && internal && prefix);
  });
}

TEST_F(SimTest, RevokeBySecurityGroupRuleIdAndAuthorizeRestores) {
  SimClient c = as("111111111111");
  std::string rule_id;
  sim_->with_world([&](World& w) {
    for (const SgRule* r : ingress(w, "111111111111", kBastion)) {
      if (r->source == "::/0") rule_id = r->rule_id;
    }
  });
  ASSERT_EQ(rule_id.rfind("sgr-", 0), 0u);
  Resp r = c.query("ec2", "RevokeSecurityGroupIngress", {{"GroupId", kBastion}, {"SecurityGroupRuleId.1", rule_id}});
  ASSERT_EQ(r.status, 200) << r.body;
  // Rollback: authorize the same permission, with its description.
  Resp back = c.query("ec2", "AuthorizeSecurityGroupIngress", {{"GroupId", kBastion},
                                                               {"IpPermissions.1.IpProtocol", "tcp"},
                                                               {"IpPermissions.1.FromPort", "22"},
                                                               {"IpPermissions.1.ToPort", "22"},
                                                               {"IpPermissions.1.Ipv6Ranges.1.CidrIpv6", "::/0"},
                                                               {"IpPermissions.1.Ipv6Ranges.1.Description", "restored <by> \"rollback\""}});
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(xml_text(back.body, "securityGroupRuleId").rfind("sgr-", 0), 0u);
  EXPECT_EQ(xml_text(back.body, "description"), "restored <by> \"rollback\"");
  Resp dup = c.query("ec2", "AuthorizeSecurityGroupIngress", {{"GroupId", kBastion},
                                                              {"IpPermissions.1.IpProtocol", "tcp"},
                                                              {"IpPermissions.1.FromPort", "22"},
                                                              {"IpPermissions.1.ToPort", "22"},
                                                              {"IpPermissions.1.Ipv6Ranges.1.CidrIpv6", "::/0"}});
  EXPECT_EQ(dup.status, 400);
  EXPECT_EQ(xml_text(dup.body, "Code"), "InvalidPermission.Duplicate");
  Resp described = c.query("ec2", "DescribeSecurityGroups", {{"GroupId.1", kBastion}});
  EXPECT_NE(described.body.find("restored &lt;by&gt; &quot;rollback&quot;"), std::string::npos);
}

TEST_F(SimTest, IngressParametersAreValidated) {
  SimClient c = as("111111111111");
  Resp bad_cidr = c.query("ec2", "AuthorizeSecurityGroupIngress", {{"GroupId", kBastion},
                                                                   {"IpPermissions.1.IpProtocol", "tcp"},
                                                                   {"IpPermissions.1.FromPort", "22"},
                                                                   {"IpPermissions.1.ToPort", "22"},
                                                                   {"IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/99"}});
  EXPECT_EQ(xml_text(bad_cidr.body, "Code"), "InvalidParameterValue");
  Resp no_ports = c.query("ec2", "AuthorizeSecurityGroupIngress", {{"GroupId", kBastion},
                                                                   {"IpPermissions.1.IpProtocol", "tcp"},
                                                                   {"IpPermissions.1.IpRanges.1.CidrIp", "1.2.3.4/32"}});
  EXPECT_EQ(xml_text(no_ports.body, "Code"), "InvalidParameterValue");
  Resp malformed = c.query("ec2", "RevokeSecurityGroupIngress", {{"GroupId", "bastion"}});
  EXPECT_EQ(xml_text(malformed.body, "Code"), "InvalidGroupId.Malformed");
  Resp unknown = c.query("ec2", "TerminateInstances", {{"InstanceId.1", "i-1"}});
  EXPECT_EQ(xml_text(unknown.body, "Code"), "InvalidAction");
}

TEST_F(SimTest, EbsEncryptionByDefaultIsPerRegion) {
  SimClient c = as("111111111111");
  EXPECT_EQ(xml_text(c.query("ec2", "GetEbsEncryptionByDefault").body, "ebsEncryptionByDefault"), "false");
  Resp on = c.query("ec2", "EnableEbsEncryptionByDefault");
  ASSERT_EQ(on.status, 200);
  EXPECT_EQ(xml_text(on.body, "ebsEncryptionByDefault"), "true");
  EXPECT_EQ(xml_text(c.query("ec2", "GetEbsEncryptionByDefault").body, "ebsEncryptionByDefault"), "true");
  c.region = "eu-west-1";
  EXPECT_EQ(xml_text(c.query("ec2", "GetEbsEncryptionByDefault").body, "ebsEncryptionByDefault"), "false");
  c.region = "us-east-1";
  EXPECT_EQ(xml_text(c.query("ec2", "DisableEbsEncryptionByDefault").body, "ebsEncryptionByDefault"), "false");
}

TEST_F(SimTest, PublicSnapshotPermissionCanBeRemoved) {
  SimClient c = as("111111111111");
  const std::string snap = "snap-0100000000000public";
  Resp d = c.query("ec2", "DescribeSnapshotAttribute", {{"SnapshotId", snap}, {"Attribute", "createVolumePermission"}});
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_EQ(xml_text(d.body, "group"), "all");
  Resp m = c.query("ec2", "ModifySnapshotAttribute", {{"SnapshotId", snap},
                                                      {"Attribute", "createVolumePermission"},
                                                      {"CreateVolumePermission.Remove.1.Group", "all"}});
  ASSERT_EQ(m.status, 200) << m.body;
  Resp after = c.query("ec2", "DescribeSnapshotAttribute", {{"SnapshotId", snap}, {"Attribute", "createVolumePermission"}});
  EXPECT_EQ(xml_text(after.body, "group"), "");
  Resp add = c.query("ec2", "ModifySnapshotAttribute", {{"SnapshotId", snap},
                                                        {"Attribute", "createVolumePermission"},
                                                        {"OperationType", "add"},
                                                        {"UserGroup.1", "all"}});
  ASSERT_EQ(add.status, 200);
  Resp missing = c.query("ec2", "DescribeSnapshotAttribute", {{"SnapshotId", "snap-0000000000000none"}, {"Attribute", "createVolumePermission"}});
  EXPECT_EQ(xml_text(missing.body, "Code"), "InvalidSnapshot.NotFound");
}

}  // namespace
}  // namespace fixgate::cloudsim::testing
