#include "ownership/git_blame_source.h"

#include <git2.h>

#include <ctime>
#include <map>
#include <optional>

#include "core/text.h"
#include "ownership/codeowners_source.h"
#include "ownership/terraform_locator.h"

namespace fixgate::ownership {
namespace {

constexpr std::size_t kMaxFiles = 5000;
constexpr std::size_t kMaxFileBytes = 2u << 20;

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const {
    if (p != nullptr) Free(p);
  }
};
using TreePtr = std::unique_ptr<git_tree, Deleter<git_tree, git_tree_free>>;
using EntryPtr = std::unique_ptr<git_tree_entry, Deleter<git_tree_entry, git_tree_entry_free>>;
using BlobPtr = std::unique_ptr<git_blob, Deleter<git_blob, git_blob_free>>;
using BlamePtr = std::unique_ptr<git_blame, Deleter<git_blame, git_blame_free>>;
using CommitPtr = std::unique_ptr<git_commit, Deleter<git_commit, git_commit_free>>;
using ObjectPtr = std::unique_ptr<git_object, Deleter<git_object, git_object_free>>;

TreePtr head_tree(git_repository* repo) {
  git_object* obj = nullptr;
  if (git_revparse_single(&obj, repo, "HEAD^{tree}") != 0) return nullptr;
  return TreePtr(reinterpret_cast<git_tree*>(obj));
}

std::optional<std::string> read_blob(git_repository* repo, git_tree* tree, const std::string& path) {
  git_tree_entry* raw = nullptr;
  if (git_tree_entry_bypath(&raw, tree, path.c_str()) != 0) return std::nullopt;
  EntryPtr entry(raw);
  if (git_tree_entry_type(entry.get()) != GIT_OBJECT_BLOB) return std::nullopt;
  git_blob* blob_raw = nullptr;
  if (git_blob_lookup(&blob_raw, repo, git_tree_entry_id(entry.get())) != 0) return std::nullopt;
  BlobPtr blob(blob_raw);
  const auto size = static_cast<std::size_t>(git_blob_rawsize(blob.get()));
  if (size > kMaxFileBytes) return std::nullopt;
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob.get())), size);
}

int collect_tf(const char* root, const git_tree_entry* entry, void* payload) {
  auto* files = static_cast<std::vector<std::string>*>(payload);
  if (files->size() >= kMaxFiles) return -1;  // stop the walk
  if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB) return 0;
  const std::string name = git_tree_entry_name(entry);
  if (name.ends_with(".tf")) files->push_back(std::string(root) + name);
  return 0;
}

std::string iso_utc(git_time_t when) {
  const std::time_t t = static_cast<std::time_t>(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int priority(const BlockLocation& b) {
  if (b.matched_by == "yor_trace") return 3;
  return b.matched_by.starts_with("attribute") ? 2 : 1;
}

struct AuthorStats {
  std::string name;
  std::string email;
  int lines = 0;
  git_time_t latest = 0;
  std::string latest_commit;
  int latest_commit_first = 0;
  int latest_commit_last = 0;
};

}  // namespace

GitBlameSource::GitBlameSource(git_repository* repo, std::string path, std::shared_ptr<const Codeowners> codeowners)
    : repo_(repo), path_(std::move(path)), codeowners_(std::move(codeowners)) {}

GitBlameSource::~GitBlameSource() {
  git_repository_free(repo_);
  git_libgit2_shutdown();
}

Result<std::unique_ptr<GitBlameSource>> GitBlameSource::open(const std::string& repo_path,
                                                             std::shared_ptr<const Codeowners> codeowners) {
  git_libgit2_init();
  git_repository* repo = nullptr;
  if (git_repository_open_ext(&repo, repo_path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) != 0) {
    const git_error* e = git_error_last();
    const std::string why = e != nullptr && e->message != nullptr ? e->message : "unknown error";
    git_libgit2_shutdown();
    return make_error("git.open_failed", repo_path + ": not a readable git repository (" + why + ")");
  }
  if (!codeowners) {
    if (TreePtr tree = head_tree(repo)) {
      for (const char* candidate : {".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"}) {
        if (auto text = read_blob(repo, tree.get(), candidate)) {
          codeowners = std::make_shared<const Codeowners>(Codeowners::parse(*text, repo_path + ":" + candidate));
          break;
        }
      }
    }
  }
  return std::unique_ptr<GitBlameSource>(new GitBlameSource(repo, repo_path, std::move(codeowners)));
}

std::vector<OwnerCandidate> GitBlameSource::candidates(const Finding& finding) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return lookup(finding);
}

