// decide() against the reference configuration: one table row per precedence
// row, then the rows pairwise to prove which one wins.
#include <functional>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "decision/decision.h"
#include "fixtures.h"

namespace fixgate {
namespace {

using testing::decide_at;
using testing::eligible_finding;
using testing::reference_config;
using testing::test_now;
using testing::utc;
using ::testing::HasSubstr;

struct Row {
  const char* name;
  std::function<void(Finding&, Config&, Enrichment&)> change;
  Outcome outcome;
  const char* reason;
};

void public_website_bucket(Finding& f) {
  f.resource_arn = f.resource_id = "arn:aws:s3:::public-website-assets";
}
void bastion_sg(Finding& f) {
  f.control_ids = {"wc-sg-ssh-open"};
  f.resource_arn = f.resource_id = "arn:aws:ec2:us-east-1:111111111111:security-group/sg-0bastion0000000000";
  f.resource_type = "AWS::EC2::SecurityGroup";
}
void ebs_account(Finding& f, const std::string& account) {
  f.control_ids = {"wc-ebs-unencrypted"};
  f.resource_arn = "";
  f.resource_id = account;
  f.resource_type = "AWS::::Account";
  f.account = account;
  f.severity = Severity::medium;
}
void without_env_tag(Finding& f) { f.tags = {{"owner", "team-data"}}; }

// Every outcome/reason the precedence defines, each from a one-change finding.
const std::vector<Row>& rows() {
  static const std::vector<Row> table = {
      {"eligible", [](Finding&, Config&, Enrichment&) {}, Outcome::remediate, "eligible"},
      {"malformed", [](Finding& f, Config&, Enrichment&) { f.malformed = Malformation{"issue.severity", "is missing"}; },
       Outcome::reject, "malformed_payload"},
      {"no_id", [](Finding& f, Config&, Enrichment&) { f.id.clear(); }, Outcome::reject, "malformed_payload"},
      {"resolved", [](Finding& f, Config&, Enrichment&) { f.status = "Resolved"; f.open = false; }, Outcome::skip,
       "not_open"},
      {"suppression_tag_any_case_any_value",
       [](Finding& f, Config&, Enrichment&) { f.tags.push_back({"FixGate:Skip", ""}); }, Outcome::skip,
       "exception_tag"},
      {"second_suppression_tag",
       [](Finding& f, Config&, Enrichment&) { f.tags.push_back({"Security-Exception", "SEC-12"}); }, Outcome::skip,
       "exception_tag"},
      {"waiver_approved_unexpired", [](Finding& f, Config&, Enrichment&) { public_website_bucket(f); }, Outcome::skip,
       "exception_waiver"},
      {"stored_waiver_by_tag_and_glob",
       [](Finding& f, Config&, Enrichment& e) {
         Waiver w;
         w.id = "WVR-STORE-7";
         w.resources = {"arn:aws:s3:::customer-*"};
         w.tags = {{"Owner", "*"}};
         w.status = WaiverStatus::approved;
         w.expires = std::chrono::year{2027} / 1 / 31;
         e.waivers.push_back(w);
         (void)f;
       },
       Outcome::skip, "exception_waiver"},
      {"unsupported_control", [](Finding& f, Config&, Enrichment&) { f.control_ids = {"wc-lambda-public-url"}; },
       Outcome::reject, "unsupported_control"},
      {"unsupported_resource_type",
       [](Finding& f, Config&, Enrichment&) { f.resource_type = "AWS::EC2::Instance"; }, Outcome::reject,
       "unsupported_resource_type"},
      {"unknown_resource_type", [](Finding& f, Config&, Enrichment&) { f.resource_type.clear(); }, Outcome::reject,
       "unsupported_resource_type"},
      {"action_not_allowed",
       [](Finding& f, Config&, Enrichment&) {
         f.control_ids = {"RDS.1"};
         f.resource_arn = f.resource_id = "arn:aws:rds:us-east-1:111111111111:snapshot:db-snap-1";
         f.resource_type = "AWS::RDS::DBSnapshot";
       },
       Outcome::reject, "action_not_allowed"},
      {"severity_below_threshold", [](Finding& f, Config&, Enrichment&) { f.severity = Severity::medium; },
       Outcome::notify, "severity_below_threshold"},
      {"severity_unknown", [](Finding& f, Config&, Enrichment&) { f.severity = Severity::unknown; }, Outcome::notify,
       "severity_below_threshold"},
      {"owner_missing", [](Finding& f, Config&, Enrichment&) { f.tags = {{"environment", "production"}}; },
       Outcome::notify, "owner_missing"},
      {"owner_tag_empty", [](Finding& f, Config&, Enrichment&) { f.tags = {{"env", "prod"}, {"owner", " "}}; },
       Outcome::notify, "owner_missing"},
      {"environment_unknown_no_source",
       [](Finding& f, Config&, Enrichment&) { without_env_tag(f); f.account = "444444444444"; }, Outcome::notify,
       "environment_unknown"},
      {"environment_named_but_not_in_policy",
       [](Finding& f, Config&, Enrichment&) { f.tags = {{"Env", "qa"}, {"owner", "team-data"}}; }, Outcome::notify,
       "environment_unknown"},
      {"environment_unknown_policy_approval",
       [](Finding& f, Config& c, Enrichment&) {
         without_env_tag(f);
         f.account = "444444444444";
         c.environments.unknown = EnvironmentPolicy::approval;
       },
       Outcome::approval_required, "environment_unknown"},
      {"restricted_production_by_account",
       [](Finding& f, Config&, Enrichment&) { without_env_tag(f); f.account = "333333333333"; },
       Outcome::approval_required, "environment_requires_approval"},
      {"restricted_by_alias_tag",
       [](Finding& f, Config&, Enrichment&) { f.tags = {{"STAGE", "Restricted"}, {"team", "t"}}; },
       Outcome::approval_required, "environment_requires_approval"},
      {"catalog_override_beats_policy", [](Finding& f, Config&, Enrichment&) { bastion_sg(f); f.resource_arn += "x"; },
       Outcome::approval_required, "environment_requires_approval"},
      {"environment_dry_run",
       [](Finding& f, Config& c, Enrichment&) { c.environments.policy["production"] = EnvironmentPolicy::dry_run; (void)f; },
       Outcome::dry_run, "environment_dry_run"},
      {"environment_notify",
       [](Finding& f, Config& c, Enrichment&) { c.environments.policy["production"] = EnvironmentPolicy::notify; (void)f; },
       Outcome::notify, "environment_notify"},
      {"catalog_override_relaxes_to_auto",
       [](Finding& f, Config& c, Enrichment&) {
         bastion_sg(f);
         f.tags = {{"env", "restricted"}, {"owner", "o"}};
         c.catalog[2].environments["restricted-production"] = EnvironmentPolicy::auto_remediate;
       },
       Outcome::remediate, "eligible"},
      {"account_not_configured",
       [](Finding& f, Config& c, Enrichment&) {
         c.accounts.default_settings.reset();
         c.accounts.by_id["222222222222"] = AccountSettings{};
         (void)f;
       },
       Outcome::notify, "account_not_configured"},
      {"mode_dry_run", [](Finding&, Config& c, Enrichment&) { c.mode = Mode::dry_run; }, Outcome::dry_run,
       "mode_dry_run"},
      {"kill_switch", [](Finding&, Config&, Enrichment& e) { e.kill_switch = true; }, Outcome::dry_run, "mode_dry_run"},
      {"alias_prd_from_env_tag", [](Finding& f, Config&, Enrichment&) { f.tags = {{"ENV", "PRD"}, {"Owner", "x"}}; },
       Outcome::remediate, "eligible"},
      {"staging_by_account_table", [](Finding& f, Config&, Enrichment&) { without_env_tag(f); f.account = "222222222222"; },
       Outcome::remediate, "eligible"},
      {"sg_in_staging_is_auto",
       [](Finding& f, Config&, Enrichment&) { bastion_sg(f); f.resource_arn += "x"; f.tags[0].value = "staging"; },
       Outcome::remediate, "eligible"},
      {"expired_waiver_not_honoured", [](Finding& f, Config&, Enrichment&) { bastion_sg(f); },
       Outcome::approval_required, "environment_requires_approval"},
      {"pending_waiver_not_honoured",
       [](Finding& f, Config&, Enrichment&) { ebs_account(f, "222222222222"); without_env_tag(f); }, Outcome::remediate,
       "eligible"},
      {"asff_control_case_insensitive",
       [](Finding& f, Config&, Enrichment&) { f.source = FindingSource::asff; f.control_ids = {"s3.8"}; },
       Outcome::remediate, "eligible"},
  };
  return table;
}

class DecideTable : public ::testing::TestWithParam<Row> {};

TEST_P(DecideTable, OutcomeAndReason) {
  const Row& row = GetParam();
  Finding f = eligible_finding();
  Config c = reference_config();
  Enrichment e;
  row.change(f, c, e);
  Enrichment enriched = enrich_from_config(f, c, test_now());
  enriched.waivers = e.waivers;
  enriched.kill_switch = e.kill_switch;
  const Decision d = decide(f, enriched, c);
  EXPECT_EQ(to_string(d.outcome), std::string(to_string(row.outcome))) << d.to_json().dump(2);
  ASSERT_FALSE(d.reasons.empty());
  EXPECT_EQ(d.reason().code, row.reason) << d.to_json().dump(2);
  // Every check is evaluated whatever the outcome.
  EXPECT_GE(d.checks.size(), 13u);
}

INSTANTIATE_TEST_SUITE_P(Reference, DecideTable, ::testing::ValuesIn(rows()),
                         [](const auto& info) { return std::string(info.param.name); });

// For each adjacent pair of precedence rows, a finding that trips both gets the
// earlier one's outcome.
TEST(DecidePrecedence, EarlierRowWins) {
  const Config c = reference_config();
  auto run = [&](const std::function<void(Finding&)>& change) {
    Finding f = eligible_finding();
    change(f);
    return decide_at(f, c);
  };
  auto expect = [](const Decision& d, Outcome outcome, const std::string& code, const std::string& also) {
    EXPECT_EQ(d.outcome, outcome) << d.to_json().dump(2);
    ASSERT_GE(d.reasons.size(), 2u);
    EXPECT_EQ(d.reasons[0].code, code);
    bool found = false;
    for (const auto& r : d.reasons) found = found || r.code == also;
    EXPECT_TRUE(found) << "later blocker " << also << " not listed";
  };
  expect(run([](Finding& f) { f.malformed = Malformation{"payload", "x"}; f.open = false; }), Outcome::reject,
         "malformed_payload", "not_open");
  expect(run([](Finding& f) { f.open = false; f.tags.push_back({"fixgate:skip", "1"}); }), Outcome::skip, "not_open",
         "exception_tag");
  expect(run([](Finding& f) { f.tags.push_back({"fixgate:skip", "1"}); f.control_ids = {"nope"}; }), Outcome::skip,
         "exception_tag", "unsupported_control");
  expect(run([](Finding& f) { public_website_bucket(f); f.resource_type = "AWS::EC2::Instance"; }), Outcome::skip,
         "exception_waiver", "unsupported_resource_type");
  expect(run([](Finding& f) { f.control_ids = {"nope"}; f.severity = Severity::low; f.tags.clear(); }), Outcome::reject,
         "unsupported_control", "owner_missing");
  expect(run([](Finding& f) { f.severity = Severity::low; f.tags = {{"env", "prod"}}; }), Outcome::notify,
         "severity_below_threshold", "owner_missing");
  expect(run([](Finding& f) { f.tags.clear(); f.account = "444444444444"; }), Outcome::notify, "owner_missing",
         "environment_unknown");
}

TEST(DecidePrecedence, EnvironmentPolicyBeatsAccountAndAccountBeatsMode) {
  Config c = reference_config();
  c.accounts.default_settings.reset();
  c.mode = Mode::dry_run;
  Finding f = eligible_finding();
  f.tags = {{"env", "restricted"}, {"owner", "o"}};
  Decision d = decide_at(f, c);
  EXPECT_EQ(d.outcome, Outcome::approval_required);
  ASSERT_EQ(d.reasons.size(), 3u);
  EXPECT_EQ(d.reasons[1].code, "account_not_configured");
  EXPECT_EQ(d.reasons[2].code, "mode_dry_run");

  f.tags = {{"env", "prod"}, {"owner", "o"}};
  d = decide_at(f, c);
  EXPECT_EQ(d.outcome, Outcome::notify);
  EXPECT_EQ(d.reason().code, "account_not_configured");
}

TEST(DecideChecks, EveryCheckInOrderWithEvidence) {
  const Decision d = decide_at(eligible_finding(), reference_config());
  std::vector<std::string> names;
  for (const auto& check : d.checks) {
    names.push_back(check.name);
    EXPECT_TRUE(check.passed) << check.name << ": " << check.detail;
    EXPECT_FALSE(check.detail.empty()) << check.name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"payload_well_formed", "finding_open", "no_suppression_tag",
                                             "no_active_waiver", "control_supported", "resource_type_supported",
                                             "action_allowed", "severity_threshold", "owner_found", "environment_known",
                                             "environment_policy", "account_configured", "mode_enforce"}));
  EXPECT_EQ(d.outcome, Outcome::remediate);
  EXPECT_EQ(d.catalog_entry, "s3-public-access");
  EXPECT_EQ(d.action, "aws.s3.block_public_access");
  EXPECT_EQ(d.params, nlohmann::json::object());
  EXPECT_EQ(d.environment, "production");
  EXPECT_EQ(d.environment_source, "tag:environment");
  EXPECT_EQ(d.owner, "team-data");
  EXPECT_EQ(d.owner_source, "tag:owner");
  EXPECT_EQ(d.exception, "");
}

