// aws.rds.make_snapshot_private: stop sharing a manual DB snapshot with everyone
// (remove "all" from its restore attribute). Sharing with named accounts stays.
#include <algorithm>

#include "actions/action_util.h"
#include "actions/builtin.h"
#include "actions/resource_names.h"

namespace fixgate::actions {
namespace {

class RdsMakeSnapshotPrivate final : public RemediationAction {
 public:
  Result<Precheck> precheck(ActionContext& ctx) override {
    Result<std::string> id = resource_identifier(ctx.finding, "snapshot:");
    if (!id.ok()) return id.error();
    Result<nlohmann::json> body =
        util::read(ctx, util::make_call(ctx, "rds", "DescribeDBSnapshotAttributes", {{"DBSnapshotIdentifier", *id}}));
    if (!body.ok()) return body.error();
    if (!body->contains("DBSnapshotAttributesResult")) {
      return util::unexpected("DescribeDBSnapshotAttributes", "no DBSnapshotAttributesResult");
    }
    std::vector<std::string> restore;
    for (const auto& attribute : body->at("DBSnapshotAttributesResult").value("DBSnapshotAttributes", nlohmann::json::array())) {
      if (util::text(attribute, "AttributeName") != "restore") continue;
      for (const auto& value : attribute.value("AttributeValues", nlohmann::json::array())) {
        if (value.is_string()) restore.push_back(value.get<std::string>());
      }
    }
    std::sort(restore.begin(), restore.end());
    const bool is_public = std::find(restore.begin(), restore.end(), "all") != restore.end();
    Precheck out;
    out.state = {{"DBSnapshotIdentifier", *id}, {"restore", restore}};
    out.status = is_public ? PrecheckStatus::needs_change : PrecheckStatus::already_compliant;
    out.reason = is_public ? "the snapshot can be restored by any AWS account" : "the snapshot is not public";
    return out;
  }

  Result<std::vector<ApiCall>> plan(ActionContext& ctx, const Precheck& observed) override {
    return std::vector<ApiCall>{util::make_call(ctx, "rds", "ModifyDBSnapshotAttribute",
                                                {{"DBSnapshotIdentifier", observed.state.at("DBSnapshotIdentifier")},
                                                 {"AttributeName", "restore"},
                                                 {"ValuesToRemove", {"all"}}})};
  }

  Result<std::vector<ApiCall>> rollback_plan(ActionContext& ctx, const nlohmann::json& prior) override {
    const auto& restore = prior.at("restore");
    if (std::find(restore.begin(), restore.end(), "all") == restore.end()) return std::vector<ApiCall>{};
    return std::vector<ApiCall>{util::make_call(ctx, "rds", "ModifyDBSnapshotAttribute",
                                                {{"DBSnapshotIdentifier", prior.at("DBSnapshotIdentifier")},
                                                 {"AttributeName", "restore"},
                                                 {"ValuesToAdd", {"all"}}})};
  }
};

}  // namespace

ActionSpec rds_make_snapshot_private_spec() {
  ActionSpec spec;
  spec.name = "aws.rds.make_snapshot_private";
  spec.description = "Remove public ('all') restore access from a manual RDS DB snapshot";
  spec.resource_types = {"AWS::RDS::DBSnapshot"};
  spec.permissions.precheck = {"rds:DescribeDBSnapshotAttributes"};
  spec.permissions.apply = {"rds:ModifyDBSnapshotAttribute"};
  spec.permissions.verify = {"rds:DescribeDBSnapshotAttributes"};
  spec.permissions.rollback = {"rds:ModifyDBSnapshotAttribute"};
  spec.make = [] { return std::make_unique<RdsMakeSnapshotPrivate>(); };
  return spec;
}

}  // namespace fixgate::actions