std::vector<OwnerCandidate> GitBlameSource::lookup(const Finding& finding) const {
  const Tag* trace_tag = finding.find_tag("yor_trace");
  const std::string trace = trace_tag != nullptr ? trim(trace_tag->value) : "";
  if (trace.empty() && finding.resource_name.empty()) return {};
  TreePtr tree = head_tree(repo_);
  if (!tree) return {};

  std::string file;
  std::optional<BlockLocation> block;
  if (const Tag* file_tag = finding.find_tag("git_file")) {
    const std::string path = trim(file_tag->value);
    if (auto text = read_blob(repo_, tree.get(), path)) {
      block = locate_terraform_block(*text, trace, finding.resource_name);
      if (block) file = path;
    }
  }
  if (!block) {
    std::vector<std::string> files;
    git_tree_walk(tree.get(), GIT_TREEWALK_PRE, collect_tf, &files);
    for (const auto& path : files) {
      auto text = read_blob(repo_, tree.get(), path);
      if (!text) continue;
      auto found = locate_terraform_block(*text, trace, finding.resource_name);
      if (found && (!block || priority(*found) > priority(*block))) {
        block = found;
        file = path;
        if (priority(*block) == 3) break;
      }
    }
  }
  if (!block) return {};

  git_blame_options opts;
  git_blame_options_init(&opts, GIT_BLAME_OPTIONS_VERSION);
  opts.min_line = static_cast<std::size_t>(block->first_line);
  opts.max_line = static_cast<std::size_t>(block->last_line);
  git_blame* blame_raw = nullptr;
  if (git_blame_file(&blame_raw, repo_, file.c_str(), &opts) != 0) return {};
  BlamePtr blame(blame_raw);

  std::map<std::string, AuthorStats> authors;  // by lower-case e-mail (or name)
  int total = 0;
  const std::uint32_t hunks = git_blame_get_hunk_count(blame.get());
  for (std::uint32_t i = 0; i < hunks; ++i) {
    const git_blame_hunk* h = git_blame_get_hunk_byindex(blame.get(), i);
    if (h == nullptr || h->final_signature == nullptr) continue;
    const git_signature* sig = h->final_signature;
    const std::string email = sig->email != nullptr ? sig->email : "";
    const std::string name = sig->name != nullptr ? sig->name : "";
    AuthorStats& a = authors[to_lower(email.empty() ? name : email)];
    a.name = name;
    a.email = email;
    const int lines = static_cast<int>(h->lines_in_hunk);
    a.lines += lines;
    total += lines;
    if (sig->when.time >= a.latest) {
      a.latest = sig->when.time;
      a.latest_commit = git_oid_tostr_s(&h->final_commit_id);
      a.latest_commit_first = static_cast<int>(h->final_start_line_number);
      a.latest_commit_last = a.latest_commit_first + lines - 1;
    }
  }
  if (authors.empty()) return {};

  const AuthorStats* most_lines = nullptr;
  const AuthorStats* most_recent = nullptr;
  for (const auto& [key, a] : authors) {
    if (most_lines == nullptr || a.lines > most_lines->lines) most_lines = &a;
    if (most_recent == nullptr || a.latest > most_recent->latest) most_recent = &a;
  }

  const std::string range = std::to_string(block->first_line) + "-" + std::to_string(block->last_line);
  auto make = [&](const AuthorStats& a, double confidence, const char* why) {
    OwnerCandidate c;
    c.owner = a.email.empty() ? a.name : a.email;
    c.kind = OwnerKind::person;
    c.source = "git_blame";
    c.confidence = confidence;
    std::string summary;
    git_oid oid;
    if (git_oid_fromstr(&oid, a.latest_commit.c_str()) == 0) {
      git_commit* commit_raw = nullptr;
      if (git_commit_lookup(&commit_raw, repo_, &oid) == 0) {
        CommitPtr commit(commit_raw);
        if (const char* s = git_commit_summary(commit.get())) summary = s;
      }
    }
    c.evidence = {{"why", why},
                  {"file", file},
                  {"lines", range},
                  {"block", block->address},
                  {"located_by", block->matched_by},
                  {"commit", a.latest_commit},
                  {"commit_lines", std::to_string(a.latest_commit_first) + "-" + std::to_string(a.latest_commit_last)},
                  {"author", a.name + " <" + a.email + ">"},
                  {"commit_time", iso_utc(a.latest)},
                  {"lines_authored", std::to_string(a.lines) + " of " + std::to_string(total)}};
    if (!summary.empty()) c.evidence.push_back({"commit_summary", summary});
    return c;
  };

  std::vector<OwnerCandidate> out;
  if (most_lines == most_recent) {
    out.push_back(make(*most_lines, 0.6, "most lines and most recent change"));
  } else {
    out.push_back(make(*most_recent, 0.55, "most recent change"));
    out.push_back(make(*most_lines, 0.5, "most lines"));
  }
  if (codeowners_) {
    for (auto& c : codeowners_candidates(*codeowners_, file, "git blame: " + block->matched_by)) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace fixgate::ownership