TEST(DecideWaivers, Wvr1042HonouredThroughItsLastDayOnly) {
  const Config c = reference_config();
  Finding f = eligible_finding();
  public_website_bucket(f);
  for (auto now : {test_now(), utc(2030, 6, 30), utc(2030, 6, 30, 23, 59, 59)}) {
    const Decision d = decide_at(f, c, now);
    EXPECT_EQ(d.outcome, Outcome::skip);
    EXPECT_EQ(d.reason().code, "exception_waiver");
    EXPECT_EQ(d.exception, "WVR-1042");
    EXPECT_EQ(d.exception_type, "waiver");
  }
  const Decision after = decide_at(f, c, utc(2030, 7, 1));
  EXPECT_EQ(after.outcome, Outcome::remediate);
  EXPECT_EQ(after.exception, "");
  const auto it = std::find_if(after.checks.begin(), after.checks.end(),
                               [](const Check& check) { return check.name == "waiver_valid:WVR-1042"; });
  ASSERT_NE(it, after.checks.end());
  EXPECT_FALSE(it->passed);
  EXPECT_THAT(it->detail, HasSubstr("expired"));
}

TEST(DecideWaivers, Wvr0999ExpiredIsAFailedCheckAndNotHonoured) {
  Finding f = eligible_finding();
  bastion_sg(f);
  const Decision d = decide_at(f, reference_config());
  EXPECT_EQ(d.outcome, Outcome::approval_required);
  EXPECT_EQ(d.exception, "");
  const auto it = std::find_if(d.checks.begin(), d.checks.end(),
                               [](const Check& check) { return check.name == "waiver_valid:WVR-0999"; });
  ASSERT_NE(it, d.checks.end());
  EXPECT_FALSE(it->passed);
  EXPECT_THAT(it->detail, HasSubstr("2025-01-31"));
  EXPECT_THAT(d.reason().detail, HasSubstr("sg-admin-ports-open"));
  EXPECT_EQ(d.params, nlohmann::json::parse(R"({"ports":[22,3389]})"));
  // Before its expiry it was honoured.
  const Decision before = decide_at(f, reference_config(), utc(2025, 1, 31, 18));
  EXPECT_EQ(before.outcome, Outcome::skip);
  EXPECT_EQ(before.exception, "WVR-0999");
}

