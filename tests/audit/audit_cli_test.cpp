// Runs the built `fixgate audit ...` binary against temp logs.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "audit/sqlite_audit_log.h"
#include "test_support.h"

namespace fixgate::audit {
namespace {

using testing::entry;
using testing::raw_sql;
using testing::TempDir;

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class AuditCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = SqliteAuditLog::open(db_);
    ASSERT_TRUE(log.ok()) << log.error().to_string();
    const char* kinds[] = {"decision", "action_intent", "action_result", "decision", "notification"};
    for (int i = 0; i < 5; ++i) {
      auto r = (*log)->append(entry(kinds[i], i < 3 ? "corr-a" : "corr-b", "finding-" + std::to_string(i),
                                    {{"step", i}, {"resource", "arn:aws:s3:::bucket-" + std::to_string(i)}}));
      ASSERT_TRUE(r.ok());
      head_ = r->hash;
    }
    // A finding id an attacker chose: an ANSI escape that would recolour a terminal.
    auto evil = (*log)->append(entry("rejection", "corr-c", "evil\x1b[31mred", {{"title", "bad\x07"}}));
    ASSERT_TRUE(evil.ok());
    head_ = evil->hash;
  }

  CliRun run(const std::string& args, const std::string& env = "") {
    const std::string err_file = dir_.file("stderr.txt");
    const std::string command = env + " " FIXGATE_BINARY_DIR "/fixgate audit " + args + " 2>" + err_file;
    CliRun result;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return result;
    std::array<char, 4096> buf{};
    size_t n = 0;
    while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) result.out.append(buf.data(), n);
    const int status = pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream err(err_file);
    std::stringstream ss;
    ss << err.rdbuf();
    result.err = ss.str();
    return result;
  }

  TempDir dir_;
  std::string db_ = dir_.file("audit.db");
  std::string head_;
};

TEST_F(AuditCliTest, VerifyIntactLog) {
  CliRun r = run("verify --db " + db_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ok: 6 records, head " + head_ + "\n");
}

TEST_F(AuditCliTest, VerifyUsesTheStateDirByDefault) {
  CliRun r = run("verify", "FIXGATE_STATE_DIR=" + dir_.file(""));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ok: 6 records, head " + head_ + "\n");
}

TEST_F(AuditCliTest, VerifyReportsTheFirstBrokenLink) {
  ASSERT_EQ(raw_sql(db_, "DROP TRIGGER audit_records_append_only_update;"
                         "UPDATE audit_records SET body = '{\"step\":99}' WHERE seq = 3;"
                         "UPDATE audit_records SET body = '{\"step\":98}' WHERE seq = 5;"),
            "");
  CliRun r = run("verify --db " + db_);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("BROKEN at record 3 (hash_mismatch)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("intact: records 1..2"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("warning: the append-only triggers"), std::string::npos) << r.err;
}

TEST_F(AuditCliTest, VerifyAgainstAnExpectedHead) {
  EXPECT_EQ(run("verify --db " + db_ + " --expect 6:" + head_).exit_code, 0);
  CliRun wrong = run("verify --db " + db_ + " --expect 6:" + std::string(64, 'a'));
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.out.find("anchor_mismatch"), std::string::npos);
  CliRun beyond = run("verify --db " + db_ + " --expect 9:" + head_);
  EXPECT_EQ(beyond.exit_code, 1);
  EXPECT_NE(beyond.out.find("deleted from the end"), std::string::npos);
  CliRun malformed = run("verify --db " + db_ + " --expect nonsense");
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_NE(malformed.err.find("--expect must be SEQ:HASH"), std::string::npos);
}

TEST_F(AuditCliTest, MissingLogIsAUsageError) {
  CliRun r = run("verify --db " + dir_.file("absent.db"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no audit log at"), std::string::npos);
}

TEST_F(AuditCliTest, ShowFiltersAndEscapes) {
  CliRun by_corr = run("show --db " + db_ + " --correlation-id corr-a");
  EXPECT_EQ(by_corr.exit_code, 0) << by_corr.err;
  std::istringstream lines(by_corr.out);
  std::string header;
  std::getline(lines, header);
  EXPECT_EQ(header.rfind("SEQ  TIME", 0), 0u) << header;
  int rows = 0;
  for (std::string line; std::getline(lines, line);) {
    ++rows;
    EXPECT_NE(line.find("corr-a"), std::string::npos) << line;
  }
  EXPECT_EQ(rows, 3);

  CliRun latest = run("show --db " + db_ + " --limit 2");
  EXPECT_EQ(latest.exit_code, 0);
  const size_t five = latest.out.find("\n5 ");
  const size_t six = latest.out.find("\n6 ");
  ASSERT_NE(five, std::string::npos) << latest.out;
  ASSERT_NE(six, std::string::npos);
  EXPECT_LT(five, six);
  EXPECT_EQ(latest.out.find("\n4 "), std::string::npos);
  EXPECT_EQ(latest.out.find('\x1b'), std::string::npos) << "raw escape reached the terminal";
  EXPECT_EQ(latest.out.find('\x07'), std::string::npos);
  EXPECT_NE(latest.out.find("evil\\x1b[31mred"), std::string::npos) << latest.out;

  CliRun by_kind = run("show --db " + db_ + " --kind decision --finding-id finding-3");
  EXPECT_NE(by_kind.out.find("finding-3"), std::string::npos);
  EXPECT_EQ(by_kind.out.find("finding-0"), std::string::npos);
  CliRun none = run("show --db " + db_ + " --kind approval");
  EXPECT_NE(none.out.find("(no matching records)"), std::string::npos);
}

TEST_F(AuditCliTest, ExportWritesOneVerifiableJsonObjectPerRecord) {
  CliRun r = run("export --db " + db_ + " --format jsonl");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  int64_t seq = 0;
  std::string prev(kGenesisHash);
  for (std::string line; std::getline(lines, line);) {
    const auto j = nlohmann::json::parse(line);
    ++seq;
    EXPECT_EQ(j.at("seq").get<int64_t>(), seq);
    ASSERT_TRUE(j.at("body").is_object());
    // The exported fields are enough to recompute every hash and link.
    AuditRecord rec{j["seq"], j["time"], j["kind"], j["correlation_id"], j["finding_id"], j["actor"],
                    j["body"].dump(), j["prev_hash"], j["hash"]};
    EXPECT_EQ(rec.prev_hash, prev);
    EXPECT_EQ(record_hash(rec), rec.hash);
    prev = rec.hash;
  }
  EXPECT_EQ(seq, 6);
  EXPECT_EQ(prev, head_);
  EXPECT_EQ(run("export --db " + db_ + " --format csv").exit_code, 2);
}

}  // namespace
}  // namespace fixgate::audit
