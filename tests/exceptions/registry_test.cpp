// The exceptions registry: validation naming the field, the pending/approved/
// revoked life cycle, audit records for every change (and no change without
// one), expiry shown as expired, and changes made by another connection seen.
#include <gtest/gtest.h>

#include <filesystem>

#include "audit/memory_audit_log.h"
#include "exceptions/registry.h"

namespace fixgate::exceptions {
namespace {

using namespace std::chrono;

system_clock::time_point at(const char* date_time) {
  std::tm tm{};
  strptime(date_time, "%Y-%m-%dT%H:%M:%S", &tm);
  return system_clock::from_time_t(timegm(&tm));
}

// An audit sink that refuses every write, to prove nothing changes unaudited.
class FailingAudit final : public audit::AuditSink {
 public:
  Result<audit::AuditRecord> append(const audit::AuditEntry&) override { return make_error("audit.io", "disk full"); }
  Result<std::vector<audit::AuditRecord>> append_batch(const std::vector<audit::AuditEntry>&) override {
    return make_error("audit.io", "disk full");
  }
  Result<audit::VerifyReport> verify(const audit::VerifyOptions&) override { return audit::VerifyReport{}; }
  Result<std::vector<audit::AuditRecord>> read(const audit::AuditQuery&) override {
    return std::vector<audit::AuditRecord>{};
  }
};

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() /
          ("fixgate-exceptions-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    path = (dir / "exceptions.db").string();
    registry = open_registry(audit);
  }
  void TearDown() override {
    registry.reset();
    std::filesystem::remove_all(dir);
  }

  std::unique_ptr<Registry> open_registry(audit::AuditSink& sink) {
    RegistryOptions options;
    options.clock = [this] { return now; };
    options.reserved_ids = {"WVR-1042"};
    auto opened = Registry::open(path, sink, options);
    EXPECT_TRUE(opened.ok()) << opened.error().to_string();
    return opened.ok() ? std::move(*opened) : nullptr;
  }

  static WaiverRequest request() {
    WaiverRequest r;
    r.id = "WVR-2001";
    r.controls = {"wc-sg-ssh-open"};
    r.resources = {"arn:aws:ec2:us-east-1:111111111111:security-group/sg-0a1b2c3d4e5f60718"};
    r.expires = "2026-12-31";
    r.reason = "Bastion replacement in progress";
    r.requested_by = "alice";
    r.approver = "bob";
    return r;
  }

  std::vector<audit::AuditRecord> exception_records() {
    audit::AuditQuery q;
    q.kind = "exception";
    q.limit = 0;
    return audit.read(q).value();
  }

  std::filesystem::path dir;
  std::string path;
  system_clock::time_point now = at("2026-11-25T12:00:00");
  audit::MemoryAuditLog audit;
  std::unique_ptr<Registry> registry;
};

TEST_F(RegistryTest, AddWithApproverStoresApprovedAndAudits) {
  auto added = registry->add(request());
  ASSERT_TRUE(added.ok()) << added.error().to_string();
  EXPECT_EQ(added->waiver.status, WaiverStatus::approved);
  EXPECT_EQ(added->waiver.approver, "bob");
  EXPECT_EQ(added->created_by, "alice");
  EXPECT_EQ(added->created_at, "2026-11-25T12:00:00.000Z");

  auto got = registry->get("WVR-2001");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->waiver.controls, request().controls);
  EXPECT_EQ(format_date(*got->waiver.expires), "2026-12-31");

  const auto records = exception_records();
  ASSERT_EQ(records.size(), 1u);
  const auto body = nlohmann::json::parse(records[0].body);
  EXPECT_EQ(body["event"], "added");
  EXPECT_EQ(body["waiver"]["id"], "WVR-2001");
  EXPECT_EQ(body["waiver"]["status"], "approved");
  EXPECT_EQ(records[0].actor, "alice");
}

TEST_F(RegistryTest, AddWithoutApproverIsPendingAndApprovalByAnotherPerson) {
  WaiverRequest r = request();
  r.approver.clear();
  ASSERT_TRUE(registry->add(r).ok());
  EXPECT_EQ(registry->get(r.id)->waiver.status, WaiverStatus::pending);

  auto self = registry->approve(r.id, "alice");
  ASSERT_FALSE(self.ok());
  EXPECT_EQ(self.error().code, "exceptions.self_approval");
  EXPECT_EQ(registry->get(r.id)->waiver.status, WaiverStatus::pending);

  auto approved = registry->approve(r.id, "carol");
  ASSERT_TRUE(approved.ok()) << approved.error().to_string();
  EXPECT_EQ(approved->waiver.status, WaiverStatus::approved);
  EXPECT_EQ(approved->waiver.approver, "carol");
  EXPECT_EQ(registry->approve(r.id, "dave").error().code, "exceptions.not_pending");
  const auto records = exception_records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(records[1].body)["event"], "approved");
}