TEST(DecideWaivers, Wvr1100PendingCoversTheAccountButIsNotHonoured) {
  Finding f = eligible_finding();
  ebs_account(f, "222222222222");
  const Decision d = decide_at(f, reference_config());
  EXPECT_EQ(d.outcome, Outcome::remediate);
  const auto it = std::find_if(d.checks.begin(), d.checks.end(),
                               [](const Check& check) { return check.name == "waiver_valid:WVR-1100"; });
  ASSERT_NE(it, d.checks.end());
  EXPECT_FALSE(it->passed);
  EXPECT_THAT(it->detail, HasSubstr("pending"));
  // The same control in another account is outside the waiver's scope.
  ebs_account(f, "111111111111");
  const Decision other = decide_at(f, reference_config());
  for (const auto& check : other.checks) EXPECT_NE(check.name, "waiver_valid:WVR-1100");
}

TEST(DecideWaivers, ScopeMatching) {
  Finding f = eligible_finding();
  Waiver w;
  w.id = "W";
  w.status = WaiverStatus::approved;
  EXPECT_FALSE(waiver_matches(w, f));  // no scope: never matches
  w.resources = {"arn:aws:s3:::customer-data-exports"};
  EXPECT_TRUE(waiver_matches(w, f));
  w.resources = {"arn:aws:s3:::customer-*"};
  EXPECT_TRUE(waiver_matches(w, f));
  w.resources = {"arn:aws:s3:::customer"};
  EXPECT_FALSE(waiver_matches(w, f));
  w.resources = {"*"};
  w.controls = {"S3.1"};
  EXPECT_FALSE(waiver_matches(w, f));  // controls must intersect
  w.controls = {"WC-S3-PUBLIC-BUCKET"};
  EXPECT_TRUE(waiver_matches(w, f));
  w.accounts = {"222222222222"};
  EXPECT_FALSE(waiver_matches(w, f));
  w.accounts = {"111111111111"};
  w.tags = {{"OWNER", "team-data"}};
  EXPECT_TRUE(waiver_matches(w, f));
  w.tags = {{"owner", "someone-else"}};
  EXPECT_FALSE(waiver_matches(w, f));

  w.expires = std::chrono::year{2026} / 11 / 25;
  EXPECT_TRUE(waiver_in_force(w, utc(2026, 11, 25, 23, 59, 59)));
  EXPECT_FALSE(waiver_in_force(w, utc(2026, 11, 26)));
  w.status = WaiverStatus::revoked;
  EXPECT_FALSE(waiver_in_force(w, utc(2020, 1, 1)));
}

