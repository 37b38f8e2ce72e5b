// EC2 operations (EC2 query protocol: form-encoded requests with EC2's own list
// flattening, responses in the 2016-11-15 namespace with lower-camel elements).
#include <algorithm>
#include <random>
#include <regex>
#include <set>

#include "cloudsim/ops.h"

namespace fixgate::cloudsim {
namespace {

ApiError invalid_value(const std::string& message) { return ApiError{400, "InvalidParameterValue", message}; }

// Groups "Prefix.N.rest" parameters by N (numeric order).
std::map<int, std::map<std::string, std::string>> indexed(const Call& call, const std::string& prefix) {
  std::map<int, std::map<std::string, std::string>> out;
  for (const auto& [k, v] : call.params) {
    if (k.rfind(prefix + ".", 0) != 0) continue;
    const std::string rest = k.substr(prefix.size() + 1);
    const size_t dot = rest.find('.');
    const std::string n = rest.substr(0, dot);
    if (n.empty() || n.size() > 5 || n.find_first_not_of("0123456789") != std::string::npos) continue;
    out[std::stoi(n)][dot == std::string::npos ? "" : rest.substr(dot + 1)] = v;
  }
  return out;
}

// The same grouping over an already-split map ("IpRanges.1.CidrIp" -> 1 -> "CidrIp").
std::map<int, std::map<std::string, std::string>> sub_indexed(const std::map<std::string, std::string>& fields,
                                                              const std::string& prefix) {
  std::map<int, std::map<std::string, std::string>> out;
  for (const auto& [k, v] : fields) {
    if (k.rfind(prefix + ".", 0) != 0) continue;
    const std::string rest = k.substr(prefix.size() + 1);
    const size_t dot = rest.find('.');
    const std::string n = rest.substr(0, dot);
    if (n.empty() || n.size() > 5 || n.find_first_not_of("0123456789") != std::string::npos) continue;
    out[std::stoi(n)][dot == std::string::npos ? "" : rest.substr(dot + 1)] = v;
  }
  return out;
}

std::vector<std::string> values(const Call& call, const std::string& prefix) {
  std::vector<std::string> out;
  for (auto& [n, fields] : indexed(call, prefix)) {
    auto it = fields.find("");
    if (it != fields.end()) out.push_back(it->second);
  }
  return out;
}

std::string normalize_protocol(std::string p) {
  std::transform(p.begin(), p.end(), p.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (p == "6") return "tcp";
  if (p == "17") return "udp";
  if (p == "1") return "icmp";
  if (p == "all") return "-1";
  return p;
}

bool valid_cidr4(const std::string& c) {
  static const std::regex re(R"((\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})/(\d{1,2}))");
  std::smatch m;
  if (!std::regex_match(c, m, re)) return false;
  for (int i = 1; i <= 4; ++i) {
    if (std::stoi(m[i].str()) > 255) return false;
  }
  return std::stoi(m[5].str()) <= 32;
}

bool valid_cidr6(const std::string& c) {
  static const std::regex re(R"([0-9a-fA-F:]+/(\d{1,3}))");
  std::smatch m;
  return std::regex_match(c, m, re) && c.find(':') != std::string::npos && std::stoi(m[1].str()) <= 128;
}

int parse_port(const std::string& text, bool* ok) {
  static const std::regex re(R"(-?\d{1,5})");
  *ok = std::regex_match(text, re);
  return *ok ? std::stoi(text) : 0;
}

// Turns IpPermissions.N (and the legacy top-level CidrIp/IpProtocol/FromPort/ToPort)
// into one SgRule per source. Errors name the offending parameter.
std::variant<std::vector<SgRule>, ApiError> parse_permissions(const Call& call, const std::string& account) {
  std::vector<SgRule> rules;
  auto perms = indexed(call, "IpPermissions");
  if (call.has_param("IpProtocol") || call.has_param("CidrIp")) {
    auto& legacy = perms[100000];
    legacy["IpProtocol"] = call.param("IpProtocol");
    if (call.has_param("FromPort")) legacy["FromPort"] = call.param("FromPort");
    if (call.has_param("ToPort")) legacy["ToPort"] = call.param("ToPort");
    if (call.has_param("CidrIp")) legacy["IpRanges.1.CidrIp"] = call.param("CidrIp");
  }
  for (auto& [n, f] : perms) {
    const std::string where = n == 100000 ? "" : "IpPermissions." + std::to_string(n) + ".";
    SgRule base;
    if (!f.count("IpProtocol") || f["IpProtocol"].empty()) return missing_parameter(Protocol::kEc2, where + "IpProtocol");
    base.protocol = normalize_protocol(f["IpProtocol"]);
    static const std::set<std::string> known{"tcp", "udp", "icmp", "icmpv6", "-1", "58"};
    const bool numeric = base.protocol.find_first_not_of("0123456789") == std::string::npos && base.protocol.size() <= 3;
    if (!known.count(base.protocol) && !numeric) return invalid_value("Invalid value '" + f["IpProtocol"] + "' for IP protocol. Unknown protocol.");
    if (base.protocol == "-1") {
      base.from_port = base.to_port = -1;
    } else {
      bool ok_from = true, ok_to = true;
      if (f.count("FromPort")) base.from_port = parse_port(f["FromPort"], &ok_from);
      if (f.count("ToPort")) base.to_port = parse_port(f["ToPort"], &ok_to);
      if (!ok_from || !ok_to) return invalid_value("Invalid value for portRange. Must be an integer.");
      if ((base.protocol == "tcp" || base.protocol == "udp") &&
          (!f.count("FromPort") || !f.count("ToPort") || base.from_port < 0 || base.to_port > 65535 ||
           base.from_port > base.to_port)) {
        return invalid_value("Invalid value for portRange. Must specify both from and to ports with TCP/UDP.");
      }
    }
    auto add = [&](const std::string& kind, const std::string& source, const std::string& user, const std::string& desc) {
      SgRule r = base;
      r.source_kind = kind;
      r.source = source;
      r.source_user_id = user;
      r.description = desc;
      rules.push_back(r);
    };
    for (auto& [m, r] : sub_indexed(f, "IpRanges")) {
      if (!valid_cidr4(r["CidrIp"])) return invalid_value("CIDR block " + r["CidrIp"] + " is malformed");
      add("cidr_ipv4", r["CidrIp"], "", r["Description"]);
    }
    for (auto& [m, r] : sub_indexed(f, "Ipv6Ranges")) {
      if (!valid_cidr6(r["CidrIpv6"])) return invalid_value("CIDR block " + r["CidrIpv6"] + " is malformed");
      add("cidr_ipv6", r["CidrIpv6"], "", r["Description"]);
    }
    for (auto& [m, r] : sub_indexed(f, "Groups")) {
      if (r["GroupId"].rfind("sg-", 0) != 0) return invalid_value("Invalid security group id '" + r["GroupId"] + "'");
      add("group", r["GroupId"], r["UserId"].empty() ? account : r["UserId"], r["Description"]);
    }
    for (auto& [m, r] : sub_indexed(f, "PrefixListIds")) {
      if (r["PrefixListId"].rfind("pl-", 0) != 0) return invalid_value("Invalid prefix list id '" + r["PrefixListId"] + "'");
      add("prefix_list", r["PrefixListId"], "", r["Description"]);
    }
  }
  return rules;
}

bool same_rule(const SgRule& a, const SgRule& b) {
  return a.egress == b.egress && a.protocol == b.protocol && a.from_port == b.from_port && a.to_port == b.to_port &&
         a.source_kind == b.source_kind && a.source == b.source;
}

std::variant<SecurityGroup*, ApiError> find_group(OpContext& ctx, const Call& call) {
  const std::string id = call.param("GroupId"), name = call.param("GroupName");
  if (id.empty() && name.empty()) return missing_parameter(Protocol::kEc2, "GroupId");
  if (!id.empty() && id.rfind("sg-", 0) != 0) {
    return ApiError{400, "InvalidGroupId.Malformed", "Invalid id: \"" + id + "\" (expecting \"sg-...\")"};
  }
  for (SecurityGroup& g : ctx.account.security_groups) {
    if (g.region != call.region) continue;
    if ((!id.empty() && g.group_id == id) || (id.empty() && g.name == name)) return &g;
  }
  return ApiError{400, "InvalidGroup.NotFound",
                  "The security group '" + (id.empty() ? name : id) + "' does not exist"};
}

std::string new_rule_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* hex = "0123456789abcdef";
  std::string id = "sgr-";
  for (int i = 0; i < 17; ++i) id.push_back(hex[rng() % 16]);
  return id;
}

// <ipPermissions> content: rules grouped by protocol and port range.
void write_permissions(Xml& x, const SecurityGroup& g, bool egress) {
  struct Key {
    std::string protocol;
    int from, to;
  };
  std::vector<Key> keys;
  for (const SgRule& r : g.rules) {
    if (r.egress != egress) continue;
    bool seen = false;
    for (const Key& k : keys) seen = seen || (k.protocol == r.protocol && k.from == r.from_port && k.to == r.to_port);
    if (!seen) keys.push_back({r.protocol, r.from_port, r.to_port});
  }
  for (const Key& k : keys) {
    x.open("item").leaf("ipProtocol", k.protocol);
    if (k.protocol != "-1") x.leaf("fromPort", k.from).leaf("toPort", k.to);
    auto list = [&](const char* wrapper, const char* kind, auto write_item) {
      x.open(wrapper);
      for (const SgRule& r : g.rules) {
        if (r.egress == egress && r.protocol == k.protocol && r.from_port == k.from && r.to_port == k.to &&
            r.source_kind == kind) {
          x.open("item");
          write_item(r);
          if (!r.description.empty()) x.leaf("description", r.description);
          x.close("item");
        }
      }
      x.close(wrapper);
    };
    list("groups", "group", [&](const SgRule& r) { x.leaf("userId", r.source_user_id).leaf("groupId", r.source); });
    list("ipRanges", "cidr_ipv4", [&](const SgRule& r) { x.leaf("cidrIp", r.source); });
    list("ipv6Ranges", "cidr_ipv6", [&](const SgRule& r) { x.leaf("cidrIpv6", r.source); });
    list("prefixListIds", "prefix_list", [&](const SgRule& r) { x.leaf("prefixListId", r.source); });
    x.close("item");
  }
}

void write_rule_item(Xml& x, const SgRule& r, const SecurityGroup& g, const std::string& account) {
  x.open("item")
      .leaf("securityGroupRuleId", r.rule_id)
      .leaf("groupId", g.group_id)
      .leaf("groupOwnerId", account)
      .leaf("isEgress", r.egress)
      .leaf("ipProtocol", r.protocol)
      .leaf("fromPort", r.from_port)
      .leaf("toPort", r.to_port);
  if (r.source_kind == "cidr_ipv4") x.leaf("cidrIpv4", r.source);
  if (r.source_kind == "cidr_ipv6") x.leaf("cidrIpv6", r.source);
  if (r.source_kind == "prefix_list") x.leaf("prefixListId", r.source);
  if (r.source_kind == "group") {
    x.open("referencedGroupInfo").leaf("groupId", r.source).leaf("userId", r.source_user_id).close("referencedGroupInfo");
  }
  if (!r.description.empty()) x.leaf("description", r.description);
  x.close("item");
}

std::string peer_text(const SgRule& r) {
  std::string proto = r.protocol == "-1" ? "ALL" : r.protocol;
  std::transform(proto.begin(), proto.end(), proto.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return "peer: " + r.source + ", " + proto + ", from port: " + std::to_string(r.from_port) +
         ", to port: " + std::to_string(r.to_port) + ", ALLOW";
}

Outcome describe_security_groups(OpContext& ctx, const Call& call) {
  const std::vector<std::string> ids = values(call, "GroupId"), names = values(call, "GroupName");
  std::vector<std::pair<std::string, std::vector<std::string>>> filters;
  for (auto& [n, f] : indexed(call, "Filter")) {
    std::vector<std::string> vals;
    for (auto& [m, v] : sub_indexed(f, "Value")) vals.push_back(v[""]);
    const std::string name = f["Name"];
    static const std::set<std::string> supported{"group-id", "group-name", "vpc-id"};
    if (!supported.count(name) && name.rfind("tag:", 0) != 0) return invalid_value("The filter '" + name + "' is invalid");
    filters.emplace_back(name, vals);
  }
  for (const std::string& id : ids) {
    bool found = false;
    for (const SecurityGroup& g : ctx.account.security_groups) found = found || (g.group_id == id && g.region == call.region);
    if (id.rfind("sg-", 0) != 0) return ApiError{400, "InvalidGroupId.Malformed", "Invalid id: \"" + id + "\" (expecting \"sg-...\")"};
    if (!found) return ApiError{400, "InvalidGroup.NotFound", "The security group '" + id + "' does not exist"};
  }
  auto in = [](const std::vector<std::string>& list, const std::string& v) {
    return std::find(list.begin(), list.end(), v) != list.end();
  };
  Xml x;
  x.open("securityGroupInfo");
  for (const SecurityGroup& g : ctx.account.security_groups) {
    if (g.region != call.region) continue;
    if (!ids.empty() && !in(ids, g.group_id)) continue;
    if (!names.empty() && !in(names, g.name)) continue;
    bool pass = true;
    for (const auto& [name, vals] : filters) {
      if (name == "group-id") pass = pass && in(vals, g.group_id);
      else if (name == "group-name") pass = pass && in(vals, g.name);
      else if (name == "vpc-id") pass = pass && in(vals, g.vpc_id);
      else {
        auto t = g.tags.find(name.substr(4));
        pass = pass && t != g.tags.end() && in(vals, t->second);
      }
    }
    if (!pass) continue;
    x.open("item")
        .leaf("ownerId", ctx.account.id)
        .leaf("groupId", g.group_id)
        .leaf("groupName", g.name)
        .leaf("groupDescription", g.description)
        .leaf("vpcId", g.vpc_id)
        .leaf("securityGroupArn", "arn:aws:ec2:" + g.region + ":" + ctx.account.id + ":security-group/" + g.group_id);
    x.open("ipPermissions");
    write_permissions(x, g, false);
    x.close("ipPermissions").open("ipPermissionsEgress");
    write_permissions(x, g, true);
    x.close("ipPermissionsEgress");
    if (!g.tags.empty()) {
      x.open("tagSet");
      for (const auto& [k, v] : g.tags) x.open("item").leaf("key", k).leaf("value", v).close("item");
      x.close("tagSet");
    }
    x.close("item");
  }
  x.close("securityGroupInfo");
  return ec2_ok(call, x.str());
}

Outcome revoke_ingress(OpContext& ctx, const Call& call) {
  auto group = find_group(ctx, call);
  if (auto* e = std::get_if<ApiError>(&group)) return *e;
  SecurityGroup& g = *std::get<SecurityGroup*>(group);
  auto parsed = parse_permissions(call, ctx.account.id);
  if (auto* e = std::get_if<ApiError>(&parsed)) return *e;
  const std::vector<SgRule>& wanted = std::get<0>(parsed);
  const std::vector<std::string> rule_ids = values(call, "SecurityGroupRuleId");
  if (wanted.empty() && rule_ids.empty()) return missing_parameter(Protocol::kEc2, "IpPermissions");
  std::set<std::string> remove;
  std::vector<SgRule> unknown;
  for (const SgRule& w : wanted) {
    auto it = std::find_if(g.rules.begin(), g.rules.end(), [&](const SgRule& r) { return same_rule(r, w); });
    if (it == g.rules.end()) unknown.push_back(w);
    else remove.insert(it->rule_id);
  }
  for (const std::string& id : rule_ids) {
    auto it = std::find_if(g.rules.begin(), g.rules.end(), [&](const SgRule& r) { return r.rule_id == id && !r.egress; });
    if (it == g.rules.end()) {
      return ApiError{400, "InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '" + id + "' does not exist"};
    }
    remove.insert(id);
  }
  if (remove.empty()) {
    return ApiError{400, "InvalidPermission.NotFound", "The specified rule does not exist in this security group."};
  }
  Xml x;
  x.leaf("return", true);
  if (!unknown.empty()) {
    SecurityGroup shown = g;
    shown.rules = unknown;
    x.open("unknownIpPermissionSet");
    write_permissions(x, shown, false);
    x.close("unknownIpPermissionSet");
  }
  x.open("revokedSecurityGroupRuleSet");
  for (const SgRule& r : g.rules) {
    if (remove.count(r.rule_id)) write_rule_item(x, r, g, ctx.account.id);
  }
  x.close("revokedSecurityGroupRuleSet");
  g.rules.erase(std::remove_if(g.rules.begin(), g.rules.end(), [&](const SgRule& r) { return remove.count(r.rule_id) > 0; }),
                g.rules.end());
  return ec2_ok(call, x.str());
}

Outcome authorize_ingress(OpContext& ctx, const Call& call) {
  auto group = find_group(ctx, call);
  if (auto* e = std::get_if<ApiError>(&group)) return *e;
  SecurityGroup& g = *std::get<SecurityGroup*>(group);
  auto parsed = parse_permissions(call, ctx.account.id);
  if (auto* e = std::get_if<ApiError>(&parsed)) return *e;
  std::vector<SgRule> added = std::get<0>(parsed);
  if (added.empty()) return missing_parameter(Protocol::kEc2, "IpPermissions");
  for (size_t i = 0; i < added.size(); ++i) {
    for (const SgRule& r : g.rules) {
      if (same_rule(r, added[i])) {
        return ApiError{400, "InvalidPermission.Duplicate", "the specified rule \"" + peer_text(r) + "\" already exists"};
      }
    }
    for (size_t j = 0; j < i; ++j) {
      if (same_rule(added[j], added[i])) {
        return ApiError{400, "InvalidPermission.Duplicate", "the specified rule \"" + peer_text(added[i]) + "\" already exists"};
      }
    }
  }
  Xml x;
  x.leaf("return", true).open("securityGroupRuleSet");
  for (SgRule& r : added) {
    r.rule_id = new_rule_id();
    g.rules.push_back(r);
    write_rule_item(x, r, g, ctx.account.id);
  }
  x.close("securityGroupRuleSet");
  return ec2_ok(call, x.str());
}

Outcome ebs_reply(OpContext& ctx, const Call& call, std::optional<bool> set_to) {
  if (set_to) ctx.account.ebs_encryption_by_default[call.region] = *set_to;
  auto it = ctx.account.ebs_encryption_by_default.find(call.region);
  const bool on = it != ctx.account.ebs_encryption_by_default.end() && it->second;
  Xml x;
  x.leaf("ebsEncryptionByDefault", on).leaf("sseType", std::string("sse-ebs"));
  return ec2_ok(call, x.str());
}

Outcome get_ebs(OpContext& ctx, const Call& call) { return ebs_reply(ctx, call, std::nullopt); }
Outcome enable_ebs(OpContext& ctx, const Call& call) { return ebs_reply(ctx, call, true); }
Outcome disable_ebs(OpContext& ctx, const Call& call) { return ebs_reply(ctx, call, false); }

std::variant<Ec2Snapshot*, ApiError> find_snapshot(OpContext& ctx, const Call& call) {
  const std::string id = call.param("SnapshotId");
  if (id.empty()) return missing_parameter(Protocol::kEc2, "SnapshotId");
  if (id.rfind("snap-", 0) != 0) return ApiError{400, "InvalidSnapshotID.Malformed", "Invalid id: \"" + id + "\" (expecting \"snap-...\")"};
  for (Ec2Snapshot& s : ctx.account.ec2_snapshots) {
    if (s.snapshot_id == id && s.region == call.region) return &s;
  }
  return ApiError{400, "InvalidSnapshot.NotFound", "The snapshot '" + id + "' does not exist."};
}

Outcome describe_snapshot_attribute(OpContext& ctx, const Call& call) {
  auto snap = find_snapshot(ctx, call);
  if (auto* e = std::get_if<ApiError>(&snap)) return *e;
  const Ec2Snapshot& s = *std::get<Ec2Snapshot*>(snap);
  const std::string attribute = call.param("Attribute");
  if (attribute.empty()) return missing_parameter(Protocol::kEc2, "Attribute");
  Xml x;
  x.leaf("snapshotId", s.snapshot_id);
  if (attribute == "createVolumePermission") {
    x.open("createVolumePermission");
    for (const std::string& g : s.create_volume_groups) x.open("item").leaf("group", g).close("item");
    for (const std::string& u : s.create_volume_user_ids) x.open("item").leaf("userId", u).close("item");
    x.close("createVolumePermission");
  } else if (attribute == "productCodes") {
    x.open("productCodes").close("productCodes");
  } else {
    return invalid_value("Value (" + attribute + ") for parameter attribute is invalid. Unknown attribute.");
  }
  return ec2_ok(call, x.str());
}

Outcome modify_snapshot_attribute(OpContext& ctx, const Call& call) {
  auto snap = find_snapshot(ctx, call);
  if (auto* e = std::get_if<ApiError>(&snap)) return *e;
  Ec2Snapshot& s = *std::get<Ec2Snapshot*>(snap);
  const std::string attribute = call.param("Attribute");
  if (!attribute.empty() && attribute != "createVolumePermission") {
    return invalid_value("Value (" + attribute + ") for parameter attribute is invalid. Only createVolumePermission can be modified.");
  }
  std::vector<std::pair<bool, std::map<std::string, std::string>>> changes;  // add?, {Group|UserId}
  const std::string op = call.param("OperationType");
  if (!op.empty() && op != "add" && op != "remove") return invalid_value("Value (" + op + ") for parameter operationType is invalid.");
  for (const std::string& g : values(call, "UserGroup")) changes.push_back({op != "remove", {{"Group", g}}});
  for (const std::string& u : values(call, "UserId")) changes.push_back({op != "remove", {{"UserId", u}}});
  for (auto& [n, f] : indexed(call, "CreateVolumePermission.Add")) changes.push_back({true, f});
  for (auto& [n, f] : indexed(call, "CreateVolumePermission.Remove")) changes.push_back({false, f});
  if (changes.empty()) return missing_parameter(Protocol::kEc2, "CreateVolumePermission");
  for (auto& [add, f] : changes) {
    if (f.count("Group") && f["Group"] != "all") return invalid_value("Value (" + f["Group"] + ") for parameter group is invalid. Only 'all' is supported.");
    if (f.count("UserId") && (f["UserId"].size() != 12 || f["UserId"].find_first_not_of("0123456789") != std::string::npos)) {
      return invalid_value("Value (" + f["UserId"] + ") for parameter userId is invalid.");
    }
  }
  for (auto& [add, f] : changes) {
    if (f.count("Group")) {
      if (add) s.create_volume_groups.insert(f["Group"]);
      else s.create_volume_groups.erase(f["Group"]);
    }
    if (f.count("UserId")) {
      if (add) s.create_volume_user_ids.insert(f["UserId"]);
      else s.create_volume_user_ids.erase(f["UserId"]);
    }
  }
  Xml x;
  x.leaf("return", true);
  return ec2_ok(call, x.str());
}

}  // namespace

const std::map<std::string, OperationInfo>& ec2_operations() {
  static const std::map<std::string, OperationInfo> ops{
      {"DescribeSecurityGroups", {Protocol::kEc2, describe_security_groups}},
      {"RevokeSecurityGroupIngress", {Protocol::kEc2, revoke_ingress}},
      {"AuthorizeSecurityGroupIngress", {Protocol::kEc2, authorize_ingress}},
      {"GetEbsEncryptionByDefault", {Protocol::kEc2, get_ebs}},
      {"EnableEbsEncryptionByDefault", {Protocol::kEc2, enable_ebs}},
      {"DisableEbsEncryptionByDefault", {Protocol::kEc2, disable_ebs}},
      {"DescribeSnapshotAttribute", {Protocol::kEc2, describe_snapshot_attribute}},
      {"ModifySnapshotAttribute", {Protocol::kEc2, modify_snapshot_attribute}},
  };
  return ops;
}

}  // namespace fixgate::cloudsim
