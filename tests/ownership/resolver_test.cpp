// The resolver: options from JSON (the reference config alone works), tag and
// tag-rule sources, precedence and confidence ranking, the chosen owner.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "corpus.h"
#include "ownership/project_source.h"
#include "ownership/resolver.h"
#include "ownership/tag_source.h"

namespace fixgate::ownership {
namespace {

using testing::corpus_path;

// A source that returns fixed candidates, to test ranking in isolation.
class FixedSource final : public OwnerSource {
 public:
  FixedSource(std::string name, std::vector<OwnerCandidate> out) : name_(std::move(name)), out_(std::move(out)) {}
  std::string_view name() const override { return name_; }
  std::vector<OwnerCandidate> candidates(const Finding&) const override { return out_; }

 private:
  std::string name_;
  std::vector<OwnerCandidate> out_;
};

OwnerCandidate cand(std::string owner, std::string source, double confidence, OwnerKind kind = OwnerKind::team) {
  OwnerCandidate c;
  c.owner = std::move(owner);
  c.source = std::move(source);
  c.confidence = confidence;
  c.kind = kind;
  return c;
}

TEST(OwnershipOptionsTest, ReferenceConfigAloneIsTagsOnly) {
  const auto section = nlohmann::json::parse(R"({"tags": ["owner", "team", "app:owner"]})");
  auto options = ownership_options_from_json(section);
  ASSERT_TRUE(options.ok()) << options.error().to_string();
  EXPECT_EQ(options->tag_keys, (std::vector<std::string>{"owner", "team", "app:owner"}));
  auto resolver = OwnershipResolver::create(*options);
  ASSERT_TRUE(resolver.ok());
  EXPECT_EQ(resolver->source_names(), (std::vector<std::string>{"tag"}));
  EXPECT_EQ(resolver->precedence(), default_precedence());

  Finding f;
  f.tags = {{"Environment", "prod"}, {"TEAM", "web"}, {"App:Owner", "ann@example.com"}};
  const Ownership result = resolver->resolve(f);
  ASSERT_EQ(result.candidates.size(), 2u);
  EXPECT_EQ(result.candidates[0].owner, "web");
  EXPECT_EQ(result.candidates[0].evidence_value("tag_key"), "TEAM");
  EXPECT_DOUBLE_EQ(result.candidates[0].confidence, 0.85);
  EXPECT_EQ(result.candidates[1].owner, "ann@example.com");
  EXPECT_EQ(result.candidates[1].kind, OwnerKind::person);
  ASSERT_TRUE(result.chosen.has_value());
  EXPECT_EQ(result.chosen->owner, "web");
  EXPECT_EQ(result.consulted, (std::vector<std::string>{"tag"}));
}

TEST(OwnershipOptionsTest, FullSectionParses) {
  const auto section = nlohmann::json::parse(R"({
    "tags": ["owner"],
    "tag_rules": [{"key": "cost-center", "value_regex": "^cc-42", "owner": "payments"}],
    "projects": {"Payments Prod": "payments"},
    "accounts": {"111122223333": "platform"},
    "backstage": "catalog/",
    "cmdb": "cmdb.csv",
    "codeowners": "CODEOWNERS",
    "repo": ".",
    "cloudtrail": "trail.json",
    "precedence": ["cmdb", "tag"]
  })");
  auto o = ownership_options_from_json(section);
  ASSERT_TRUE(o.ok()) << o.error().to_string();
  ASSERT_EQ(o->tag_rules.size(), 1u);
  EXPECT_EQ(o->tag_rules[0].value_regex, "^cc-42");
  EXPECT_EQ(o->projects.at("Payments Prod"), "payments");
  EXPECT_EQ(o->accounts.at("111122223333"), "platform");
  EXPECT_EQ(o->backstage_catalogs, (std::vector<std::string>{"catalog/"}));
  EXPECT_EQ(o->cmdb_path, "cmdb.csv");
  EXPECT_EQ(o->codeowners_path, "CODEOWNERS");
  EXPECT_EQ(o->repo_path, ".");
  EXPECT_EQ(o->cloudtrail_events_path, "trail.json");
  EXPECT_EQ(o->precedence, (std::vector<std::string>{"cmdb", "tag"}));
}

TEST(OwnershipOptionsTest, ErrorsNameTheKey) {
  struct Case {
    const char* json;
    const char* message;
  };
  const Case cases[] = {
      {R"({"tagz": []})", "ownership.tagz: unknown key"},
      {R"({"tags": ["owner", 3]})", "ownership.tags[1]: expected a non-empty string"},
      {R"({"tag_rules": [{"key": "cc", "value_regex": 1, "owner": "x"}]})",
       "ownership.tag_rules[0].value_regex: expected a string"},
      {R"({"tag_rules": [{"key": "cc", "value_regex": "x"}]})", "ownership.tag_rules[0].owner: missing"},
      {R"({"projects": {"p": 1}})", "ownership.projects.p: expected a team name"},
      {R"({"precedence": ["tag", "magic"]})",
       "ownership.precedence[1]: unknown source 'magic' (expected tag, tag_rule, project, backstage, cmdb, "
       "codeowners, git_blame, cloudtrail)"},
      {R"({"precedence": ["tag", "tag"]})", "ownership.precedence[1]: source 'tag' listed twice"},
      {R"({"cmdb": ""})", "ownership.cmdb: expected a file path"},
  };
  for (const auto& c : cases) {
    auto o = ownership_options_from_json(nlohmann::json::parse(c.json));
    ASSERT_FALSE(o.ok()) << c.json;
    EXPECT_EQ(o.error().code, "config.invalid_ownership");
    EXPECT_EQ(o.error().message, c.message);
  }
}

TEST(OwnershipResolverTest, LoadErrorsSurfaceFromCreate) {
  OwnershipOptions bad_regex;
  bad_regex.tag_rules = {{"cost-center", "([", "payments"}};
  auto r = OwnershipResolver::create(bad_regex);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "ownership.tag_rule_invalid");
  EXPECT_EQ(r.error().message.rfind("ownership.tag_rules[0].value_regex: does not compile", 0), 0u);