TEST_F(RegistryTest, SelfApprovalOnAddIsRefused) {
  WaiverRequest r = request();
  r.approver = "alice";
  auto added = registry->add(r);
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().code, "exceptions.self_approval");
  EXPECT_NE(added.error().message.find("approver"), std::string::npos);
  EXPECT_TRUE(registry->list()->empty());
  EXPECT_TRUE(exception_records().empty());
}

struct BadRequest {
  const char* name;
  std::function<void(WaiverRequest&)> spoil;
  const char* code;
  const char* field;
};

TEST_F(RegistryTest, InvalidRequestsNameTheField) {
  const std::vector<BadRequest> cases = {
      {"lowercase id", [](WaiverRequest& r) { r.id = "wvr-1"; }, "exceptions.invalid_id", "id"},
      {"id without number", [](WaiverRequest& r) { r.id = "WVR"; }, "exceptions.invalid_id", "id"},
      {"id with space", [](WaiverRequest& r) { r.id = "WVR-1 2"; }, "exceptions.invalid_id", "id"},
      {"no scope",
       [](WaiverRequest& r) {
         r.controls.clear();
         r.resources.clear();
       },
       "exceptions.invalid_scope", "scope"},
      {"short account", [](WaiverRequest& r) { r.accounts = {"11111111111"}; }, "exceptions.invalid_scope",
       "accounts[0]"},
      {"lone wildcard", [](WaiverRequest& r) { r.resources = {"*"}; }, "exceptions.invalid_scope", "resources[0]"},
      {"inner wildcard", [](WaiverRequest& r) { r.resources = {"arn:aws:s3:::a*b"}; }, "exceptions.invalid_scope",
       "resources[0]"},
      {"control with space", [](WaiverRequest& r) { r.controls = {"wc sg"}; }, "exceptions.invalid_scope",
       "controls[0]"},
      {"empty tag key", [](WaiverRequest& r) { r.tags = {{"", "x"}}; }, "exceptions.invalid_scope", "tags[0]"},
      {"no expiry", [](WaiverRequest& r) { r.expires.clear(); }, "exceptions.invalid_expiry", "expires"},
      {"not a date", [](WaiverRequest& r) { r.expires = "2026-02-30"; }, "exceptions.invalid_expiry", "expires"},
      {"past date", [](WaiverRequest& r) { r.expires = "2026-11-24"; }, "exceptions.invalid_expiry", "expires"},
      {"no reason", [](WaiverRequest& r) { r.reason = "  "; }, "exceptions.missing_field", "reason"},
      {"no requester", [](WaiverRequest& r) { r.requested_by.clear(); }, "exceptions.missing_field", "requested_by"},
  };
  for (const auto& c : cases) {
    WaiverRequest r = request();
    c.spoil(r);
    auto added = registry->add(r);
    ASSERT_FALSE(added.ok()) << c.name;
    EXPECT_EQ(added.error().code, c.code) << c.name;
    EXPECT_EQ(added.error().message.rfind(std::string(c.field) + ":", 0), 0u) << c.name << ": " << added.error().message;
  }
  EXPECT_TRUE(registry->list()->empty());
  EXPECT_TRUE(exception_records().empty());
}

TEST_F(RegistryTest, ExpiryDayItselfIsStillValid) {
  WaiverRequest r = request();
  r.expires = "2026-11-25";  // today: valid through the end of the day
  EXPECT_TRUE(registry->add(r).ok());
}

TEST_F(RegistryTest, DuplicateAndReservedIdsAreRefused) {
  ASSERT_TRUE(registry->add(request()).ok());
  EXPECT_EQ(registry->add(request()).error().code, "exceptions.duplicate_id");
  WaiverRequest config_id = request();
  config_id.id = "WVR-1042";  // the configuration file's waiver
  auto shadow = registry->add(config_id);
  ASSERT_FALSE(shadow.ok());
  EXPECT_EQ(shadow.error().code, "exceptions.duplicate_id");
  EXPECT_NE(shadow.error().message.find("configuration"), std::string::npos);
}

