// Backstage catalog: entity refs per Backstage's parseEntityRef, the corpus'
// expected owner resolution, inheritance through systems, and resource matching.
#include <gtest/gtest.h>

#include "corpus.h"
#include "ownership/backstage_catalog.h"
#include "ownership/backstage_source.h"

namespace fixgate::ownership {
namespace {

using testing::corpus_path;
using testing::read_json;

TEST(EntityRefTest, FollowsBackstageParseRules) {
  struct Case {
    const char* ref;
    const char* kind;
    const char* ns;
    const char* expected;
  };
  const Case cases[] = {
      {"team-a", "Group", "default", "group:default/team-a"},
      {"user:guest", "Group", "default", "user:default/guest"},
      {"group:default/team-a", "Group", "other", "group:default/team-a"},
      {"ops/team-b", "Group", "default", "group:ops/team-b"},
      {"CNCF", "Group", "default", "group:default/CNCF"},
      {"Group:Platform/Core", "Group", "default", "group:platform/Core"},
      {"team-a", "Group", "development", "group:development/team-a"},
      {"ns/name:with-colon", "Group", "default", "group:ns/name:with-colon"},
  };
  for (const auto& c : cases) {
    auto ref = parse_entity_ref(c.ref, c.kind, c.ns);
    ASSERT_TRUE(ref.ok()) << c.ref;
    EXPECT_EQ(ref->str(), c.expected) << c.ref;
  }
  for (const char* bad : {":name", "kind:/name", "kind:ns/", "/name", ""}) {
    auto ref = parse_entity_ref(bad, "Group", "default");
    ASSERT_FALSE(ref.ok()) << bad;
    EXPECT_EQ(ref.error().code, "backstage.invalid_ref");
  }
  EXPECT_FALSE(parse_entity_ref("name", "", "default").ok());
}

TEST(EntityNameTest, BackstageNameRule) {
  EXPECT_TRUE(is_valid_entity_name("artist-lookup"));
  EXPECT_TRUE(is_valid_entity_name("a.b_c-d"));
  EXPECT_TRUE(is_valid_entity_name(std::string(63, 'a')));
  EXPECT_FALSE(is_valid_entity_name(std::string(64, 'a')));
  EXPECT_FALSE(is_valid_entity_name("invalid component"));
  EXPECT_FALSE(is_valid_entity_name("-leading"));
  EXPECT_FALSE(is_valid_entity_name("double--sep"));
  EXPECT_FALSE(is_valid_entity_name(""));
}

TEST(BackstageCatalogTest, MatchesExpectedOwnerResolutionExactly) {
  const auto expected = read_json(corpus_path("backstage/expected_owner_resolution.json"));
  ASSERT_EQ(expected.at("cases").size(), 6u);
  for (const auto& c : expected.at("cases")) {
    const std::string file = c.at("file");
    SCOPED_TRACE(file);
    auto catalog = BackstageCatalog::load({corpus_path("backstage/" + file)});
    ASSERT_TRUE(catalog.ok()) << catalog.error().to_string();
    const bool valid = c.value("valid", true);
    const auto& list = valid ? catalog->entities() : catalog->rejected();
    ASSERT_EQ(list.size(), 1u);
    const BackstageEntity& e = list.front();
    if (c.at("entity").is_null()) {
      EXPECT_FALSE(e.valid());
      EXPECT_TRUE(catalog->entities().empty());
    } else {
      EXPECT_TRUE(e.valid());
      EXPECT_EQ(e.ref().str(), c.at("entity").get<std::string>());
    }
    ASSERT_TRUE(e.owner.has_value());
    EXPECT_EQ(e.owner->str(), c.at("owner_ref").get<std::string>());
    if (c.contains("system_ref")) {
      if (c.at("system_ref").is_null()) {
        EXPECT_FALSE(e.system.has_value());
      } else {
        ASSERT_TRUE(e.system.has_value());
        EXPECT_EQ(e.system->str(), c.at("system_ref").get<std::string>());
      }
    }
    if (c.contains("domain_ref")) {
      ASSERT_TRUE(e.domain.has_value());
      EXPECT_EQ(e.domain->str(), c.at("domain_ref").get<std::string>());
    }
    if (c.contains("repo_slug")) {
      EXPECT_EQ(e.annotations.at("github.com/project-slug"), c.at("repo_slug").get<std::string>());
    }
  }
}

TEST(BackstageCatalogTest, InvalidEntityIsRejectedWithReasonsNotIndexed) {
  auto catalog = BackstageCatalog::load({corpus_path("backstage/examples/components/invalid-component.yaml")});
  ASSERT_TRUE(catalog.ok());
  ASSERT_EQ(catalog->rejected().size(), 1u);
  const auto& e = catalog->rejected().front();
  ASSERT_EQ(e.problems.size(), 2u);  // the name and the tag 'go 1.15.3'
  EXPECT_NE(e.problems[0].find("metadata.name 'invalid component'"), std::string::npos);
  EXPECT_NE(e.problems[1].find("'go 1.15.3'"), std::string::npos);
  EXPECT_EQ(e.line, 1);
  EXPECT_TRUE(catalog->named("Component", "invalid component").empty());
}

TEST(BackstageCatalogTest, WholeExampleTreeLoadsMultiDocumentFiles) {
  auto catalog = BackstageCatalog::load({corpus_path("backstage/examples"), corpus_path("backstage/backstage-root-catalog-info.yaml")});
  ASSERT_TRUE(catalog.ok()) << catalog.error().to_string();
  // 4 components (1 rejected), 1 resource, 1 system, 1 domain, 1 group + 5 users.
  EXPECT_EQ(catalog->entities().size(), 12u);
  EXPECT_EQ(catalog->rejected().size(), 1u);
  const BackstageEntity* guest = catalog->find({"user", "development", "guest"});
  ASSERT_NE(guest, nullptr);
  ASSERT_EQ(guest->member_of.size(), 1u);
  EXPECT_EQ(guest->member_of[0].str(), "group:default/team-a");
  const BackstageEntity* team = catalog->find({"group", "default", "TEAM-A"});  // refs compare case-insensitively
  ASSERT_NE(team, nullptr);
  EXPECT_EQ(team->email, "team-a@example.com");
}

TEST(BackstageCatalogTest, OwnerInheritedThroughSystemAndDomain) {
  auto catalog = BackstageCatalog::load({corpus_path("backstage/examples")});
  ASSERT_TRUE(catalog.ok());
  auto extra = BackstageCatalog::parse(
      "apiVersion: backstage.io/v1alpha1\n"
      "kind: Resource\n"
      "metadata:\n"
      "  name: orphan-bucket\n"
      "  annotations:\n"
      "    aws.amazon.com/arn: arn:aws:s3:::orphan-bucket\n"
      "spec:\n"
      "  type: s3-bucket\n"
      "  system: artist-engagement-portal\n"
      "---\n"
      "apiVersion: backstage.io/v1alpha1\n"
      "kind: System\n"
      "metadata:\n"
      "  name: ownerless-system\n"
      "spec:\n"
      "  domain: artists\n"
      "---\n"
      "apiVersion: backstage.io/v1alpha1\n"
      "kind: Component\n"
      "metadata:\n"
      "  name: deep\n"
      "spec:\n"
      "  system: ownerless-system\n",
      "inline.yaml");
  ASSERT_TRUE(extra.ok()) << extra.error().to_string();
  catalog->merge(std::move(extra).value());
  const BackstageEntity* orphan = catalog->find({"resource", "default", "orphan-bucket"});
  ASSERT_NE(orphan, nullptr);
  auto owner = catalog->owner_of(*orphan);
  ASSERT_TRUE(owner.has_value());
  EXPECT_EQ(owner->owner.str(), "group:default/team-a");
  ASSERT_EQ(owner->via.size(), 1u);
  EXPECT_EQ(owner->via[0].str(), "system:default/artist-engagement-portal");

  const BackstageEntity* deep = catalog->find({"component", "default", "deep"});
  ASSERT_NE(deep, nullptr);
  auto deep_owner = catalog->owner_of(*deep);
  ASSERT_TRUE(deep_owner.has_value());
  EXPECT_EQ(deep_owner->owner.str(), "group:default/team-a");
  ASSERT_EQ(deep_owner->via.size(), 2u);
  EXPECT_EQ(deep_owner->via[1].str(), "domain:default/artists");
}

TEST(BackstageCatalogTest, YamlErrorsNameFileAndLine) {
  auto broken = BackstageCatalog::parse("kind: Component\nmetadata:\n  name: [unclosed\n", "broken.yaml");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, "backstage.yaml_error");
  EXPECT_EQ(broken.error().message.rfind("broken.yaml:", 0), 0u) << broken.error().message;

