#include "audit/audit_log.h"

#include <gtest/gtest.h>

#include "audit/memory_audit_log.h"
#include "test_support.h"

namespace fixgate::audit {
namespace {

using testing::entry;
using testing::FixedClock;

TEST(RecordHash, MatchesTheDocumentedSerialisation) {
  // Expected value computed independently (Python hashlib) from the layout in
  // audit_log.h: "fixgate.audit.v1" then "<len>:<bytes>," per field.
  AuditRecord r{1, "2026-01-02T03:04:05.006Z", "decision", "corr-1", "f-1", "fixgate", R"({"a":1,"b":"x"})",
                std::string(kGenesisHash), ""};
  EXPECT_EQ(record_hash(r), "0a9cf588643c3ae6c441cbfca0a28934bb06baff1614d6164b1ff4f1cdcaac58");
}

TEST(RecordHash, LengthPrefixesKeepFieldBoundariesApart) {
  AuditRecord a{1, "t", "decision", "ab", "c", "x", "{}", std::string(kGenesisHash), ""};
  AuditRecord b = a;
  b.correlation_id = "a";
  b.finding_id = "bc";
  EXPECT_NE(record_hash(a), record_hash(b));
}

TEST(CanonicalBody, SortsKeysAndDropsWhitespace) {
  auto body = canonical_body(nlohmann::json::parse(R"({ "z": [1, 2], "a": {"y": true, "b": null} })"));
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, R"({"a":{"b":null,"y":true},"z":[1,2]})");
}

TEST(CanonicalBody, RejectsNonObjectsAndInvalidUtf8) {
  auto array = canonical_body(nlohmann::json::array({1}));
  ASSERT_FALSE(array.ok());
  EXPECT_EQ(array.error().code, "audit.invalid_entry");
  EXPECT_NE(array.error().message.find("array"), std::string::npos);
  auto bad = canonical_body(nlohmann::json{{"k", std::string("\xff\xfe")}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("serialised"), std::string::npos);
}

TEST(ValidateEntry, NamesTheOffendingField) {
  AuditEntry e = entry("decision", "c", "f", nlohmann::json::object());
  EXPECT_TRUE(validate_entry(e).ok());
  e.kind = "Decision";
  EXPECT_NE(validate_entry(e).error().message.find("kind"), std::string::npos);
  e.kind = "decision";
  e.actor = "";
  EXPECT_NE(validate_entry(e).error().message.find("actor is empty"), std::string::npos);
  e.actor = "a";
  e.finding_id = std::string("\xc3\x28");
  EXPECT_NE(validate_entry(e).error().message.find("finding_id is not valid UTF-8"), std::string::npos);
  e.finding_id = std::string(2000, 'f');
  EXPECT_NE(validate_entry(e).error().message.find("finding_id is 2000 bytes"), std::string::npos);
  e.finding_id = "caf\xc3\xa9";  // valid two-byte UTF-8
  EXPECT_TRUE(validate_entry(e).ok());
  e.correlation_id = "\xed\xa0\x80";  // an encoded surrogate is not UTF-8
  EXPECT_FALSE(validate_entry(e).ok());
}

TEST(FormatTime, IsRfc3339UtcWithMilliseconds) {
  using namespace std::chrono;
  EXPECT_EQ(format_time(system_clock::time_point(milliseconds(1764072110123))), "2025-11-25T12:01:50.123Z");
  EXPECT_EQ(format_time(system_clock::time_point(milliseconds(0))), "1970-01-01T00:00:00.000Z");
}

class MemoryChain : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 1; i <= 6; ++i) {
      ASSERT_TRUE(log_.append(entry("decision", "corr-" + std::to_string(i), "f", {{"i", i}})).ok());
    }
  }
  FixedClock clock_;
  MemoryAuditLog log_{clock_};
};

TEST_F(MemoryChain, IntactChainVerifies) {
  auto report = log_.verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->records, 6);
  EXPECT_EQ(report->head_hash, log_.records_for_test().back().hash);
}

TEST_F(MemoryChain, EmptyLogVerifiesWithGenesisHead) {
  MemoryAuditLog empty(clock_);
  auto report = empty.verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->records, 0);
  EXPECT_EQ(report->head_hash, kGenesisHash);
}

TEST_F(MemoryChain, EditIsAHashMismatchAtThatRecord) {
  log_.records_for_test()[3].body = R"({"i":40})";
  auto report = log_.verify();
  ASSERT_TRUE(report.ok());
  ASSERT_TRUE(report->first_break);
  EXPECT_EQ(report->first_break->seq, 4);
  EXPECT_EQ(report->first_break->kind, BreakKind::hash_mismatch);
  EXPECT_EQ(report->records, 3);
  EXPECT_EQ(report->head_hash, log_.records_for_test()[2].hash);
}

TEST_F(MemoryChain, AnchorCatchesTruncationAtTheEnd) {
  const Anchor anchor{6, log_.records_for_test()[5].hash};
  auto intact = log_.verify(VerifyOptions{anchor});
  ASSERT_TRUE(intact.ok());
  EXPECT_TRUE(intact->ok());
  log_.records_for_test().pop_back();
  auto truncated = log_.verify(VerifyOptions{anchor});
  ASSERT_TRUE(truncated.ok());
  ASSERT_TRUE(truncated->first_break);
  EXPECT_EQ(truncated->first_break->kind, BreakKind::anchor_mismatch);
  EXPECT_EQ(truncated->first_break->seq, 6);
  EXPECT_NE(truncated->first_break->message.find("deleted from the end"), std::string::npos);
}

TEST_F(MemoryChain, AnchorCatchesAConsistentRewrite) {
  // A writer who knows the algorithm rewrites record 2 and re-hashes every
  // record after it: the chain is self-consistent, only the anchor disagrees.
  const Anchor anchor{3, log_.records_for_test()[2].hash};
  auto& records = log_.records_for_test();
  records[1].body = R"({"i":"forged"})";
  for (size_t i = 1; i < records.size(); ++i) {
    records[i].prev_hash = records[i - 1].hash;
    records[i].hash = record_hash(records[i]);
  }
  EXPECT_TRUE(log_.verify()->ok());
  auto report = log_.verify(VerifyOptions{anchor});
  ASSERT_TRUE(report->first_break);
  EXPECT_EQ(report->first_break->kind, BreakKind::anchor_mismatch);
  EXPECT_EQ(report->first_break->seq, 3);
}

TEST_F(MemoryChain, ReadFiltersAndOrders) {
  auto newest = log_.read(AuditQuery{.limit = 2, .newest_first = true});
  ASSERT_TRUE(newest.ok());
  ASSERT_EQ(newest->size(), 2u);
  EXPECT_EQ((*newest)[0].seq, 6);
  EXPECT_EQ((*newest)[1].seq, 5);
  auto one = log_.read(AuditQuery{.correlation_id = "corr-3"});
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].seq, 3);
}

}  // namespace
}  // namespace fixgate::audit