TEST(DecideEnvironment, SourcesAndFolding) {
  const Config c = reference_config();
  Finding f = eligible_finding();
  f.tags = {{"Stage", "stg"}, {"ENVIRONMENT", "dev"}, {"owner", "o"}};
  Decision d = decide_at(f, c);
  EXPECT_EQ(d.environment, "development");  // from_tags order: environment before stage
  EXPECT_EQ(d.environment_source, "tag:environment");

  f.tags = {{"owner", "o"}, {"env", ""}};  // empty value yields nothing: account table
  d = decide_at(f, c);
  EXPECT_EQ(d.environment, "production");
  EXPECT_EQ(d.environment_source, "account_table");

  f.account = "555555555555";
  d = decide_at(f, c);
  EXPECT_EQ(d.environment, "");
  EXPECT_EQ(d.environment_source, "none");
  EXPECT_EQ(d.reason().code, "environment_unknown");
}

TEST(DecideOwner, EnrichmentRanksTagsByTrustAndHighestConfidenceWins) {
  const Config c = reference_config();
  Finding f = eligible_finding();
  f.tags = {{"App:Owner", "app-team"}, {"TEAM", "platform"}, {"env", "prod"}};
  Enrichment e = enrich_from_config(f, c, test_now());
  ASSERT_EQ(e.owners.size(), 2u);
  EXPECT_EQ(e.owners[0].owner, "platform");
  EXPECT_EQ(e.owners[0].source, "tag:team");
  EXPECT_DOUBLE_EQ(e.owners[0].confidence, 0.9);
  EXPECT_EQ(e.owners[0].evidence, "tag TEAM=platform");
  EXPECT_EQ(e.owners[1].owner, "app-team");
  EXPECT_EQ(e.now, test_now());
  EXPECT_TRUE(e.waivers.empty());
  EXPECT_FALSE(e.kill_switch);

  e.owners.push_back({"backstage-team", "backstage", 0.95, "component payments"});
  const Decision d = decide(f, e, c);
  EXPECT_EQ(d.owner, "backstage-team");
  EXPECT_EQ(d.owner_source, "backstage");
}

