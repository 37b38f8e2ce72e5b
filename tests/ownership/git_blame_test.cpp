// git blame against a real repository the test builds with libgit2: two
// authors, several commits, a Terraform file carrying yor tags.
#include <git2.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ownership/git_blame_source.h"
#include "ownership/resolver.h"
#include "ownership/terraform_locator.h"

namespace fixgate::ownership {
namespace {

namespace fs = std::filesystem;

const char* kTrace = "74db451b-ebc6-4f18-872b-460a18376278";

// main.tf as alice first writes it: a bucket (lines 1-4) and a KMS key (6-9).
const char* kV1 =
    "resource \"aws_s3_bucket\" \"logs\" {\n"      // 1
    "  bucket = \"acme-logs-bucket\"\n"             // 2
    "  acl    = \"private\"\n"                      // 3
    "}\n"                                            // 4
    "\n"                                             // 5
    "resource \"aws_kms_key\" \"logs_key\" {\n"     // 6
    "  description = \"logs bucket key\"\n"         // 7
    "  deletion_window_in_days = 7\n"                // 8
    "}\n";                                           // 9

// bob adds yor tags to the key (lines 9-14 are his).
const char* kV2 =
    "resource \"aws_s3_bucket\" \"logs\" {\n"
    "  bucket = \"acme-logs-bucket\"\n"
    "  acl    = \"private\"\n"
    "}\n"
    "\n"
    "resource \"aws_kms_key\" \"logs_key\" {\n"     // 6
    "  description = \"logs bucket key\"\n"         // 7
    "  deletion_window_in_days = 7\n"                // 8
    "  tags = {\n"                                   // 9
    "    git_file  = \"infra/main.tf\"\n"           // 10
    "    git_repo  = \"acme-infra\"\n"              // 11
    "    yor_trace = \"74db451b-ebc6-4f18-872b-460a18376278\" # {not a brace}\n"  // 12
    "  }\n"                                          // 13
    "  # closing } in a comment\n"                   // 14
    "}\n";                                           // 15

// alice later changes the description (line 7).
std::string v3() {
  std::string text = kV2;
  const std::string from = "logs bucket key";
  text.replace(text.find(from), from.size(), "key for the logs bucket");
  return text;
}

class TestRepo {
 public:
  TestRepo() {
    git_libgit2_init();
    dir_ = fs::temp_directory_path() / ("fixgate-blame-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(counter_++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    EXPECT_EQ(git_repository_init(&repo_, dir_.c_str(), 0), 0);
  }
  ~TestRepo() {
    git_repository_free(repo_);
    fs::remove_all(dir_);
    git_libgit2_shutdown();
  }
  std::string path() const { return dir_.string(); }

  // Writes `files`, stages them and commits as `name <email>` at `when`.
  std::string commit(const std::vector<std::pair<std::string, std::string>>& files, const char* name,
                     const char* email, git_time_t when, const char* message) {
    git_index* index = nullptr;
    EXPECT_EQ(git_repository_index(&index, repo_), 0);
    for (const auto& [rel, content] : files) {
      fs::create_directories((dir_ / rel).parent_path());
      std::ofstream(dir_ / rel, std::ios::binary) << content;
      EXPECT_EQ(git_index_add_bypath(index, rel.c_str()), 0);
    }
    EXPECT_EQ(git_index_write(index), 0);
    git_oid tree_id;
    EXPECT_EQ(git_index_write_tree(&tree_id, index), 0);
    git_index_free(index);
    git_tree* tree = nullptr;
    EXPECT_EQ(git_tree_lookup(&tree, repo_, &tree_id), 0);
    git_signature* sig = nullptr;
    EXPECT_EQ(git_signature_new(&sig, name, email, when, 0), 0);
    git_commit* parent = nullptr;
    git_oid head;
    const bool has_parent = git_reference_name_to_id(&head, repo_, "HEAD") == 0;
    if (has_parent) {
      EXPECT_EQ(git_commit_lookup(&parent, repo_, &head), 0);
    }
    git_oid id;
    const git_commit* parents[] = {parent};
    EXPECT_EQ(git_commit_create(&id, repo_, "HEAD", sig, sig, nullptr, message, tree, has_parent ? 1 : 0,
                                has_parent ? parents : nullptr),
              0);
    git_commit_free(parent);
    git_signature_free(sig);
    git_tree_free(tree);
    return git_oid_tostr_s(&id);
  }

 private:
  static inline int counter_ = 0;
  fs::path dir_;
  git_repository* repo_ = nullptr;
};

Finding kms_finding(bool with_file_tag) {
  Finding f;
  f.resource_arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd";
  f.resource_name = "1234abcd";
  f.tags = {{"yor_trace", kTrace}, {"git_repo", "acme-infra"}};
  if (with_file_tag) f.tags.push_back({"git_file", "infra/main.tf"});
  return f;
}

TEST(TerraformLocatorTest, FindsBlockByYorTraceAttributeOrName) {
  auto by_trace = locate_terraform_block(kV2, kTrace, "");
  ASSERT_TRUE(by_trace.has_value());
  EXPECT_EQ(by_trace->first_line, 6);
  EXPECT_EQ(by_trace->last_line, 15);
  EXPECT_EQ(by_trace->address, "aws_kms_key.logs_key");
  EXPECT_EQ(by_trace->matched_by, "yor_trace");

  auto by_attribute = locate_terraform_block(kV2, "", "acme-logs-bucket");
  ASSERT_TRUE(by_attribute.has_value());
  EXPECT_EQ(by_attribute->first_line, 1);
  EXPECT_EQ(by_attribute->last_line, 4);
  EXPECT_EQ(by_attribute->matched_by, "attribute bucket");

  auto by_label = locate_terraform_block(kV2, "other-trace", "logs_key");
  ASSERT_TRUE(by_label.has_value());
  EXPECT_EQ(by_label->matched_by, "block name");

  EXPECT_FALSE(locate_terraform_block(kV2, "other-trace", "nothing").has_value());
}

TEST(GitBlameSourceTest, BlamesTheYorTaggedBlock) {
  TestRepo repo;
  const std::string c1 = repo.commit({{"infra/main.tf", kV1}, {"README.md", "infra\n"}}, "Alice Admin",
                                     "alice@example.com", 1700000000, "Add logs bucket and key");
  const std::string c2 = repo.commit({{"infra/main.tf", kV2}, {".github/CODEOWNERS", "*.tf @acme/infra\n/README.md @alice\n"}},
                                     "Bob Builder", "bob@example.com", 1700100000, "Tag key with yor");

  {
    auto source = GitBlameSource::open(repo.path(), nullptr);
    ASSERT_TRUE(source.ok()) << source.error().to_string();
    const auto c = (*source)->candidates(kms_finding(false));
    ASSERT_EQ(c.size(), 2u);
    // bob wrote 6 of the 10 lines and the latest commit: one candidate.
    EXPECT_EQ(c[0].owner, "bob@example.com");
    EXPECT_EQ(c[0].source, "git_blame");
    EXPECT_DOUBLE_EQ(c[0].confidence, 0.6);
    EXPECT_EQ(c[0].evidence_value("commit"), c2);
    EXPECT_EQ(c[0].evidence_value("file"), "infra/main.tf");
    EXPECT_EQ(c[0].evidence_value("lines"), "6-15");
    EXPECT_EQ(c[0].evidence_value("located_by"), "yor_trace");
    EXPECT_EQ(c[0].evidence_value("lines_authored"), "6 of 10");
    EXPECT_EQ(c[0].evidence_value("author"), "Bob Builder <bob@example.com>");
    EXPECT_EQ(c[0].evidence_value("commit_time"), "2023-11-16T02:00:00Z");
    EXPECT_EQ(c[0].evidence_value("commit_summary"), "Tag key with yor");
    // The repository's own CODEOWNERS names the file's owners.
    EXPECT_EQ(c[1].owner, "@acme/infra");
    EXPECT_EQ(c[1].source, "codeowners");
    EXPECT_EQ(c[1].evidence_value("codeowners_rule"), repo.path() + ":.github/CODEOWNERS:1");
  }

  const std::string c3 = repo.commit({{"infra/main.tf", v3()}}, "Alice Admin", "alice@example.com", 1700200000,
                                     "Reword key description");
  auto source = GitBlameSource::open(repo.path(), nullptr);
  ASSERT_TRUE(source.ok());
  const auto c = (*source)->candidates(kms_finding(true));
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].owner, "alice@example.com");
  EXPECT_EQ(c[0].evidence_value("why"), "most recent change");
  EXPECT_EQ(c[0].evidence_value("commit"), c3);
  EXPECT_EQ(c[0].evidence_value("commit_lines"), "7-7");
  EXPECT_EQ(c[0].evidence_value("lines_authored"), "4 of 10");
  EXPECT_DOUBLE_EQ(c[0].confidence, 0.55);
  EXPECT_EQ(c[1].owner, "bob@example.com");
  EXPECT_EQ(c[1].evidence_value("why"), "most lines");
  EXPECT_EQ(c[1].evidence_value("commit"), c2);
  EXPECT_EQ(c[1].evidence_value("lines_authored"), "6 of 10");

