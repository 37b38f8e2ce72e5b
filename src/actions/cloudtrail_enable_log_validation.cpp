// aws.cloudtrail.enable_log_validation: turn on log file integrity validation
// (signed digest files) for a trail.
#include "actions/action_util.h"
#include "actions/builtin.h"
#include "actions/resource_names.h"

namespace fixgate::actions {
namespace {

class CloudTrailEnableLogValidation final : public RemediationAction {
 public:
  Result<Precheck> precheck(ActionContext& ctx) override {
    Result<std::string> name = resource_identifier(ctx.finding, "trail/");
    if (!name.ok()) return name.error();
    Result<nlohmann::json> body = util::read(ctx, util::make_call(ctx, "cloudtrail", "GetTrail", {{"Name", *name}}));
    if (!body.ok()) return body.error();
    if (!body->contains("Trail")) return util::unexpected("GetTrail", "no Trail");
    const bool enabled = util::flag(body->at("Trail"), "LogFileValidationEnabled");
    Precheck out;
    out.state = {{"Name", *name}, {"LogFileValidationEnabled", enabled}};
    out.status = enabled ? PrecheckStatus::already_compliant : PrecheckStatus::needs_change;
    out.reason = std::string("log file validation is ") + (enabled ? "enabled" : "disabled");
    return out;
  }

  Result<std::vector<ApiCall>> plan(ActionContext& ctx, const Precheck& observed) override {
    return std::vector<ApiCall>{util::make_call(ctx, "cloudtrail", "UpdateTrail",
                                                {{"Name", observed.state.at("Name")}, {"EnableLogFileValidation", true}})};
  }

  Result<std::vector<ApiCall>> rollback_plan(ActionContext& ctx, const nlohmann::json& prior) override {
    if (util::flag(prior, "LogFileValidationEnabled")) return std::vector<ApiCall>{};
    return std::vector<ApiCall>{util::make_call(ctx, "cloudtrail", "UpdateTrail",
                                                {{"Name", prior.at("Name")}, {"EnableLogFileValidation", false}})};
  }
};

}  // namespace

ActionSpec cloudtrail_enable_log_validation_spec() {
  ActionSpec spec;
  spec.name = "aws.cloudtrail.enable_log_validation";
  spec.description = "Enable CloudTrail log file integrity validation on a trail";
  spec.resource_types = {"AWS::CloudTrail::Trail"};
  spec.permissions.precheck = {"cloudtrail:GetTrail"};
  spec.permissions.apply = {"cloudtrail:UpdateTrail"};
  spec.permissions.verify = {"cloudtrail:GetTrail"};
  spec.permissions.rollback = {"cloudtrail:UpdateTrail"};
  spec.make = [] { return std::make_unique<CloudTrailEnableLogValidation>(); };
  return spec;
}

}  // namespace fixgate::actions
