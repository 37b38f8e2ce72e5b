// aws.s3.block_public_access: turn on all four S3 Block Public Access settings,
// on a bucket (S3 PutPublicAccessBlock) or, when the finding's resource is the
// account (AWS::::Account), account-wide through S3 Control.
#include "actions/action_util.h"
#include "actions/builtin.h"
#include "actions/resource_names.h"

namespace fixgate::actions {
namespace {

constexpr const char* kSettings[] = {"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"};

struct Target {
  std::string service;     // s3 | s3control
  nlohmann::json address;  // {"Bucket": ...} | {"AccountId": ...}
};

Result<Target> target_of(const Finding& finding) {
  if (finding.resource_type == "AWS::::Account") {
    const std::string account = finding_account(finding);
    if (account.size() != 12) return make_error("actions.bad_resource", "account-level finding names no 12-digit account");
    return Target{"s3control", {{"AccountId", account}}};
  }
  Result<std::string> bucket = s3_bucket_name(finding);
  if (!bucket.ok()) return bucket.error();
  return Target{"s3", {{"Bucket", *bucket}}};
}

class S3BlockPublicAccess final : public RemediationAction {
 public:
  Result<Precheck> precheck(ActionContext& ctx) override {
    Result<Target> target = target_of(ctx.finding);
    if (!target.ok()) return target.error();
    Precheck out;
    out.state = {{"scope", target->service == "s3" ? "bucket" : "account"}, {"target", target->address}};
    Result<nlohmann::json> body = util::read(ctx, util::make_call(ctx, target->service, "GetPublicAccessBlock", target->address));
    nlohmann::json config = nlohmann::json::object();
    if (body.ok()) {
      out.state["configured"] = true;
      config = body->value("PublicAccessBlockConfiguration", nlohmann::json::object());
    } else if (aws_error_code(body.error()) == "NoSuchPublicAccessBlockConfiguration") {
      out.state["configured"] = false;
    } else {
      return body.error();
    }
    nlohmann::json normalised = nlohmann::json::object();
    std::string off;
    for (const char* setting : kSettings) {
      normalised[setting] = util::flag(config, setting);
      if (!util::flag(config, setting)) off += std::string(off.empty() ? "" : ", ") + setting;
    }
    out.state["PublicAccessBlockConfiguration"] = normalised;
    out.status = off.empty() ? PrecheckStatus::already_compliant : PrecheckStatus::needs_change;
    out.reason = off.empty() ? "all four Block Public Access settings are on" : "off: " + off;
    return out;
  }

  Result<std::vector<ApiCall>> plan(ActionContext& ctx, const Precheck&) override {
    Result<Target> target = target_of(ctx.finding);
    if (!target.ok()) return target.error();
    nlohmann::json params = target->address;
    for (const char* setting : kSettings) params["PublicAccessBlockConfiguration"][setting] = true;
    return std::vector<ApiCall>{util::make_call(ctx, target->service, "PutPublicAccessBlock", params)};
  }

  Result<std::vector<ApiCall>> rollback_plan(ActionContext& ctx, const nlohmann::json& prior) override {
    Result<Target> target = target_of(ctx.finding);
    if (!target.ok()) return target.error();
    if (!prior.value("configured", false)) {
      return std::vector<ApiCall>{util::make_call(ctx, target->service, "DeletePublicAccessBlock", target->address)};
    }
    nlohmann::json params = target->address;
    params["PublicAccessBlockConfiguration"] = prior.at("PublicAccessBlockConfiguration");
    return std::vector<ApiCall>{util::make_call(ctx, target->service, "PutPublicAccessBlock", params)};
  }
};

}  // namespace

ActionSpec s3_block_public_access_spec() {
  ActionSpec spec;
  spec.name = "aws.s3.block_public_access";
  spec.description = "Turn on all four S3 Block Public Access settings for a bucket, or account-wide";
  spec.resource_types = {"AWS::S3::Bucket", "AWS::::Account"};
  // DeletePublicAccessBlock is authorised by the Put permission (S3 has no Delete* IAM action for it).
  spec.permissions.precheck = {"s3:GetBucketPublicAccessBlock", "s3:GetAccountPublicAccessBlock"};
  spec.permissions.apply = {"s3:PutBucketPublicAccessBlock", "s3:PutAccountPublicAccessBlock"};
  spec.permissions.verify = spec.permissions.precheck;
  spec.permissions.rollback = spec.permissions.apply;
  spec.make = [] { return std::make_unique<S3BlockPublicAccess>(); };
  return spec;
}

}  // namespace fixgate::actions
