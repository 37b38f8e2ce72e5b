// Owners from git history: who wrote the code that defines the resource.
//
// Reads a local repository with libgit2 (never the network). For a finding it
// finds the Terraform block defining the resource (terraform_locator.h): first
// in the file named by yor's `git_file` tag, otherwise in every *.tf file of
// HEAD (at most 5,000 files of at most 2 MiB). It then blames exactly those
// lines at HEAD and returns:
//   - the author of the most lines of the block           (person, 0.5)
//   - the author of the most recent commit in the block   (person, 0.55)
//     (one candidate at 0.6 when both are the same person)
//   - the CODEOWNERS owners of that file (source "codeowners"), from the
//     CODEOWNERS given at construction or else the repository's own
//     (.github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS at HEAD)
// Evidence: file, line range, how the block was found, commit id, author,
// commit time (UTC) and lines authored. Repository errors during a lookup
// yield no candidates rather than a failure: ownership is best-effort.
//
// Thread-safe: libgit2 objects are not, so lookups are serialised.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "core/result.h"
#include "ownership/candidate.h"
#include "ownership/codeowners.h"

struct git_repository;

namespace fixgate::ownership {

class GitBlameSource final : public OwnerSource {
 public:
  // Fails with "git.open_failed" when `repo_path` is not a readable repository.
  static Result<std::unique_ptr<GitBlameSource>> open(const std::string& repo_path,
                                                      std::shared_ptr<const Codeowners> codeowners);
  ~GitBlameSource() override;
  GitBlameSource(const GitBlameSource&) = delete;
  GitBlameSource& operator=(const GitBlameSource&) = delete;

  std::string_view name() const override { return "git_blame"; }
  std::vector<OwnerCandidate> candidates(const Finding& finding) const override;

 private:
  GitBlameSource(git_repository* repo, std::string path, std::shared_ptr<const Codeowners> codeowners);
  std::vector<OwnerCandidate> lookup(const Finding& finding) const;

  mutable std::mutex mutex_;
  git_repository* repo_;  // owned; freed in the destructor
  std::string path_;
  std::shared_ptr<const Codeowners> codeowners_;
};

}  // namespace fixgate::ownership
