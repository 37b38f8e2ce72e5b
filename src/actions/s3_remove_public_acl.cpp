// aws.s3.remove_public_acl: drop the bucket ACL grants to everyone (AllUsers) and
// to any AWS account (AuthenticatedUsers); every other grant is kept as it is.
#include <algorithm>

#include "actions/action_util.h"
#include "actions/builtin.h"
#include "actions/resource_names.h"

namespace fixgate::actions {
namespace {

bool is_public_grant(const nlohmann::json& grant) {
  const std::string uri = util::text(grant.value("Grantee", nlohmann::json::object()), "URI");
  return uri == "http://acs.amazonaws.com/groups/global/AllUsers" ||
         uri == "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
}

class S3RemovePublicAcl final : public RemediationAction {
 public:
  Result<Precheck> precheck(ActionContext& ctx) override {
    Result<std::string> bucket = s3_bucket_name(ctx.finding);
    if (!bucket.ok()) return bucket.error();
    Result<nlohmann::json> body = util::read(ctx, util::make_call(ctx, "s3", "GetBucketAcl", {{"Bucket", *bucket}}));
    if (!body.ok()) return body.error();
    if (!body->contains("Owner")) return util::unexpected("GetBucketAcl", "no Owner");
    nlohmann::json grants = body->value("Grants", nlohmann::json::array());
    std::sort(grants.begin(), grants.end(), [](const nlohmann::json& a, const nlohmann::json& b) { return a.dump() < b.dump(); });
    Precheck out;
    out.state = {{"Bucket", *bucket}, {"Owner", body->at("Owner")}, {"Grants", grants}};
    const auto public_grants = std::count_if(grants.begin(), grants.end(), is_public_grant);
    out.status = public_grants == 0 ? PrecheckStatus::already_compliant : PrecheckStatus::needs_change;
    out.reason = public_grants == 0 ? "the bucket ACL grants nothing to AllUsers or AuthenticatedUsers"
                                    : std::to_string(public_grants) + " ACL grant(s) to AllUsers/AuthenticatedUsers";
    return out;
  }

  Result<std::vector<ApiCall>> plan(ActionContext& ctx, const Precheck& observed) override {
    nlohmann::json kept = nlohmann::json::array();
    for (const auto& grant : observed.state.at("Grants")) {
      if (!is_public_grant(grant)) kept.push_back(grant);
    }
    return std::vector<ApiCall>{util::make_call(
        ctx, "s3", "PutBucketAcl",
        {{"Bucket", observed.state.at("Bucket")},
         {"AccessControlPolicy", {{"Owner", observed.state.at("Owner")}, {"Grants", kept}}}})};
  }

  Result<std::vector<ApiCall>> rollback_plan(ActionContext& ctx, const nlohmann::json& prior) override {
    return std::vector<ApiCall>{util::make_call(
        ctx, "s3", "PutBucketAcl",
        {{"Bucket", prior.at("Bucket")}, {"AccessControlPolicy", {{"Owner", prior.at("Owner")}, {"Grants", prior.at("Grants")}}}})};
  }
};

}  // namespace

ActionSpec s3_remove_public_acl_spec() {
  ActionSpec spec;
  spec.name = "aws.s3.remove_public_acl";
  spec.description = "Remove bucket ACL grants to AllUsers and AuthenticatedUsers, keeping every other grant";
  spec.resource_types = {"AWS::S3::Bucket"};
  spec.permissions.precheck = {"s3:GetBucketAcl"};
  spec.permissions.apply = {"s3:PutBucketAcl"};
  spec.permissions.verify = {"s3:GetBucketAcl"};
  spec.permissions.rollback = {"s3:PutBucketAcl"};
  spec.make = [] { return std::make_unique<S3RemovePublicAcl>(); };
  return spec;
}

}  // namespace fixgate::actions