  auto nameless = BackstageCatalog::parse("---\nkind: Component\nmetadata: {}\n---\n", "nameless.yaml");
  ASSERT_FALSE(nameless.ok());
  EXPECT_EQ(nameless.error().code, "backstage.not_an_entity");
  EXPECT_EQ(nameless.error().message, "nameless.yaml:3: entity has no metadata.name");

  auto missing = BackstageCatalog::load({"/nonexistent/catalog-info.yaml"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "backstage.unreadable");
}

class BackstageSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto catalog = BackstageCatalog::load({corpus_path("backstage/examples"), corpus_path("backstage/backstage-root-catalog-info.yaml")});
    ASSERT_TRUE(catalog.ok());
    auto extra = BackstageCatalog::parse(
        "apiVersion: backstage.io/v1alpha1\n"
        "kind: Resource\n"
        "metadata:\n"
        "  name: artists-media\n"
        "  annotations:\n"
        "    aws.amazon.com/arn: arn:aws:s3:::artists-media, arn:aws:s3:::artists-media-replica\n"
        "spec:\n"
        "  type: s3-bucket\n"
        "  system: artist-engagement-portal\n",
        "media.yaml");
    ASSERT_TRUE(extra.ok());
    catalog->merge(std::move(extra).value());
    source_ = std::make_unique<BackstageSource>(std::move(catalog).value());
  }
  std::unique_ptr<BackstageSource> source_;
};