TEST(DecideMode, KillSwitchAndModeHaveDifferentDetails) {
  Config c = reference_config();
  Enrichment e = enrich_from_config(eligible_finding(), c, test_now());
  e.kill_switch = true;
  const Decision killed = decide(eligible_finding(), e, c);
  c.mode = Mode::dry_run;
  const Decision dry = decide_at(eligible_finding(), c);
  EXPECT_EQ(killed.reason().code, "mode_dry_run");
  EXPECT_EQ(dry.reason().code, "mode_dry_run");
  EXPECT_THAT(killed.reason().detail, HasSubstr("kill switch"));
  EXPECT_THAT(dry.reason().detail, HasSubstr("mode is dry_run"));
  EXPECT_EQ(killed.action, "aws.s3.block_public_access");  // the plan is still there
}

TEST(DecideRecord, CorrelationIdAndJson) {
  const Finding f = eligible_finding();
  // sha256("wiz|issue-0001|arn:aws:s3:::customer-data-exports") = fc860bfc087ecaec5882...
  EXPECT_EQ(correlation_id_for(f), "fg-fc860bfc087ecaec5882");
  const Decision d = decide_at(f, reference_config());
  EXPECT_EQ(d.correlation_id, "fg-fc860bfc087ecaec5882");
  const auto json = d.to_json();
  for (const char* key : {"finding_id", "outcome", "reasons", "checks", "catalog_entry", "action", "params",
                          "environment", "owner", "exception", "correlation_id", "resource", "account", "control_ids",
                          "severity", "environment_source", "owner_source", "evaluated_at"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_EQ(json["outcome"], "remediate");
  EXPECT_EQ(json["finding_id"], "issue-0001");
  EXPECT_EQ(json["resource"], "arn:aws:s3:::customer-data-exports");
  EXPECT_EQ(json["account"], "111111111111");
  EXPECT_EQ(json["severity"], "HIGH");
  EXPECT_EQ(json["control_ids"], nlohmann::json::array({"wc-s3-public-bucket"}));
  EXPECT_TRUE(json["exception"].is_null());
  EXPECT_EQ(json["evaluated_at"], "2026-11-25T12:00:00Z");
  EXPECT_EQ(json["checks"].size(), d.checks.size());
}

TEST(DecideRecord, PureSameInputsSameDecision) {
  const Config c = reference_config();
  Finding f = eligible_finding();
  bastion_sg(f);
  const auto first = decide_at(f, c).to_json().dump();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(decide_at(f, c).to_json().dump(), first);
}

TEST(DecideRecord, HostileTextIsEscapedInDetails) {
  Finding f = eligible_finding();
  f.tags = {{"env", "\x1b]0;pwned\x07"}, {"owner", "o"}};
  const Decision d = decide_at(f, reference_config());
  EXPECT_EQ(d.reason().code, "environment_unknown");
  for (const auto& check : d.checks) EXPECT_EQ(check.detail.find('\x1b'), std::string::npos) << check.name;
  for (const auto& reason : d.reasons) EXPECT_EQ(reason.detail.find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace fixgate
