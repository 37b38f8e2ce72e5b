// aws.kms.enable_key_rotation: turn on automatic rotation of a customer managed
// symmetric KMS key.
#include "actions/action_util.h"
#include "actions/builtin.h"
#include "actions/resource_names.h"

namespace fixgate::actions {
namespace {

class KmsEnableKeyRotation final : public RemediationAction {
 public:
  Result<Precheck> precheck(ActionContext& ctx) override {
    Result<std::string> key = resource_identifier(ctx.finding, "key/");
    if (!key.ok()) return key.error();
    Result<nlohmann::json> body = util::read(ctx, util::make_call(ctx, "kms", "GetKeyRotationStatus", {{"KeyId", *key}}));
    if (!body.ok()) return body.error();
    if (!body->contains("KeyRotationEnabled")) return util::unexpected("GetKeyRotationStatus", "no KeyRotationEnabled");
    const bool enabled = util::flag(*body, "KeyRotationEnabled");
    Precheck out;
    out.state = {{"KeyId", *key}, {"KeyRotationEnabled", enabled}};
    out.status = enabled ? PrecheckStatus::already_compliant : PrecheckStatus::needs_change;
    out.reason = std::string("key rotation is ") + (enabled ? "enabled" : "disabled");
    return out;
  }

  Result<std::vector<ApiCall>> plan(ActionContext& ctx, const Precheck& observed) override {
    return std::vector<ApiCall>{util::make_call(ctx, "kms", "EnableKeyRotation", {{"KeyId", observed.state.at("KeyId")}})};
  }

  Result<std::vector<ApiCall>> rollback_plan(ActionContext& ctx, const nlohmann::json& prior) override {
    if (util::flag(prior, "KeyRotationEnabled")) return std::vector<ApiCall>{};
    return std::vector<ApiCall>{util::make_call(ctx, "kms", "DisableKeyRotation", {{"KeyId", prior.at("KeyId")}})};
  }
};

}  // namespace

ActionSpec kms_enable_key_rotation_spec() {
  ActionSpec spec;
  spec.name = "aws.kms.enable_key_rotation";
  spec.description = "Enable automatic rotation of a customer managed KMS key";
  spec.resource_types = {"AWS::KMS::Key"};
  spec.permissions.precheck = {"kms:GetKeyRotationStatus"};
  spec.permissions.apply = {"kms:EnableKeyRotation"};
  spec.permissions.verify = {"kms:GetKeyRotationStatus"};
  spec.permissions.rollback = {"kms:DisableKeyRotation"};
  spec.make = [] { return std::make_unique<KmsEnableKeyRotation>(); };
  return spec;
}

}  // namespace fixgate::actions
