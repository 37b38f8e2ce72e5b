// aws.s3.enable_default_encryption: give a bucket a default server-side
// encryption rule (SSE-S3 by default, or SSE-KMS with an optional key).
#include "actions/action_util.h"
#include "actions/builtin.h"
#include "actions/resource_names.h"

namespace fixgate::actions {
namespace {

class S3EnableDefaultEncryption final : public RemediationAction {
 public:
  Result<Precheck> precheck(ActionContext& ctx) override {
    Result<std::string> bucket = s3_bucket_name(ctx.finding);
    if (!bucket.ok()) return bucket.error();
    Precheck out;
    out.state = {{"Bucket", *bucket}};
    Result<nlohmann::json> body = util::read(ctx, util::make_call(ctx, "s3", "GetBucketEncryption", {{"Bucket", *bucket}}));
    if (!body.ok()) {
      if (aws_error_code(body.error()) != "ServerSideEncryptionConfigurationNotFoundError") return body.error();
      out.state["configured"] = false;
      out.status = PrecheckStatus::needs_change;
      out.reason = "the bucket has no default encryption configuration";
      return out;
    }
    const nlohmann::json config = body->value("ServerSideEncryptionConfiguration", nlohmann::json::object());
    out.state["configured"] = true;
    out.state["ServerSideEncryptionConfiguration"] = config;
    std::string algorithm;
    for (const auto& rule : config.value("Rules", nlohmann::json::array())) {
      const std::string a = util::text(rule.value("ApplyServerSideEncryptionByDefault", nlohmann::json::object()), "SSEAlgorithm");
      if (!a.empty()) algorithm = a;
    }
    out.status = algorithm.empty() ? PrecheckStatus::needs_change : PrecheckStatus::already_compliant;
    out.reason = algorithm.empty() ? "no rule sets a default SSE algorithm" : "default encryption is " + algorithm;
    return out;
  }

  Result<std::vector<ApiCall>> plan(ActionContext& ctx, const Precheck& observed) override {
    nlohmann::json by_default = {{"SSEAlgorithm", ctx.params.value("algorithm", "AES256")}};
    const std::string key = ctx.params.value("kms_key_id", "");
    if (!key.empty()) {
      if (by_default["SSEAlgorithm"] != "aws:kms") {
        return make_error("actions.invalid_params", "aws.s3.enable_default_encryption: params.kms_key_id needs algorithm aws:kms");
      }
      by_default["KMSMasterKeyID"] = key;
    }
    nlohmann::json rule = nlohmann::json::object();
    rule["ApplyServerSideEncryptionByDefault"] = by_default;
    nlohmann::json params = nlohmann::json::object();
    params["Bucket"] = observed.state.at("Bucket");
    params["ServerSideEncryptionConfiguration"]["Rules"] = nlohmann::json::array({rule});
    return std::vector<ApiCall>{util::make_call(ctx, "s3", "PutBucketEncryption", params)};
  }

  Result<std::vector<ApiCall>> rollback_plan(ActionContext& ctx, const nlohmann::json& prior) override {
    const nlohmann::json bucket = prior.at("Bucket");
    if (!prior.value("configured", false)) {
      return std::vector<ApiCall>{util::make_call(ctx, "s3", "DeleteBucketEncryption", {{"Bucket", bucket}})};
    }
    return std::vector<ApiCall>{util::make_call(
        ctx, "s3", "PutBucketEncryption",
        {{"Bucket", bucket}, {"ServerSideEncryptionConfiguration", prior.at("ServerSideEncryptionConfiguration")}})};
  }
};

}  // namespace

ActionSpec s3_enable_default_encryption_spec() {
  ActionSpec spec;
  spec.name = "aws.s3.enable_default_encryption";
  spec.description = "Set a bucket's default server-side encryption (SSE-S3, or SSE-KMS)";
  spec.resource_types = {"AWS::S3::Bucket"};
  spec.params = {
      {.name = "algorithm", .type = ParamType::string, .default_value = "AES256", .allowed = {"AES256", "aws:kms"},
       .description = "default SSE algorithm"},
      {.name = "kms_key_id", .type = ParamType::string, .default_value = "",
       .description = "KMS key for aws:kms; empty uses the AWS managed key"},
  };
  // DeleteBucketEncryption is authorised by s3:PutEncryptionConfiguration.
  spec.permissions.precheck = {"s3:GetEncryptionConfiguration"};
  spec.permissions.apply = {"s3:PutEncryptionConfiguration"};
  spec.permissions.verify = {"s3:GetEncryptionConfiguration"};
  spec.permissions.rollback = {"s3:PutEncryptionConfiguration"};
  spec.make = [] { return std::make_unique<S3EnableDefaultEncryption>(); };
  return spec;
}

}  // namespace fixgate::actions