  // The bucket, found by its name attribute, is all alice's first commit.
  Finding bucket;
  bucket.resource_name = "acme-logs-bucket";
  const auto b = (*source)->candidates(bucket);
  ASSERT_GE(b.size(), 1u);
  EXPECT_EQ(b[0].owner, "alice@example.com");
  EXPECT_EQ(b[0].evidence_value("commit"), c1);
  EXPECT_EQ(b[0].evidence_value("lines"), "1-4");
  EXPECT_EQ(b[0].evidence_value("located_by"), "attribute bucket");

  Finding unknown;
  unknown.resource_name = "not-in-repo";
  EXPECT_TRUE((*source)->candidates(unknown).empty());
}

TEST(GitBlameSourceTest, ResolverWithRepoAndConfiguredCodeowners) {
  TestRepo repo;
  repo.commit({{"infra/main.tf", kV1}}, "Alice Admin", "alice@example.com", 1700000000, "one");
  const std::string c2 = repo.commit({{"infra/main.tf", kV2}}, "Bob Builder", "bob@example.com", 1700100000, "two");
  const auto owners = fs::temp_directory_path() / ("fixgate-owners-" + std::to_string(::getpid()));
  std::ofstream(owners) << "# infra\ninfra/ @acme/platform bob@example.com\n";

  OwnershipOptions options;
  options.tag_keys = {"owner"};
  options.repo_path = repo.path();
  options.codeowners_path = owners.string();
  auto resolver = OwnershipResolver::create(options);
  ASSERT_TRUE(resolver.ok()) << resolver.error().to_string();
  const Ownership result = resolver->resolve(kms_finding(true));
  // codeowners ranks before git_blame by default; the tag-named file and the
  // blamed file are the same, so each CODEOWNERS owner appears once.
  ASSERT_EQ(result.candidates.size(), 3u);
  EXPECT_EQ(result.candidates[0].owner, "@acme/platform");
  EXPECT_EQ(result.candidates[0].evidence_value("codeowners_rule"), owners.string() + ":2");
  EXPECT_EQ(result.candidates[0].evidence_value("path_from"), "tag git_file");
  EXPECT_EQ(result.candidates[1].owner, "bob@example.com");
  EXPECT_EQ(result.candidates[1].source, "codeowners");
  EXPECT_EQ(result.candidates[2].source, "git_blame");
  EXPECT_EQ(result.candidates[2].evidence_value("commit"), c2);
  ASSERT_TRUE(result.chosen.has_value());
  EXPECT_EQ(result.chosen->owner, "@acme/platform");
  fs::remove(owners);
}

TEST(GitBlameSourceTest, NotARepositoryIsAnError) {
  auto source = GitBlameSource::open("/nonexistent/repo", nullptr);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().code, "git.open_failed");
}

}  // namespace
}  // namespace fixgate::ownership
