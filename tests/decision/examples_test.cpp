// The bundled example findings (examples/findings/) decide exactly as the table
// in examples/findings/README.md says; the table is read from the README so the
// two cannot drift apart.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/text.h"
#include "decision/decision.h"
#include "fixtures.h"
#include "intake/intake.h"

namespace fixgate {
namespace {

const std::filesystem::path kExamples = FIXGATE_SOURCE_DIR "/examples/findings";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct Expected {
  std::string outcome;
  std::string reason;
};

// Rows "| file.json | outcome | reason | why |" of the README's table.
std::map<std::string, Expected> readme_table() {
  std::map<std::string, Expected> table;
  std::istringstream lines(read_file(kExamples / "README.md"));
  std::string line;
  while (std::getline(lines, line)) {
    if (!starts_with(line, "| ")) continue;
    const auto cells = split(line, '|');
    if (cells.size() < 5) continue;
    const std::string file = trim(cells[1]);
    if (file.size() < 6 || file.substr(file.size() - 5) != ".json") continue;
    EXPECT_EQ(table.count(file), 0u) << "listed twice: " << file;
    table[file] = Expected{trim(cells[2]), trim(cells[3])};
  }
  return table;
}

TEST(Examples, EveryFileDecidesAsTheReadmeSays) {
  const auto table = readme_table();
  ASSERT_GE(table.size(), 16u);
  const Config config = testing::reference_config();
  std::set<std::string> seen;
  for (const auto& entry : std::filesystem::directory_iterator(kExamples)) {
    if (entry.path().extension() != ".json") continue;
    const std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    seen.insert(name);
    const auto it = table.find(name);
    ASSERT_NE(it, table.end()) << "not in README.md's table";
    const auto findings = intake::parse_payload(read_file(entry.path()));
    ASSERT_EQ(findings.size(), 1u);
    const Decision d = decide(findings[0], enrich_from_config(findings[0], config, testing::test_now()), config);
    EXPECT_EQ(to_string(d.outcome), it->second.outcome) << d.to_json().dump(2);
    EXPECT_EQ(d.reason().code, it->second.reason) << d.to_json().dump(2);
  }
  for (const auto& [file, expected] : table) EXPECT_EQ(seen.count(file), 1u) << "no such file: " << file;
}

// Details the README's "why" column promises.
TEST(Examples, EvidenceNamedInTheReadme) {
  const Config config = testing::reference_config();
  auto decide_file = [&](const std::string& name) {
    const auto findings = intake::parse_payload(read_file(kExamples / name));
    return decide(findings.at(0), enrich_from_config(findings.at(0), config, testing::test_now()), config);
  };
  auto failed_check = [](const Decision& d, const std::string& name) {
    for (const auto& check : d.checks) {
      if (check.name == name) return !check.passed;
    }
    return false;
  };
  EXPECT_EQ(decide_file("wiz-s3-public-website-waived.json").exception, "WVR-1042");
  EXPECT_EQ(decide_file("wiz-s3-suppression-tag.json").exception, "fixgate:skip");
  EXPECT_TRUE(failed_check(decide_file("wiz-sg-bastion-expired-waiver.json"), "waiver_valid:WVR-0999"));
  EXPECT_TRUE(failed_check(decide_file("wiz-ebs-default-encryption-pending-waiver.json"), "waiver_valid:WVR-1100"));
  const Decision sg = decide_file("wiz-sg-ssh-open-production.json");
  EXPECT_EQ(sg.catalog_entry, "sg-admin-ports-open");
  EXPECT_EQ(sg.environment, "production");
  const Decision key = decide_file("wiz-iam-stale-access-key.json");
  EXPECT_EQ(key.params, nlohmann::json::parse(R"({"max_age_days": 90})"));
  EXPECT_EQ(key.environment_source, "account_table");
  const Decision ebs = decide_file("eventbridge-ebs-default-encryption.json");
  EXPECT_EQ(ebs.catalog_entry, "ebs-default-encryption");
  EXPECT_EQ(ebs.environment, "restricted-production");
}

}  // namespace
}  // namespace fixgate