  OwnershipOptions missing;
  missing.cmdb_path = "/nonexistent/cmdb.csv";
  r = OwnershipResolver::create(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "cmdb.unreadable");
}

TEST(OwnershipResolverTest, WarningsReportSkippedLinesAndRejectedEntities) {
  OwnershipOptions o;
  o.backstage_catalogs = {corpus_path("backstage/examples")};
  o.codeowners_path = corpus_path("codeowners/github_docs_example.CODEOWNERS");
  auto r = OwnershipResolver::create(o);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->warnings().size(), 1u);
  EXPECT_NE(r->warnings()[0].find("invalid-component.yaml:1: entity 'invalid component' rejected"), std::string::npos);
}

TEST(TagRuleSourceTest, RegexRulesCaseInsensitiveKeys) {
  auto source = TagRuleSource::create({{"cost-center", "^cc-42", "payments"}, {"env", "prod$", "sre"}});
  ASSERT_TRUE(source.ok());
  Finding f;
  f.tags = {{"Cost-Center", "cc-4217"}, {"env", "preprod"}};
  auto c = source->candidates(f);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].owner, "payments");
  EXPECT_EQ(c[0].evidence_value("tag_key"), "Cost-Center");
  EXPECT_EQ(c[0].evidence_value("rule"), "1");
  EXPECT_EQ(c[0].evidence_value("rule_value_regex"), "^cc-42");
  EXPECT_EQ(c[1].owner, "sre");
  f.tags = {{"cost-center", "xcc-42"}};
  EXPECT_TRUE(source->candidates(f).empty());
}

TEST(ProjectSourceTest, ProjectsThenAccount) {
  ProjectSource source({{"Payments Prod", "payments"}, {"proj-123", "web"}}, {{"111122223333", "platform"}});
  Finding f;
  f.projects = {"payments prod", "unknown", "proj-123"};
  f.account = "111122223333";
  const auto c = source.candidates(f);
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].owner, "payments");
  EXPECT_EQ(c[0].evidence_value("project"), "payments prod");
  EXPECT_EQ(c[1].owner, "web");
  EXPECT_EQ(c[2].owner, "platform");
  EXPECT_DOUBLE_EQ(c[2].confidence, 0.5);
}

