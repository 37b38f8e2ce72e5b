// The registry and the ownership resolver as decide() sees them through the
// pipeline hooks: registry waivers honoured until the end of their expiry day
// by the decision clock and reported as expired after it; config waivers
// reported the same way; every owner candidate recorded with its source,
// confidence, rank and evidence; the configured precedence deciding the owner;
// a missing owner failing closed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "audit/memory_audit_log.h"
#include "enrichment/hooks.h"
#include "exceptions/registry.h"
#include "intake/intake.h"
#include "pipeline/decision_pipeline.h"

namespace fixgate {
namespace {

using namespace std::chrono;

system_clock::time_point at(const char* date_time) {
  std::tm tm{};
  strptime(date_time, "%Y-%m-%dT%H:%M:%S", &tm);
  return system_clock::from_time_t(timegm(&tm));
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string example(const std::string& name) { return read(FIXGATE_SOURCE_DIR "/examples/findings/" + name); }

const Check* find_check(const Decision& d, const std::string& name) {
  for (const auto& c : d.checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

class DecisionTimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() /
          ("fixgate-decision-time-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto loaded = load_config(FIXGATE_SOURCE_DIR "/examples/fixgate.yaml");
    ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
    config = std::move(*loaded);
    exceptions::RegistryOptions options;
    options.clock = [] { return at("2026-11-25T12:00:00"); };
    auto opened = exceptions::Registry::open((dir / "exceptions.db").string(), audit, options);
    ASSERT_TRUE(opened.ok()) << opened.error().to_string();
    registry = std::move(*opened);
  }
  void TearDown() override {
    registry.reset();
    std::filesystem::remove_all(dir);
  }

  Decision decide_at(const std::string& payload, system_clock::time_point when,
                     pipeline::OwnerLookup owners = {}) {
    pipeline::PipelineOptions options;
    options.config = &config;
    options.clock = [when] { return when; };
    options.waivers = enrichment::waiver_lookup(*registry);
    options.owners = std::move(owners);
    pipeline::DecisionPipeline pipeline(std::move(options));
    auto decided = pipeline.decide_payload(payload);
    EXPECT_TRUE(decided.ok());
    EXPECT_EQ(decided->size(), 1u);
    return decided->at(0).decision;
  }

  static exceptions::WaiverRequest ssh_waiver() {
    exceptions::WaiverRequest r;
    r.id = "WVR-2001";
    r.controls = {"wc-sg-ssh-open"};
    r.resources = {"arn:aws:ec2:us-east-1:111111111111:security-group/sg-0a1b2c3d4e5f60718"};
    r.expires = "2026-12-31";
    r.reason = "web tier migration";
    r.requested_by = "alice";
    r.approver = "bob";
    return r;
  }

  std::filesystem::path dir;
  Config config;
  audit::MemoryAuditLog audit;
  std::unique_ptr<exceptions::Registry> registry;
};

TEST_F(DecisionTimeTest, RegistryWaiverHonouredThroughItsExpiryDayOnly) {
  const std::string payload = example("wiz-sg-ssh-open-production.json");
  EXPECT_EQ(decide_at(payload, at("2026-12-01T00:00:00")).outcome, Outcome::approval_required);

  ASSERT_TRUE(registry->add(ssh_waiver()).ok());
  const Decision inside = decide_at(payload, at("2026-12-31T23:59:59"));
  EXPECT_EQ(inside.outcome, Outcome::skip);
  EXPECT_EQ(inside.reason().code, "exception_waiver");
  EXPECT_EQ(inside.exception, "WVR-2001");
  EXPECT_EQ(inside.exception_type, "waiver");
  ASSERT_NE(find_check(inside, "waiver_valid:WVR-2001"), nullptr);
  EXPECT_TRUE(find_check(inside, "waiver_valid:WVR-2001")->passed);

  const Decision after = decide_at(payload, at("2027-01-01T00:00:00"));
  EXPECT_EQ(after.outcome, Outcome::approval_required);
  EXPECT_TRUE(after.exception.empty());
  const Check* expired = find_check(after, "waiver_valid:WVR-2001");
  ASSERT_NE(expired, nullptr);
  EXPECT_FALSE(expired->passed);
  EXPECT_NE(expired->detail.find("stored waiver"), std::string::npos) << expired->detail;
  EXPECT_NE(expired->detail.find("waiver WVR-2001 expired 2026-12-31"), std::string::npos) << expired->detail;
  // The evidence the audit log keeps carries the same check.
  const std::string evidence = after.to_json().dump();
  EXPECT_NE(evidence.find("waiver WVR-2001 expired 2026-12-31"), std::string::npos);
}

TEST_F(DecisionTimeTest, ConfigWaiverExpiryIsReportedInTheEvidence) {
  const Decision d = decide_at(example("wiz-sg-bastion-expired-waiver.json"), at("2026-11-25T12:00:00"));
  EXPECT_EQ(d.outcome, Outcome::approval_required);
  const Check* check = find_check(d, "waiver_valid:WVR-0999");
  ASSERT_NE(check, nullptr);
  EXPECT_FALSE(check->passed);
  EXPECT_NE(check->detail.find("configured waiver"), std::string::npos);
  EXPECT_NE(check->detail.find("waiver WVR-0999 expired 2025-01-31"), std::string::npos) << check->detail;
}

TEST_F(DecisionTimeTest, RevokedAndPendingRegistryWaiversAreRecordedNotHonoured) {
  const std::string payload = example("wiz-sg-ssh-open-production.json");
  ASSERT_TRUE(registry->add(ssh_waiver()).ok());
  ASSERT_TRUE(registry->revoke("WVR-2001", "carol", "migration finished").ok());
  exceptions::WaiverRequest pending = ssh_waiver();
  pending.id = "WVR-2002";
  pending.approver.clear();
  ASSERT_TRUE(registry->add(pending).ok());

  const Decision d = decide_at(payload, at("2026-12-01T00:00:00"));
  EXPECT_EQ(d.outcome, Outcome::approval_required);
  ASSERT_NE(find_check(d, "waiver_valid:WVR-2001"), nullptr);
  EXPECT_NE(find_check(d, "waiver_valid:WVR-2001")->detail.find("status revoked"), std::string::npos);
  ASSERT_NE(find_check(d, "waiver_valid:WVR-2002"), nullptr);
  EXPECT_NE(find_check(d, "waiver_valid:WVR-2002")->detail.find("not approved"), std::string::npos);
}

TEST_F(DecisionTimeTest, AccountAndTagScopedRegistryWaivers) {
  exceptions::WaiverRequest by_account;
  by_account.id = "WVR-3001";
  by_account.accounts = {"111111111111"};
  by_account.tags = {{"team", "web-platform"}};
  by_account.expires = "2027-01-31";
  by_account.reason = "freeze";
  by_account.requested_by = "alice";
  by_account.approver = "bob";
  ASSERT_TRUE(registry->add(by_account).ok());
  EXPECT_EQ(decide_at(example("wiz-sg-ssh-open-production.json"), at("2026-12-01T00:00:00")).exception, "WVR-3001");
  // Same account, other team tag: the tag scope does not match.
  const Decision other = decide_at(example("wiz-s3-public-bucket-production.json"), at("2026-12-01T00:00:00"));
  EXPECT_EQ(other.outcome, Outcome::remediate);
  EXPECT_EQ(find_check(other, "waiver_valid:WVR-3001"), nullptr);
}

// A config with a full ownership section: a CMDB export beside it (relative
// path), the Wiz project map, and a precedence that puts the CMDB first.
class OwnershipWiringTest : public DecisionTimeTest {
 protected:
  Config config_with(const std::string& ownership_yaml) {
    std::ofstream(dir / "cmdb.csv") << "sys_id,arn,assignment_group,owned_by\n"
                                       "ci-1,arn:aws:ec2:us-east-1:111111111111:security-group/sg-0a1b2c3d4e5f60718,"
                                       "network-ops,dana\n";
    std::string text = read(FIXGATE_SOURCE_DIR "/examples/fixgate.yaml");
    const std::string original = "ownership:\n  # Tag keys that name an owner, in order of trust (compared case-insensitively).\n  tags: [owner, team, \"app:owner\"]\n";
    const size_t pos = text.find(original);
    EXPECT_NE(pos, std::string::npos);
    text.replace(pos, original.size(), ownership_yaml);
    const std::string path = (dir / "fixgate.yaml").string();
    std::ofstream(path) << text;
    auto loaded = load_config(path);
    EXPECT_TRUE(loaded.ok()) << loaded.error().to_string();
    return loaded.ok() ? std::move(*loaded) : Config{};
  }
};

TEST_F(OwnershipWiringTest, PrecedenceChoosesAndEveryCandidateIsRecorded) {
  config = config_with(
      "ownership:\n"
      "  tags: [owner, team]\n"
      "  cmdb: cmdb.csv\n"
      "  projects: {\"Customer Platform\": customer-platform-team}\n"
      "  precedence: [cmdb, project, tag]\n");
  auto resolver = enrichment::ownership_resolver(config);
  ASSERT_TRUE(resolver.ok()) << resolver.error().to_string();
  const Decision d = decide_at(example("wiz-sg-ssh-open-production.json"), at("2026-12-01T00:00:00"),
                               enrichment::owner_lookup(*resolver));
  EXPECT_EQ(d.owner, "network-ops");
  EXPECT_EQ(d.owner_source, "cmdb");

  const nlohmann::json candidates = d.to_json()["owner_candidates"];
  std::map<std::string, nlohmann::json> by_owner_source;
  for (const auto& c : candidates) by_owner_source[c["owner"].get<std::string>() + "@" + c["source"].get<std::string>()] = c;
  ASSERT_TRUE(by_owner_source.count("network-ops@cmdb")) << candidates.dump(2);
  ASSERT_TRUE(by_owner_source.count("dana@cmdb")) << candidates.dump(2);
  ASSERT_TRUE(by_owner_source.count("customer-platform-team@project")) << candidates.dump(2);
  ASSERT_TRUE(by_owner_source.count("web-platform@tag")) << candidates.dump(2);
  ASSERT_TRUE(by_owner_source.count("web-platform@tag:team")) << candidates.dump(2);  // the config's tag keys
  const auto& cmdb = by_owner_source["network-ops@cmdb"];
  EXPECT_EQ(cmdb["rank"], 1);
  EXPECT_TRUE(cmdb["chosen"].get<bool>());
  EXPECT_GT(cmdb["confidence"].get<double>(), 0.0);
  EXPECT_NE(cmdb["evidence"].get<std::string>().find("ci-1"), std::string::npos) << cmdb.dump();
  EXPECT_NE(cmdb["evidence"].get<std::string>().find("cmdb.csv"), std::string::npos) << cmdb.dump();
  EXPECT_LT(by_owner_source["customer-platform-team@project"]["rank"].get<int>(),
            by_owner_source["web-platform@tag"]["rank"].get<int>());
  EXPECT_FALSE(by_owner_source["web-platform@tag:team"]["chosen"].get<bool>());
}

TEST_F(OwnershipWiringTest, DefaultPrecedenceTrustsTheResourceTagsFirst) {
  config = config_with(
      "ownership:\n"
      "  tags: [owner, team]\n"
      "  cmdb: cmdb.csv\n");
  auto resolver = enrichment::ownership_resolver(config);
  ASSERT_TRUE(resolver.ok()) << resolver.error().to_string();
  const Decision d = decide_at(example("wiz-sg-ssh-open-production.json"), at("2026-12-01T00:00:00"),
                               enrichment::owner_lookup(*resolver));
  EXPECT_EQ(d.owner, "web-platform");
  EXPECT_EQ(d.owner_source, "tag");
}

TEST_F(OwnershipWiringTest, NoOwnerFromAnySourceFailsClosed) {
  config = config_with(
      "ownership:\n"
      "  tags: [owner, team]\n"
      "  cmdb: cmdb.csv\n"
      "  projects: {\"Some Other Project\": other-team}\n");
  auto resolver = enrichment::ownership_resolver(config);
  ASSERT_TRUE(resolver.ok()) << resolver.error().to_string();
  const Decision d = decide_at(example("wiz-s3-public-no-owner.json"), at("2026-12-01T00:00:00"),
                               enrichment::owner_lookup(*resolver));
  EXPECT_EQ(d.outcome, Outcome::notify);
  EXPECT_EQ(d.reason().code, "owner_missing");
  EXPECT_TRUE(d.owner.empty());
}

TEST_F(OwnershipWiringTest, MissingSourceFileIsAnErrorNamingIt) {
  config = config_with("ownership:\n  cmdb: missing-cmdb.csv\n");
  auto resolver = enrichment::ownership_resolver(config);
  ASSERT_FALSE(resolver.ok());
  EXPECT_NE(resolver.error().message.find("missing-cmdb.csv"), std::string::npos) << resolver.error().message;
}

TEST(OwnerChoice, ServicesAreRecordedButNeverChosen) {
  auto loaded = load_config(FIXGATE_SOURCE_DIR "/examples/fixgate.yaml");
  ASSERT_TRUE(loaded.ok());
  auto findings = intake::parse_payload(example("wiz-s3-public-no-owner.json"));
  ASSERT_EQ(findings.size(), 1u);
  Enrichment e;
  e.now = at("2026-12-01T00:00:00");
  e.owners.push_back({"cloudformation.amazonaws.com", "cloudtrail", 0.7, "event=CreateBucket", 1, false});
  Decision d = decide(findings[0], e, *loaded);
  EXPECT_EQ(d.reason().code, "owner_missing");
  EXPECT_NE(d.reasons[0].detail.find("AWS service"), std::string::npos) << d.reasons[0].detail;
  ASSERT_EQ(d.owner_candidates.size(), 1u);
  EXPECT_FALSE(d.to_json()["owner_candidates"][0]["routable"].get<bool>());

  e.owners.push_back({"alice@example.com", "cloudtrail", 0.6, "event=CreateBucket", 2, true});
  d = decide(findings[0], e, *loaded);
  EXPECT_EQ(d.owner, "alice@example.com");
}

TEST(OwnerChoice, UnrankedCandidatesKeepTheHighestConfidenceRule) {
  auto loaded = load_config(FIXGATE_SOURCE_DIR "/examples/fixgate.yaml");
  ASSERT_TRUE(loaded.ok());
  auto findings = intake::parse_payload(example("wiz-s3-public-no-owner.json"));
  Enrichment e;
  e.owners.push_back({"low", "x", 0.2, "", 0, true});
  e.owners.push_back({"high", "y", 0.9, "", 0, true});
  EXPECT_EQ(decide(findings[0], e, *loaded).owner, "high");
}

}  // namespace
}  // namespace fixgate
