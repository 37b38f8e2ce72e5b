// Ownership resolution at scale: a 10,000-entity Backstage catalog and a
// 50,000-line CODEOWNERS file, both generated here into a temp folder, plus a
// 10,000-row CMDB export and 10,000 CloudTrail creation events.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "ownership/backstage_catalog.h"
#include "ownership/codeowners.h"
#include "ownership/resolver.h"

namespace fixgate::ownership {
namespace {

namespace fs = std::filesystem;

constexpr int kEntities = 10000;
constexpr int kCodeownersLines = 50000;
constexpr int kCmdbRows = 10000;
constexpr int kTrailEvents = 10000;

std::string arn_of(int i) { return "arn:aws:s3:::bench-bucket-" + std::to_string(i); }

struct Fixture {
  fs::path dir;
  OwnershipOptions options;

  Fixture() {
    dir = fs::temp_directory_path() / ("fixgate-ownership-bench-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "catalog");
    // 10,000 entities in 100 multi-document files: 200 groups, 400 systems,
    // and components/resources; every 4th resource has no owner and inherits
    // its system's.
    int n = 0;
    for (int file = 0; file < 100; ++file) {
      std::ofstream out(dir / "catalog" / ("catalog-" + std::to_string(file) + ".yaml"));
      for (int k = 0; k < 100; ++k, ++n) {
        out << "---\napiVersion: backstage.io/v1alpha1\n";
        if (n < 200) {
          out << "kind: Group\nmetadata:\n  name: team-" << n << "\nspec:\n  type: team\n  profile:\n    email: team-" << n
              << "@example.com\n";
        } else if (n < 600) {
          out << "kind: System\nmetadata:\n  name: system-" << n << "\nspec:\n  owner: team-" << n % 200 << "\n";
        } else if (n % 2 == 0) {
          out << "kind: Component\nmetadata:\n  name: service-" << n << "\n  annotations:\n    github.com/project-slug: acme/repo-"
              << n << "\nspec:\n  type: service\n  lifecycle: production\n  owner: group:default/team-" << n % 200
              << "\n  system: system-" << 200 + n % 400 << "\n";
        } else {
          out << "kind: Resource\nmetadata:\n  name: bucket-" << n << "\n  annotations:\n    aws.amazon.com/arn: " << arn_of(n)
              << "\nspec:\n  type: s3-bucket\n";
          if (n % 4 != 1) out << "  owner: team-" << n % 200 << "\n";
          out << "  system: system-" << 200 + n % 400 << "\n";
        }
      }
    }
    // 50,000 CODEOWNERS lines: comments, directory rules, globs and a few
    // unanchored patterns that must be tried for every path.
    {
      std::ofstream out(dir / "CODEOWNERS");
      out << "# generated\n* @acme/everyone\n*.md @acme/docs\n**/terraform/ @acme/infra\n";
      for (int i = 4; i < kCodeownersLines; ++i) {
        switch (i % 10) {
          case 0: out << "# section " << i << "\n"; break;
          case 1: out << "/services/svc-" << i << "/ @acme/team-" << i % 200 << "\n"; break;
          case 2: out << "services/svc-" << i - 1 << "/terraform/*.tf @acme/infra-" << i % 50 << " ops@example.com\n"; break;
          case 3: out << "/libs/lib-" << i << "/**/*.go @user" << i % 300 << "\n"; break;
          case 4: out << "/apps/app-" << i << "/ @acme/app-" << i % 100 << "\n"; break;
          case 5: out << "apps/app-" << i - 1 << "/vendor\n"; break;
          case 6: out << "/terraform/modules/mod-" << i << "/ @acme/platform-" << i % 20 << "\n"; break;
          case 7: out << "*.tf.svc" << i << " @acme/rare\n"; break;
          case 8: out << "/docs/page-" << i << ".md @docs-writer\n"; break;
          default: out << "/data/set-" << i << "/** @acme/data\n"; break;
        }
      }
    }
    {
      std::ofstream out(dir / "cmdb.csv");
      out << "sys_id,name,u_arn,assignment_group,owned_by\r\n";
      for (int i = 0; i < kCmdbRows; ++i) {
        out << "ci" << i << ",\"bench-bucket-" << i << "\"," << arn_of(i) << ",\"CMDB Group " << i % 100
            << "\",\"Owner, Person " << i << "\"\r\n";
      }
    }
    {
      std::ofstream out(dir / "trail.json");
      out << "{\"Records\": [";
      for (int i = 0; i < kTrailEvents; ++i) {
        out << (i ? "," : "") << "{\"eventID\": \"ev-" << i
            << "\", \"eventName\": \"CreateBucket\", \"eventTime\": \"2024-01-01T00:00:00Z\", \"recipientAccountId\": "
               "\"111122223333\", \"requestParameters\": {\"bucketName\": \"bench-bucket-"
            << i << "\"}, \"userIdentity\": {\"type\": \"AssumedRole\", \"arn\": \"arn:aws:sts::111122223333:assumed-role/Dev/dev"
            << i % 50 << "@example.com\", \"sessionContext\": {\"sessionIssuer\": {\"type\": \"Role\", \"arn\": "
               "\"arn:aws:iam::111122223333:role/Dev\", \"userName\": \"Dev\"}}}}";
      }
      out << "]}\n";
    }
    options.tag_keys = {"owner", "team", "app:owner"};
    options.tag_rules = {{"cost-center", "^cc-4[0-9]", "payments"}, {"env", "^prod", "sre"}};
    options.projects = {{"Payments", "payments"}};
    options.accounts = {{"111122223333", "platform"}};
    options.backstage_catalogs = {(dir / "catalog").string()};
    options.codeowners_path = (dir / "CODEOWNERS").string();
    options.cmdb_path = (dir / "cmdb.csv").string();
    options.cloudtrail_events_path = (dir / "trail.json").string();
  }
  ~Fixture() { fs::remove_all(dir); }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

const OwnershipResolver& resolver() {
  static const OwnershipResolver r = [] {
    auto created = OwnershipResolver::create(fixture().options);
    if (!created) {
      std::fprintf(stderr, "%s\n", created.error().to_string().c_str());
      std::abort();
    }
    return std::move(created).value();
  }();
  return r;
}

Finding bench_finding(int i) {
  const int n = 601 + 2 * (i % 4700);  // an odd index: a Resource entity
  Finding f;
  f.resource_arn = arn_of(n);
  f.resource_name = "bench-bucket-" + std::to_string(n);
  f.account = "111122223333";
  f.projects = {"Payments"};
  f.tags = {{"Environment", "production"},
            {"cost-center", "cc-42"},
            {"git_file", "services/svc-" + std::to_string(10 * (i % 4999) + 1) + "/terraform/main.tf"},
            {"Team", "web"}};
  return f;
}

void BM_LoadBackstageCatalog10k(benchmark::State& state) {
  const std::string path = (fixture().dir / "catalog").string();
  for (auto _ : state) {
    auto catalog = BackstageCatalog::load({path});
    if (!catalog || catalog->entities().size() != kEntities) state.SkipWithError("catalog did not load");
    benchmark::DoNotOptimize(catalog);
  }
  state.counters["entities"] = kEntities;
}
BENCHMARK(BM_LoadBackstageCatalog10k)->Unit(benchmark::kMillisecond);

void BM_ParseCodeowners50k(benchmark::State& state) {
  std::ifstream in(fixture().dir / "CODEOWNERS");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (auto _ : state) {
    auto file = Codeowners::parse(text);
    benchmark::DoNotOptimize(file);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ParseCodeowners50k)->Unit(benchmark::kMillisecond);

void BM_CodeownersMatch50k(benchmark::State& state) {
  auto file = Codeowners::load((fixture().dir / "CODEOWNERS").string());
  const std::vector<std::string> paths = {"services/svc-40001/terraform/main.tf", "apps/app-12344/vendor/x.js",
                                          "README.md", "deep/nested/terraform/x.tf", "libs/lib-23/a/b/c.go",
                                          "unmatched/path/file.bin"};
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(file->match(paths[i++ % paths.size()]));
  }
}
BENCHMARK(BM_CodeownersMatch50k);

void BM_CodeownersMatchLinearScan50k(benchmark::State& state) {
  // The same lookups without the anchor index, for comparison.
  auto file = Codeowners::load((fixture().dir / "CODEOWNERS").string());
  const std::vector<std::string> paths = {"services/svc-40001/terraform/main.tf", "apps/app-12344/vendor/x.js",
                                          "README.md", "deep/nested/terraform/x.tf", "libs/lib-23/a/b/c.go",
                                          "unmatched/path/file.bin"};
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& path = paths[i++ % paths.size()];
    const CodeownersRule* hit = nullptr;
    for (auto it = file->rules().rbegin(); it != file->rules().rend(); ++it) {
      if (it->pattern.matches(path)) {
        hit = &*it;
        break;
      }
    }
    benchmark::DoNotOptimize(hit);
  }
}
BENCHMARK(BM_CodeownersMatchLinearScan50k);

void BM_ResolveFindingAllSources(benchmark::State& state) {
  const OwnershipResolver& r = resolver();
  int i = 0;
  std::size_t candidates = 0;
  for (auto _ : state) {
    const Ownership o = r.resolve(bench_finding(i++));
    candidates += o.candidates.size();
    benchmark::DoNotOptimize(o);
  }
  state.counters["candidates_per_finding"] =
      benchmark::Counter(static_cast<double>(candidates) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_ResolveFindingAllSources);

void BM_ResolveFindingUnknownResource(benchmark::State& state) {
  const OwnershipResolver& r = resolver();
  Finding f;
  f.resource_arn = "arn:aws:s3:::nobody-knows";
  f.resource_name = "nobody-knows";
  f.tags = {{"git_file", "unmatched/dir/file.bin"}};
  for (auto _ : state) {
    benchmark::DoNotOptimize(r.resolve(f));
  }
}
BENCHMARK(BM_ResolveFindingUnknownResource);

void BM_CreateResolverAllSources(benchmark::State& state) {
  for (auto _ : state) {
    auto created = OwnershipResolver::create(fixture().options);
    if (!created) state.SkipWithError("create failed");
    benchmark::DoNotOptimize(created);
  }
}
BENCHMARK(BM_CreateResolverAllSources)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace fixgate::ownership