TEST(OwnershipResolverTest, RanksByPrecedenceThenConfidence) {
  std::vector<std::unique_ptr<OwnerSource>> sources;
  sources.push_back(std::make_unique<FixedSource>(
      "cloudtrail", std::vector<OwnerCandidate>{cand("autoscaling.amazonaws.com", "cloudtrail", 0.0, OwnerKind::service),
                                                cand("ryan@example.com", "cloudtrail", 0.6, OwnerKind::person)}));
  sources.push_back(std::make_unique<FixedSource>(
      "cmdb", std::vector<OwnerCandidate>{cand("dba", "cmdb", 0.6), cand("payments", "cmdb", 0.85)}));
  sources.push_back(std::make_unique<FixedSource>("tag", std::vector<OwnerCandidate>{cand("web", "tag", 0.5)}));

  OwnershipResolver by_default(std::move(sources), {});
  const Ownership r = by_default.resolve(Finding{});
  ASSERT_EQ(r.candidates.size(), 5u);
  EXPECT_EQ(r.candidates[0].owner, "web");       // tag first by default, despite low confidence
  EXPECT_EQ(r.candidates[1].owner, "payments");  // then cmdb, higher confidence first
  EXPECT_EQ(r.candidates[2].owner, "dba");
  EXPECT_EQ(r.candidates[3].owner, "ryan@example.com");
  EXPECT_EQ(r.candidates[4].kind, OwnerKind::service);
  EXPECT_EQ(r.chosen->owner, "web");
  EXPECT_EQ(r.consulted, (std::vector<std::string>{"tag", "cmdb", "cloudtrail"}));
}

TEST(OwnershipResolverTest, ConfiguredPrecedenceServiceNeverChosenDuplicatesMerged) {
  std::vector<std::unique_ptr<OwnerSource>> sources;
  sources.push_back(std::make_unique<FixedSource>(
      "cloudtrail", std::vector<OwnerCandidate>{cand("autoscaling.amazonaws.com", "cloudtrail", 0.9, OwnerKind::service),
                                                cand("Ryan@example.com", "cloudtrail", 0.3, OwnerKind::person),
                                                cand("ryan@example.com", "cloudtrail", 0.6, OwnerKind::person)}));
  sources.push_back(std::make_unique<FixedSource>("tag", std::vector<OwnerCandidate>{cand("web", "tag", 0.9)}));
  OwnershipResolver resolver(std::move(sources), {"cloudtrail"});
  EXPECT_EQ(resolver.precedence().front(), "cloudtrail");
  const Ownership r = resolver.resolve(Finding{});
  ASSERT_EQ(r.candidates.size(), 3u);
  EXPECT_EQ(r.candidates[0].kind, OwnerKind::service);
  EXPECT_EQ(r.candidates[1].owner, "ryan@example.com");
  EXPECT_DOUBLE_EQ(r.candidates[1].confidence, 0.6);  // the best-ranked mention is kept
  EXPECT_EQ(r.candidates[2].owner, "web");
  ASSERT_TRUE(r.chosen.has_value());
  EXPECT_EQ(r.chosen->owner, "ryan@example.com");
}

TEST(OwnershipResolverTest, NobodyKnowsMeansNoChosenOwner) {
  auto resolver = OwnershipResolver::create(OwnershipOptions{{"owner"}});
  ASSERT_TRUE(resolver.ok());
  Finding f;
  f.tags = {{"owner", "   "}};
  const Ownership r = resolver->resolve(f);
  EXPECT_TRUE(r.candidates.empty());
  EXPECT_FALSE(r.chosen.has_value());
}

TEST(OwnershipResolverTest, EverySourceTogether) {
  OwnershipOptions o;
  o.tag_keys = {"owner"};
  o.tag_rules = {{"cost-center", "^cc-42", "payments"}};
  o.projects = {{"Artists", "artists-team"}};
  o.backstage_catalogs = {corpus_path("backstage/examples")};
  o.cloudtrail_events_path = corpus_path("cloudtrail/panther_events.json");
  o.precedence = {"backstage", "cloudtrail"};
  auto resolver = OwnershipResolver::create(o);
  ASSERT_TRUE(resolver.ok()) << resolver.error().to_string();
  Finding f;
  f.resource_arn = "arn:aws:rds:us-east-1:123456789012:db:test-instance";
  f.resource_name = "artists-db";
  f.account = "123456789012";
  f.projects = {"Artists"};
  f.tags = {{"cost-center", "cc-42-a"}};
  const Ownership r = resolver->resolve(f);
  std::vector<std::string> order;
  for (const auto& c : r.candidates) order.push_back(c.source + ":" + c.owner);
  EXPECT_EQ(order, (std::vector<std::string>{"backstage:team-a", "cloudtrail:johndoe", "tag_rule:payments",
                                             "project:artists-team"}));
  EXPECT_EQ(r.chosen->owner, "team-a");
}

}  // namespace
}  // namespace fixgate::ownership
