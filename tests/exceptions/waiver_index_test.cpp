// The decision-time lookup: WaiverIndex::covering must return exactly what
// filtering every waiver with waiver_matches() returns, in the same order, for
// every shape of scope; the registry's snapshot is shared, not copied, and a
// commit replaces it without changing one a caller still holds.
#include "exceptions/waiver_index.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "audit/memory_audit_log.h"
#include "decision/decision.h"
#include "exceptions/registry.h"

namespace fixgate::exceptions {
namespace {

const std::string kGroupArn = "arn:aws:ec2:us-east-1:111111111111:security-group/sg-0a1b2c3d4e5f60718";

Waiver waiver(std::string id, std::vector<std::string> controls, std::vector<std::string> resources = {},
              std::vector<std::string> accounts = {}, std::vector<Tag> tags = {}) {
  Waiver w;
  w.id = std::move(id);
  w.controls = std::move(controls);
  w.resources = std::move(resources);
  w.accounts = std::move(accounts);
  w.tags = std::move(tags);
  w.status = WaiverStatus::approved;
  return w;
}

Finding finding(std::vector<std::string> controls, std::string arn, std::string native_id, std::string account,
                std::vector<Tag> tags = {}) {
  Finding f;
  f.id = "f-1";
  f.control_ids = std::move(controls);
  f.resource_arn = std::move(arn);
  f.resource_id = std::move(native_id);
  f.account = std::move(account);
  f.tags = std::move(tags);
  return f;
}

std::vector<std::string> ids(const std::vector<Waiver>& waivers) {
  std::vector<std::string> out;
  for (const auto& w : waivers) out.push_back(w.id);
  return out;
}

std::vector<std::string> brute_force(const std::vector<Waiver>& waivers, const Finding& f) {
  std::vector<std::string> out;
  for (const auto& w : waivers) {
    if (waiver_matches(w, f)) out.push_back(w.id);
  }
  return out;
}

// Every kind of scope the registry accepts, several matching one finding.
std::vector<Waiver> mixed_waivers() {
  return {
      waiver("WVR-01", {"wc-sg-ssh-open"}),                                       // control only
      waiver("WVR-02", {"WC-SG-SSH-OPEN"}, {kGroupArn}),                          // control (other case) + resource
      waiver("WVR-03", {"wc-s3-public"}),                                          // another control
      waiver("WVR-04", {"wc-sg-ssh-open", "wc-s3-public"}, {}, {"111111111111"}),  // two controls + account
      waiver("WVR-05", {}, {kGroupArn}),                                           // exact resource only
      waiver("WVR-06", {}, {"sg-0a1b2c3d4e5f60718"}),                              // native id only
      waiver("WVR-07", {}, {"arn:aws:ec2:us-east-1:111111111111:security-group/*"}),  // resource prefix
      waiver("WVR-08", {}, {}, {"111111111111"}),                                  // account only
      waiver("WVR-09", {}, {}, {}, {{"legacy", "*"}}),                             // tag only
      waiver("WVR-10", {}, {}, {}, {}),                                            // no scope: never matches
      waiver("WVR-11", {}, {"arn:aws:s3:::other"}),                                // another resource
      waiver("WVR-12", {"wc-sg-ssh-open"}, {}, {"222222222222"}),                  // right control, wrong account
  };
}

TEST(WaiverIndex, CoveringEqualsFilteringEveryWaiverInOrder) {
  const std::vector<Waiver> waivers = mixed_waivers();
  const WaiverIndex index(waivers);
  const std::vector<Finding> findings = {
      finding({"wc-sg-ssh-open"}, kGroupArn, "sg-0a1b2c3d4e5f60718", "111111111111", {{"Legacy", "yes"}}),
      finding({"Wc-Sg-Ssh-Open", "wc-s3-public"}, kGroupArn, kGroupArn, "111111111111"),
      finding({"wc-s3-public"}, "arn:aws:s3:::other", "other", "333333333333"),
      finding({}, "", "sg-0a1b2c3d4e5f60718", "222222222222"),
      finding({"unknown"}, "", "", ""),
  };
  for (size_t i = 0; i < findings.size(); ++i) {
    EXPECT_EQ(ids(index.covering(findings[i])), brute_force(waivers, findings[i])) << "finding " << i;
  }
  // Spot-check the first: each scope shape that should match does.
  EXPECT_EQ(ids(index.covering(findings[0])),
            (std::vector<std::string>{"WVR-01", "WVR-02", "WVR-04", "WVR-05", "WVR-06", "WVR-07", "WVR-08",
                                      "WVR-09"}));
  EXPECT_EQ(index.all().size(), waivers.size());
}

class RegistrySnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("fixgate-waiver-index-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    registry_ = open();
  }
  void TearDown() override {
    registry_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<Registry> open() {
    auto opened = Registry::open((dir_ / "exceptions.db").string(), audit_);
    EXPECT_TRUE(opened.ok()) << opened.error().to_string();
    return opened.ok() ? std::move(*opened) : nullptr;
  }
  static WaiverRequest request(const std::string& id, const std::string& resource) {
    WaiverRequest r;
    r.id = id;
    r.controls = {"wc-sg-ssh-open"};
    r.resources = {resource};
    r.expires = "2099-12-31";
    r.reason = "bastion replacement";
    r.requested_by = "alice";
    r.approver = "bob";
    return r;
  }

  std::filesystem::path dir_;
  audit::MemoryAuditLog audit_;
  std::unique_ptr<Registry> registry_;
};

TEST_F(RegistrySnapshotTest, SnapshotIsSharedUntilACommitReplacesIt) {
  ASSERT_TRUE(registry_->add(request("WVR-3001", kGroupArn)).ok());
  auto first = registry_->snapshot();
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  auto again = registry_->snapshot();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(first->get(), again->get());  // no change: the same snapshot, nothing copied

  auto other = open();  // another process's `fixgate exceptions add`
  ASSERT_TRUE(other->add(request("WVR-3002", "arn:aws:ec2:us-east-1:111111111111:security-group/sg-2")).ok());
  auto after = registry_->snapshot();
  ASSERT_TRUE(after.ok());
  EXPECT_NE(after->get(), first->get());
  EXPECT_EQ((*after)->all().size(), 2u);
  EXPECT_EQ((*first)->all().size(), 1u);  // a held snapshot never changes under its reader
}

TEST_F(RegistrySnapshotTest, WaiversForReturnsOnlyTheCoveringWaiversAndSeesRevocations) {
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(registry_->add(request("WVR-" + std::to_string(4000 + i),
                                       "arn:aws:ec2:us-east-1:111111111111:security-group/sg-" + std::to_string(i)))
                    .ok());
  }
  ASSERT_TRUE(registry_->add(request("WVR-5000", kGroupArn)).ok());
  const Finding f = finding({"wc-sg-ssh-open"}, kGroupArn, "sg-0a1b2c3d4e5f60718", "111111111111");
  auto covering = registry_->waivers_for(f);
  ASSERT_TRUE(covering.ok()) << covering.error().to_string();
  ASSERT_EQ(ids(*covering), std::vector<std::string>{"WVR-5000"});
  EXPECT_EQ((*covering)[0].status, WaiverStatus::approved);

  // Revoked elsewhere: still returned (decide() reports it), now as revoked.
  auto other = open();
  ASSERT_TRUE(other->revoke("WVR-5000", "carol", "group deleted").ok());
  covering = registry_->waivers_for(f);
  ASSERT_TRUE(covering.ok());
  ASSERT_EQ(covering->size(), 1u);
  EXPECT_EQ((*covering)[0].status, WaiverStatus::revoked);
  EXPECT_EQ(registry_->waivers()->size(), 51u);
}

}  // namespace
}  // namespace fixgate::exceptions
