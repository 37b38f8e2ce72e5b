// aws.ec2.revoke_public_ingress: remove internet-wide (0.0.0.0/0, ::/0) ingress to
// admin ports from a security group — and nothing else.
//
// A permission is in scope when its protocol is all (-1) or tcp/udp and its port
// range covers one of params.ports. From such a permission only the 0.0.0.0/0 and
// ::/0 sources are revoked; the same permission's private CIDRs, referenced
// security groups and prefix lists stay, as do all permissions not in scope.
// The group itself is never deleted or emptied wholesale.
#include <algorithm>

#include "actions/action_util.h"
#include "actions/builtin.h"
#include "actions/resource_names.h"

namespace fixgate::actions {
namespace {

bool covers_port(const nlohmann::json& permission, long long port) {
  const std::string protocol = util::text(permission, "IpProtocol");
  if (protocol == "-1") return true;
  if (protocol != "tcp" && protocol != "udp" && protocol != "6" && protocol != "17") return false;
  if (!permission.contains("FromPort") || !permission.contains("ToPort") || !permission.at("FromPort").is_number_integer() ||
      !permission.at("ToPort").is_number_integer()) {
    return false;
  }
  const long long from = permission.at("FromPort").get<long long>();
  const long long to = permission.at("ToPort").get<long long>();
  return from <= port && port <= to;
}

// The public part of one in-scope permission, as RevokeSecurityGroupIngress and
// AuthorizeSecurityGroupIngress take it; null when the permission has none.
nlohmann::json public_part(const nlohmann::json& permission) {
  nlohmann::json v4 = nlohmann::json::array();
  nlohmann::json v6 = nlohmann::json::array();
  for (const auto& range : permission.value("IpRanges", nlohmann::json::array())) {
    if (util::text(range, "CidrIp") == "0.0.0.0/0") v4.push_back(range);
  }
  for (const auto& range : permission.value("Ipv6Ranges", nlohmann::json::array())) {
    if (util::text(range, "CidrIpv6") == "::/0") v6.push_back(range);
  }
  if (v4.empty() && v6.empty()) return nullptr;
  nlohmann::json out = {{"IpProtocol", permission.at("IpProtocol")}};
  if (util::text(permission, "IpProtocol") != "-1") {
    out["FromPort"] = permission.at("FromPort");
    out["ToPort"] = permission.at("ToPort");
  }
  if (!v4.empty()) out["IpRanges"] = v4;
  if (!v6.empty()) out["Ipv6Ranges"] = v6;
  return out;
}

// Revocation matches by protocol, ports and CIDR; descriptions are left out so a
// description edited since the precheck cannot make the revoke miss.
nlohmann::json without_descriptions(nlohmann::json permission) {
  for (const char* list : {"IpRanges", "Ipv6Ranges"}) {
    if (!permission.contains(list)) continue;
    for (auto& range : permission[list]) range.erase("Description");
  }
  return permission;
}

class Ec2RevokePublicIngress final : public RemediationAction {
 public:
  Result<Precheck> precheck(ActionContext& ctx) override {
    Result<std::string> group_id = resource_identifier(ctx.finding, "security-group/");
    if (!group_id.ok()) return group_id.error();
    Result<nlohmann::json> body =
        util::read(ctx, util::make_call(ctx, "ec2", "DescribeSecurityGroups", {{"GroupIds", {*group_id}}}));
    if (!body.ok()) return body.error();
    const nlohmann::json groups = body->value("SecurityGroups", nlohmann::json::array());
    if (groups.size() != 1 || util::text(groups[0], "GroupId") != *group_id) {
      return util::unexpected("DescribeSecurityGroups", "expected exactly group " + *group_id);
    }
    const nlohmann::json permissions = groups[0].value("IpPermissions", nlohmann::json::array());
    nlohmann::json in_scope = nlohmann::json::array();
    for (const auto& permission : permissions) {
      const bool admin = std::any_of(ctx.params.at("ports").begin(), ctx.params.at("ports").end(),
                                     [&](const nlohmann::json& p) { return covers_port(permission, p.get<long long>()); });
      if (!admin) continue;
      nlohmann::json part = public_part(permission);
      if (!part.is_null()) in_scope.push_back(part);
    }
    std::sort(in_scope.begin(), in_scope.end(), [](const nlohmann::json& a, const nlohmann::json& b) { return a.dump() < b.dump(); });
    Precheck out;
    out.state = {{"GroupId", *group_id}, {"PublicAdminPermissions", in_scope}};
    out.evidence = {{"ports", ctx.params.at("ports")}, {"permissions_in_group", permissions.size()}};
    out.status = in_scope.empty() ? PrecheckStatus::already_compliant : PrecheckStatus::needs_change;
    out.reason = in_scope.empty() ? "no 0.0.0.0/0 or ::/0 ingress reaches the admin ports"
                                  : std::to_string(in_scope.size()) + " permission(s) open admin ports to the internet";
    return out;
  }

  Result<std::vector<ApiCall>> plan(ActionContext& ctx, const Precheck& observed) override {
    nlohmann::json revoke = nlohmann::json::array();
    for (const auto& permission : observed.state.at("PublicAdminPermissions")) revoke.push_back(without_descriptions(permission));
    if (revoke.empty()) return std::vector<ApiCall>{};
    return std::vector<ApiCall>{util::make_call(ctx, "ec2", "RevokeSecurityGroupIngress",
                                                {{"GroupId", observed.state.at("GroupId")}, {"IpPermissions", revoke}})};
  }

  Result<std::vector<ApiCall>> rollback_plan(ActionContext& ctx, const nlohmann::json& prior) override {
    if (prior.at("PublicAdminPermissions").empty()) return std::vector<ApiCall>{};
    return std::vector<ApiCall>{util::make_call(
        ctx, "ec2", "AuthorizeSecurityGroupIngress",
        {{"GroupId", prior.at("GroupId")}, {"IpPermissions", prior.at("PublicAdminPermissions")}})};
  }
};

}  // namespace

ActionSpec ec2_revoke_public_ingress_spec() {
  ActionSpec spec;
  spec.name = "aws.ec2.revoke_public_ingress";
  spec.description = "Revoke 0.0.0.0/0 and ::/0 ingress to admin ports; every other rule stays";
  spec.resource_types = {"AWS::EC2::SecurityGroup"};
  spec.params = {{.name = "ports", .type = ParamType::integer_list, .default_value = {22, 3389}, .min = 0,
                  .max = 65535, .description = "admin ports whose public ingress is revoked"}};
  spec.permissions.precheck = {"ec2:DescribeSecurityGroups"};
  spec.permissions.apply = {"ec2:RevokeSecurityGroupIngress"};
  spec.permissions.verify = {"ec2:DescribeSecurityGroups"};
  spec.permissions.rollback = {"ec2:AuthorizeSecurityGroupIngress"};
  spec.make = [] { return std::make_unique<Ec2RevokePublicIngress>(); };
  return spec;
}

}  // namespace fixgate::actions