TEST_F(BackstageSourceTest, ArnAnnotationInheritsSystemOwner) {
  Finding f;
  f.resource_arn = "arn:aws:s3:::artists-media-replica";
  const auto candidates = source_->candidates(f);
  ASSERT_EQ(candidates.size(), 1u);
  const auto& c = candidates[0];
  EXPECT_EQ(c.owner, "team-a");
  EXPECT_EQ(c.kind, OwnerKind::team);
  EXPECT_DOUBLE_EQ(c.confidence, 0.9 * 0.9);
  EXPECT_EQ(c.evidence_value("entity"), "resource:default/artists-media");
  EXPECT_EQ(c.evidence_value("entity_file"), "media.yaml:1");
  EXPECT_EQ(c.evidence_value("matched_by"), "annotation aws.amazon.com/arn");
  EXPECT_EQ(c.evidence_value("owner_ref"), "group:default/team-a");
  EXPECT_EQ(c.evidence_value("inherited_via"), "system:default/artist-engagement-portal");
  EXPECT_EQ(c.evidence_value("owner_email"), "team-a@example.com");
}

TEST_F(BackstageSourceTest, ComponentTagAndServiceTagAndResourceName) {
  Finding f;
  f.tags = {{"backstage.io/component", "petstore"}};
  auto candidates = source_->candidates(f);
  ASSERT_EQ(candidates.size(), 1u);
  EXPECT_EQ(candidates[0].owner, "sre");
  EXPECT_DOUBLE_EQ(candidates[0].confidence, 0.8);

  Finding g;
  g.tags = {{"Service", "Artist-Lookup"}};
  candidates = source_->candidates(g);
  ASSERT_EQ(candidates.size(), 1u);
  EXPECT_EQ(candidates[0].owner, "team-a");
  EXPECT_EQ(candidates[0].evidence_value("matched_by"), "tag Service");

  Finding h;
  h.resource_name = "artists-db";
  candidates = source_->candidates(h);
  ASSERT_EQ(candidates.size(), 1u);
  EXPECT_EQ(candidates[0].evidence_value("entity"), "resource:default/artists-db");
  EXPECT_DOUBLE_EQ(candidates[0].confidence, 0.6);
}

TEST_F(BackstageSourceTest, YorRepoTagsMatchProjectSlug) {
  Finding f;
  f.tags = {{"git_org", "backstage"}, {"git_repo", "backstage"}};
  const auto candidates = source_->candidates(f);
  ASSERT_EQ(candidates.size(), 1u);
  EXPECT_EQ(candidates[0].owner, "CNCF");
  EXPECT_EQ(candidates[0].evidence_value("owner_ref"), "group:default/CNCF");
}

TEST_F(BackstageSourceTest, UnknownResourceHasNoCandidates) {
  Finding f;
  f.resource_arn = "arn:aws:s3:::somebody-elses";
  f.resource_name = "somebody-elses";
  f.tags = {{"service", "nope"}};
  EXPECT_TRUE(source_->candidates(f).empty());
}

}  // namespace
}  // namespace fixgate::ownership