TEST_F(RegistryTest, RevokeNeedsWhoAndWhyAndIsAudited) {
  ASSERT_TRUE(registry->add(request()).ok());
  EXPECT_EQ(registry->revoke("WVR-2001", "carol", "").error().code, "exceptions.missing_field");
  EXPECT_EQ(registry->revoke("WVR-2001", "", "done").error().code, "exceptions.missing_field");
  EXPECT_EQ(registry->revoke("WVR-9999", "carol", "done").error().code, "exceptions.not_found");
  auto revoked = registry->revoke("WVR-2001", "carol", "bastion replaced");
  ASSERT_TRUE(revoked.ok()) << revoked.error().to_string();
  EXPECT_EQ(revoked->waiver.status, WaiverStatus::revoked);
  EXPECT_EQ(revoked->revoke_reason, "bastion replaced");
  EXPECT_EQ(revoked->updated_by, "carol");
  EXPECT_EQ(registry->revoke("WVR-2001", "carol", "again").error().code, "exceptions.already_revoked");
  const auto records = exception_records();
  ASSERT_EQ(records.size(), 2u);
  const auto body = nlohmann::json::parse(records[1].body);
  EXPECT_EQ(body["event"], "revoked");
  EXPECT_EQ(body["waiver"]["revoke_reason"], "bastion replaced");
  EXPECT_EQ(records[1].actor, "carol");
  EXPECT_TRUE(audit.verify()->ok());
}

TEST_F(RegistryTest, NoChangeWithoutAnAuditRecord) {
  FailingAudit failing;
  auto unaudited = open_registry(failing);
  auto added = unaudited->add(request());
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().code, "exceptions.audit");
  EXPECT_TRUE(unaudited->list()->empty());
  EXPECT_TRUE(registry->list()->empty());

  ASSERT_TRUE(registry->add(request()).ok());
  EXPECT_EQ(unaudited->revoke("WVR-2001", "carol", "why").error().code, "exceptions.audit");
  EXPECT_EQ(registry->get("WVR-2001")->waiver.status, WaiverStatus::approved);
}

TEST_F(RegistryTest, ListShowsExpiredWaiversAsExpired) {
  ASSERT_TRUE(registry->add(request()).ok());
  const auto stored = registry->get("WVR-2001").value();
  EXPECT_EQ(effective_status(stored.waiver, at("2026-12-31T23:59:59")), "approved");
  EXPECT_EQ(effective_status(stored.waiver, at("2027-01-01T00:00:00")), "expired");
  EXPECT_EQ(stored.to_json(at("2027-01-01T00:00:00"))["effective_status"], "expired");
  EXPECT_EQ(stored.to_json(at("2027-01-01T00:00:00"))["status"], "approved");
}

TEST_F(RegistryTest, WaiversSeeChangesFromAnotherConnection) {
  auto first = registry->waivers();
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->empty());

  auto other = open_registry(audit);  // e.g. `fixgate exceptions add` while serve runs
  ASSERT_TRUE(other->add(request()).ok());
  auto second = registry->waivers();
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].id, "WVR-2001");
  EXPECT_EQ((*second)[0].status, WaiverStatus::approved);

  ASSERT_TRUE(other->revoke("WVR-2001", "carol", "fixed").ok());
  EXPECT_EQ(registry->waivers()->at(0).status, WaiverStatus::revoked);
  // Our own change is visible too.
  WaiverRequest r = request();
  r.id = "WVR-2002";
  ASSERT_TRUE(registry->add(r).ok());
  EXPECT_EQ(registry->waivers()->size(), 2u);
}

TEST_F(RegistryTest, TagScopeRoundTrips) {
  WaiverRequest r = request();
  r.controls.clear();
  r.resources.clear();
  r.accounts = {"222222222222"};
  r.tags = {{"data-class", "public"}, {"legacy", "*"}};
  ASSERT_TRUE(registry->add(r).ok());
  const auto w = registry->waivers()->at(0);
  EXPECT_EQ(w.accounts, r.accounts);
  ASSERT_EQ(w.tags.size(), 2u);
  EXPECT_EQ(w.tags[1].key, "legacy");
  EXPECT_EQ(w.tags[1].value, "*");
}

}  // namespace
}  // namespace fixgate::exceptions
