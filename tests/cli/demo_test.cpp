// `fixgate demo` as a newcomer runs it: every outcome of the decision matrix,
// a verified fix, a verified audit chain, JSON logs without secrets, exit 0.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

TEST(Demo, ShowsEveryOutcomeAFixAndAVerifiedAuditLog) {
  const fs::path dir = fs::temp_directory_path() / ("fixgate-demo-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path err = dir / "stderr.log";
  const std::string command = std::string("cd ") + FIXGATE_SOURCE_DIR + " && " + FIXGATE_BINARY_DIR +
                              "/fixgate demo --state-dir " + (dir / "state").string() + " 2>" + err.string();
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  const int status = pclose(pipe);
  std::ifstream err_in(err);
  std::stringstream err_text;
  err_text << err_in.rdbuf();
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0) << out << "\n" << err_text.str().substr(0, 4000);

  for (const char* outcome : {" remediate ", " dry_run ", " approval_required ", " notify ", " skip ", " reject "}) {
    EXPECT_NE(out.find(outcome), std::string::npos) << "no row with" << outcome << "\n" << out;
  }
  // Every bundled finding has a row.
  for (const auto& entry : fs::directory_iterator(fs::path(FIXGATE_SOURCE_DIR) / "examples/findings")) {
    if (entry.path().extension() != ".json") continue;
    EXPECT_NE(out.find(entry.path().filename().string()), std::string::npos) << entry.path();
  }
  EXPECT_NE(out.find("(kill switch) wiz-s3-public-bucket-production.json"), std::string::npos);
  EXPECT_NE(out.find(" succeeded "), std::string::npos) << "no verified fix\n" << out;
  EXPECT_EQ(out.find("NOT DECIDED"), std::string::npos) << out;
  EXPECT_NE(out.find("audit verify: ok"), std::string::npos) << out;
  EXPECT_TRUE(fs::exists(dir / "state/audit.db"));

  std::istringstream lines(err_text.str());
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    EXPECT_FALSE(j.value("correlation_id", std::string()).empty()) << line;
    EXPECT_EQ(line.find("wJalrXUtnFEMI"), std::string::npos) << line;
    EXPECT_EQ(line.find("Bearer demo-"), std::string::npos) << line;
    ++count;
  }
  EXPECT_GT(count, 18);
  fs::remove_all(dir);
}

}  // namespace
