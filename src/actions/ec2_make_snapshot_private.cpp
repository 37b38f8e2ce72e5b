// aws.ec2.make_snapshot_private: stop sharing an EBS snapshot with everyone
// (remove the "all" group from createVolumePermission). Sharing with named
// accounts stays.
#include <algorithm>

#include "actions/action_util.h"
#include "actions/builtin.h"
#include "actions/resource_names.h"

namespace fixgate::actions {
namespace {

class Ec2MakeSnapshotPrivate final : public RemediationAction {
 public:
  Result<Precheck> precheck(ActionContext& ctx) override {
    Result<std::string> id = resource_identifier(ctx.finding, "snapshot/");
    if (!id.ok()) return id.error();
    Result<nlohmann::json> body = util::read(
        ctx, util::make_call(ctx, "ec2", "DescribeSnapshotAttribute", {{"SnapshotId", *id}, {"Attribute", "createVolumePermission"}}));
    if (!body.ok()) return body.error();
    bool is_public = false;
    std::vector<std::string> users;
    for (const auto& permission : body->value("CreateVolumePermissions", nlohmann::json::array())) {
      if (util::text(permission, "Group") == "all") is_public = true;
      if (!util::text(permission, "UserId").empty()) users.push_back(util::text(permission, "UserId"));
    }
    std::sort(users.begin(), users.end());
    Precheck out;
    out.state = {{"SnapshotId", *id}, {"public", is_public}};
    out.evidence = {{"shared_with_accounts", users}};
    out.status = is_public ? PrecheckStatus::needs_change : PrecheckStatus::already_compliant;
    out.reason = is_public ? "any AWS account can create a volume from the snapshot" : "the snapshot is not public";
    return out;
  }

  Result<std::vector<ApiCall>> plan(ActionContext& ctx, const Precheck& observed) override {
    return std::vector<ApiCall>{modify(ctx, observed.state.at("SnapshotId"), "Remove")};
  }

  Result<std::vector<ApiCall>> rollback_plan(ActionContext& ctx, const nlohmann::json& prior) override {
    if (!util::flag(prior, "public")) return std::vector<ApiCall>{};
    return std::vector<ApiCall>{modify(ctx, prior.at("SnapshotId"), "Add")};
  }

 private:
  static ApiCall modify(ActionContext& ctx, const nlohmann::json& snapshot, const char* operation) {
    nlohmann::json permission = nlohmann::json::object();
    permission[operation] = nlohmann::json::array({{{"Group", "all"}}});
    return util::make_call(ctx, "ec2", "ModifySnapshotAttribute",
                           {{"SnapshotId", snapshot}, {"Attribute", "createVolumePermission"}, {"CreateVolumePermission", permission}});
  }
};

}  // namespace

ActionSpec ec2_make_snapshot_private_spec() {
  ActionSpec spec;
  spec.name = "aws.ec2.make_snapshot_private";
  spec.description = "Remove public create-volume permission from an EBS snapshot";
  spec.resource_types = {"AWS::EC2::Snapshot"};
  spec.permissions.precheck = {"ec2:DescribeSnapshotAttribute"};
  spec.permissions.apply = {"ec2:ModifySnapshotAttribute"};
  spec.permissions.verify = {"ec2:DescribeSnapshotAttribute"};
  spec.permissions.rollback = {"ec2:ModifySnapshotAttribute"};
  spec.make = [] { return std::make_unique<Ec2MakeSnapshotPrivate>(); };
  return spec;
}

}  // namespace fixgate::actions
