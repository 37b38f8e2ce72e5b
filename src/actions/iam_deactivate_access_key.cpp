// aws.iam.deactivate_access_key: deactivate (never delete) a user's active access
// keys older than params.max_age_days.
//
// A stale key that was nevertheless used within params.recent_use_hours is a live
// credential something depends on: switching it off could break production, so
// precheck answers needs_approval with the last-used evidence and nothing changes.
#include <algorithm>

#include "actions/action_util.h"
#include "actions/builtin.h"
#include "actions/resource_names.h"

namespace fixgate::actions {
namespace {

constexpr int kMaxPages = 100;  // ListAccessKeys pages; a user has at most 2 keys, so this is generous

Result<nlohmann::json> list_keys(ActionContext& ctx, const std::string& user) {
  nlohmann::json keys = nlohmann::json::array();
  nlohmann::json params = {{"UserName", user}};
  for (int page = 0; page < kMaxPages; ++page) {
    Result<nlohmann::json> body = util::read(ctx, util::make_call(ctx, "iam", "ListAccessKeys", params));
    if (!body.ok()) return body.error();
    for (const auto& key : body->value("AccessKeyMetadata", nlohmann::json::array())) keys.push_back(key);
    if (!util::flag(*body, "IsTruncated")) return keys;
    params["Marker"] = util::text(*body, "Marker");
  }
  return util::unexpected("ListAccessKeys", "more than 100 pages");
}

class IamDeactivateAccessKey final : public RemediationAction {
 public:
  Result<Precheck> precheck(ActionContext& ctx) override {
    Result<std::string> user = resource_identifier(ctx.finding, "user/");
    if (!user.ok()) return user.error();
    Result<nlohmann::json> keys = list_keys(ctx, *user);
    if (!keys.ok()) return keys.error();
    const auto max_age = std::chrono::hours(24) * ctx.params.at("max_age_days").get<long long>();
    const auto recent = std::chrono::hours(ctx.params.at("recent_use_hours").get<long long>());

    nlohmann::json stale = nlohmann::json::array();
    nlohmann::json last_used = nlohmann::json::array();
    nlohmann::json recently_used = nlohmann::json::array();
    for (const auto& key : *keys) {
      if (util::text(key, "Status") != "Active") continue;
      const std::string id = util::text(key, "AccessKeyId");
      const auto created = parse_aws_time(util::text(key, "CreateDate"));
      if (id.empty() || !created) return util::unexpected("ListAccessKeys", "key without AccessKeyId or CreateDate");
      if (ctx.now - *created <= max_age) continue;
      stale.push_back({{"AccessKeyId", id}, {"Status", "Active"}, {"CreateDate", format_aws_time(*created)}});

      Result<nlohmann::json> used = util::read(ctx, util::make_call(ctx, "iam", "GetAccessKeyLastUsed", {{"AccessKeyId", id}}));
      if (!used.ok()) return used.error();
      const nlohmann::json info = used->value("AccessKeyLastUsed", nlohmann::json::object());
      const auto when = parse_aws_time(util::text(info, "LastUsedDate"));
      nlohmann::json entry = {{"AccessKeyId", id}, {"LastUsedDate", when ? format_aws_time(*when) : "never"},
                              {"ServiceName", util::text(info, "ServiceName")}, {"Region", util::text(info, "Region")}};
      last_used.push_back(entry);
      if (when && ctx.now - *when < recent) recently_used.push_back(entry);
    }
    std::sort(stale.begin(), stale.end(), [](const auto& a, const auto& b) { return a.dump() < b.dump(); });

    Precheck out;
    out.state = {{"UserName", *user}, {"Keys", stale}};
    out.evidence = {{"last_used", last_used}, {"max_age_days", ctx.params.at("max_age_days")}};
    if (stale.empty()) {
      out.status = PrecheckStatus::already_compliant;
      out.reason = "no active access key is older than " + ctx.params.at("max_age_days").dump() + " days";
    } else if (!recently_used.empty()) {
      out.status = PrecheckStatus::needs_approval;
      out.evidence["recently_used"] = recently_used;
      out.reason = "a stale key was used within the last " + ctx.params.at("recent_use_hours").dump() +
                   " hours (last used " + recently_used[0]["LastUsedDate"].get<std::string>() + " via " +
                   recently_used[0]["ServiceName"].get<std::string>() + "): deactivating it may break a workload";
    } else {
      out.status = PrecheckStatus::needs_change;
      out.reason = std::to_string(stale.size()) + " active key(s) older than " + ctx.params.at("max_age_days").dump() + " days";
    }
    return out;
  }

  Result<std::vector<ApiCall>> plan(ActionContext& ctx, const Precheck& observed) override {
    return update_all(ctx, observed.state, "Inactive");
  }

  Result<std::vector<ApiCall>> rollback_plan(ActionContext& ctx, const nlohmann::json& prior) override {
    return update_all(ctx, prior, "Active");
  }

 private:
  static std::vector<ApiCall> update_all(ActionContext& ctx, const nlohmann::json& state, const char* status) {
    std::vector<ApiCall> calls;
    for (const auto& key : state.at("Keys")) {
      calls.push_back(util::make_call(ctx, "iam", "UpdateAccessKey",
                                      {{"UserName", state.at("UserName")}, {"AccessKeyId", key.at("AccessKeyId")}, {"Status", status}}));
    }
    return calls;
  }
};

}  // namespace

ActionSpec iam_deactivate_access_key_spec() {
  ActionSpec spec;
  spec.name = "aws.iam.deactivate_access_key";
  spec.description = "Deactivate a user's active access keys older than max_age_days; recently used keys need approval";
  spec.resource_types = {"AWS::IAM::User"};
  spec.params = {
      {.name = "max_age_days", .type = ParamType::integer, .default_value = 90, .min = 1, .max = 3650,
       .description = "keys created longer ago than this are stale"},
      {.name = "recent_use_hours", .type = ParamType::integer, .default_value = 24, .min = 0, .max = 24 * 90,
       .description = "a stale key used within this many hours needs approval instead"},
  };
  spec.permissions.precheck = {"iam:ListAccessKeys", "iam:GetAccessKeyLastUsed"};
  spec.permissions.apply = {"iam:UpdateAccessKey"};
  spec.permissions.verify = {"iam:ListAccessKeys", "iam:GetAccessKeyLastUsed"};
  spec.permissions.rollback = {"iam:UpdateAccessKey"};
  spec.make = [] { return std::make_unique<IamDeactivateAccessKey>(); };
  return spec;
}

}  // namespace fixgate::actions
