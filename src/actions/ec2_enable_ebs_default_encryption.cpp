// aws.ec2.enable_ebs_default_encryption: make new EBS volumes in the finding's
// region encrypted by default (an account-and-region setting).
#include "actions/action_util.h"
#include "actions/builtin.h"

namespace fixgate::actions {
namespace {

class Ec2EnableEbsDefaultEncryption final : public RemediationAction {
 public:
  Result<Precheck> precheck(ActionContext& ctx) override {
    if (ctx.finding.region.empty()) {
      return make_error("actions.bad_resource", "EBS default encryption is per region and the finding names no region");
    }
    Result<nlohmann::json> body = util::read(ctx, util::make_call(ctx, "ec2", "GetEbsEncryptionByDefault", nlohmann::json::object()));
    if (!body.ok()) return body.error();
    if (!body->contains("EbsEncryptionByDefault")) return util::unexpected("GetEbsEncryptionByDefault", "no EbsEncryptionByDefault");
    const bool enabled = util::flag(*body, "EbsEncryptionByDefault");
    Precheck out;
    out.state = {{"Region", ctx.finding.region}, {"EbsEncryptionByDefault", enabled}};
    out.status = enabled ? PrecheckStatus::already_compliant : PrecheckStatus::needs_change;
    out.reason = std::string("EBS encryption by default is ") + (enabled ? "on" : "off") + " in " + ctx.finding.region;
    return out;
  }

  Result<std::vector<ApiCall>> plan(ActionContext& ctx, const Precheck&) override {
    return std::vector<ApiCall>{util::make_call(ctx, "ec2", "EnableEbsEncryptionByDefault", nlohmann::json::object())};
  }

  Result<std::vector<ApiCall>> rollback_plan(ActionContext& ctx, const nlohmann::json& prior) override {
    if (util::flag(prior, "EbsEncryptionByDefault")) return std::vector<ApiCall>{};
    return std::vector<ApiCall>{util::make_call(ctx, "ec2", "DisableEbsEncryptionByDefault", nlohmann::json::object())};
  }
};

}  // namespace

ActionSpec ec2_enable_ebs_default_encryption_spec() {
  ActionSpec spec;
  spec.name = "aws.ec2.enable_ebs_default_encryption";
  spec.description = "Turn on EBS encryption by default in the finding's account and region";
  spec.resource_types = {"AWS::::Account"};
  spec.permissions.precheck = {"ec2:GetEbsEncryptionByDefault"};
  spec.permissions.apply = {"ec2:EnableEbsEncryptionByDefault"};
  spec.permissions.verify = {"ec2:GetEbsEncryptionByDefault"};
  spec.permissions.rollback = {"ec2:DisableEbsEncryptionByDefault"};
  spec.make = [] { return std::make_unique<Ec2EnableEbsDefaultEncryption>(); };
  return spec;
}

}  // namespace fixgate::actions
