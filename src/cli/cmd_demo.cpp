// `fixgate demo`: the whole product on one machine in under a minute.
//
// Starts the cloud simulator with a world matching examples/findings (public
// buckets, open security groups, a stale key, a restricted-production account,
// a waived bucket), starts the embedded service on an ephemeral port with the
// platform identity of that world, and feeds every bundled finding through the
// HTTP intake with the Wiz bearer token — first one finding with the kill
// switch engaged (dry_run), then all of them. When every finding is on record
// it prints one row per finding, where the audit log is, and `audit verify`.
// Logs (JSON lines) go to stderr; the table to stdout. Exit 0 when every
// finding was decided and the audit chain verifies; 1 otherwise; 2 on setup errors.
#include <httplib.h>
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/read_file.h"
#include "cli/state_paths.h"
#include "cloudsim/simulator.h"
#include "core/text.h"
#include "service/service.h"

namespace fixgate::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct DemoArgs {
  std::string config_path = "examples/fixgate.yaml";
  std::string findings_dir = "examples/findings";
  std::string seed = "src/cloudsim/seeds/demo-findings.json";
  std::string state_dir;
  bool quiet_logs = false;
};

struct Row {
  std::string label;
  std::string queue_id;
  int http_status = 0;
  std::vector<engine::FindingOutcome> outcomes;
};

std::string random_token() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return "demo-token-" + std::to_string(std::time(nullptr));
  return "demo-" + to_hex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

std::string fresh_state_dir(const DemoArgs& args) {
  if (!args.state_dir.empty()) return args.state_dir;
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  return (fs::path(state_dir()) / ("demo-" + std::string(stamp))).string();
}

// One line, at most `width` characters, safe on a terminal.
std::string cell(std::string_view text, size_t width) {
  std::string safe = escape_for_display(text);
  if (safe.size() > width) safe = safe.substr(0, width - 3) + "...";
  return safe;
}

std::string reason_line(const engine::FindingOutcome& outcome) {
  const Decision& d = outcome.decided.decision;
  std::string line = d.reasons.empty() ? "" : d.reason().code;
  if (!d.reasons.empty() && !d.reason().detail.empty()) line += ": " + d.reason().detail;
  if (outcome.action && !outcome.action->reason.empty()) line += " | " + outcome.action->reason;
  return line;
}

class Demo {
 public:
  explicit Demo(DemoArgs args) : args_(std::move(args)) {}

  int run() {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(args_.findings_dir, ec)) {
      if (entry.path().extension() == ".json") files.push_back(entry.path());
    }
    if (ec || files.empty()) return fail(2, "no *.json findings in " + args_.findings_dir);
    std::sort(files.begin(), files.end());

    auto sim = cloudsim::Simulator::create_from_file(args_.seed);
    if (!sim) return fail(2, sim.error().to_string());
    auto sim_port = (*sim)->start(0);
    if (!sim_port) return fail(2, sim_port.error().to_string());

    // The platform identity of the seeded world, as a deployment would set it.
    ::setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
    ::unsetenv("AWS_SESSION_TOKEN");
    ::unsetenv("AWS_PROFILE");
    ::setenv("AWS_REGION", "us-east-1", 1);
    ::setenv("AWS_ENDPOINT_URL", (*sim)->endpoint().c_str(), 1);
    ::setenv("FIXGATE_EXTERNAL_ID", "demo-external-id", 0);
    const std::string token = random_token();

    state_ = fresh_state_dir(args_);
    fs::create_directories(state_, ec);
    if (ec) return fail(2, "cannot create " + state_ + ": " + ec.message());
    auto config = demo_config(token);
    if (!config) return fail(2, config.error().to_string());

    service::ServiceOptions options;
    options.config_path = *config;
    options.state_dir = state_;
    options.listen = "127.0.0.1:0";
    options.log_level = args_.quiet_logs ? logging::Level::warn : logging::Level::info;
    options.on_outcome = [this](const queue::Message& m, const std::vector<engine::FindingOutcome>& outcomes) {
      std::lock_guard lock(mutex_);
      outcomes_[std::to_string(m.receipt.id)] = outcomes;
    };
    auto opened = service::Service::open(std::move(options));
    if (!opened) return fail(2, opened.error().to_string());
    service_ = std::move(*opened);
    auto port = service_->start();
    if (!port) return fail(2, port.error().to_string());
    httplib::Client client("127.0.0.1", *port);
    client.set_read_timeout(30, 0);

    // 1. Kill switch drill: an operator touched the kill-switch file; the most
    //    urgent finding is planned and recorded, not applied.
    const fs::path kill_switch = fs::path(state_) / "kill-switch";
    std::ofstream(kill_switch) << "demo: kill switch drill\n";
    const fs::path drill = fs::path(args_.findings_dir) / "wiz-s3-public-bucket-production.json";
    if (fs::exists(drill)) {
      rows_.push_back(post(client, drill, token, "(kill switch) " + drill.filename().string(), "demo-kill-switch-drill"));
      if (!service_->wait_drained(std::chrono::seconds(60))) return fail(1, "the kill switch drill did not finish");
    }
    fs::remove(kill_switch, ec);

    // 2. Every bundled finding, as Wiz's automation rule would send it.
    for (const auto& file : files) rows_.push_back(post(client, file, token, file.filename().string(), ""));
    const bool drained = service_->wait_drained(std::chrono::seconds(90));
    service_->stop();
    (*sim)->stop();
    return report(drained);
  }

 private:
  // The reference configuration plus the intake's bearer token (random per run;
  // the file is only readable by its owner) and quick retries.
  Result<std::string> demo_config(const std::string& token) {
    auto reference = read_file(args_.config_path);
    if (!reference) return reference.error();
    std::string text = *reference;
    text += "\n# Added by `fixgate demo`: the intake's bearer token for this run\n"
            "# and quick retries so a failure shows within the demo.\n"
            "server:\n  wiz:\n    bearer_token: \"" + token + "\"\n"
            "queue:\n  workers: 2\n  max_attempts: 3\n  backoff_base_ms: 200\n  backoff_cap_ms: 1000\n";
    const std::string path = (fs::path(state_) / "fixgate-demo.yaml").string();
    std::ofstream out(path);
    out << text;
    out.close();
    if (!out) return make_error("demo.write", "cannot write " + path);
    std::error_code ec;
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, ec);
    return path;
  }

  Row post(httplib::Client& client, const fs::path& file, const std::string& token, std::string label,
           const std::string& idempotency_key) {
    Row row;
    row.label = std::move(label);
    auto body = read_file(file.string());
    if (!body) return row;
    httplib::Headers headers = {{"Authorization", "Bearer " + token},
                                {"X-Request-Id", "demo-" + std::to_string(rows_.size() + 1)}};
    if (!idempotency_key.empty()) headers.emplace("Idempotency-Key", idempotency_key);
    auto res = client.Post("/v1/wiz", headers, *body, "application/json");
    if (!res) return row;
    row.http_status = res->status;
    const json ack = json::parse(res->body, nullptr, false);
    if (ack.is_object() && ack.contains("id")) row.queue_id = ack["id"].get<std::string>();
    return row;
  }

  int report(bool drained) {
    {
      std::lock_guard lock(mutex_);
      for (Row& row : rows_) {
        const auto it = outcomes_.find(row.queue_id);
        if (it != outcomes_.end()) row.outcomes = it->second;
      }
    }
    std::printf("\n%-52s %-18s %-14s %s\n", "FINDING FILE", "OUTCOME", "ACTION", "REASON");
    std::map<std::string, int> by_outcome;
    int undecided = 0;
    for (const Row& row : rows_) {
      if (row.outcomes.empty()) {
        ++undecided;
        std::printf("%-52s %-18s %-14s %s\n", cell(row.label, 52).c_str(), "NOT DECIDED", "-",
                    row.http_status == 0 ? "intake unreachable" : ("HTTP " + std::to_string(row.http_status)).c_str());
        continue;
      }
      for (const auto& outcome : row.outcomes) {
        const std::string verdict = to_string(outcome.decided.decision.outcome);
        ++by_outcome[verdict];
        const std::string action = outcome.action ? actions::to_string(outcome.action->status) : "-";
        std::printf("%-52s %-18s %-14s %s\n", cell(row.label, 52).c_str(), verdict.c_str(), action.c_str(),
                    cell(reason_line(outcome), 100).c_str());
      }
    }
    std::printf("\nOutcomes:");
    for (const auto& [verdict, count] : by_outcome) std::printf(" %s=%d", verdict.c_str(), count);
    std::printf("\n");
    const std::string audit_db = (fs::path(state_) / "audit.db").string();
    auto verified = service_->engine().audit().verify();
    const bool chain_ok = verified && verified->ok();
    std::printf("\nAudit log: %s\n", audit_db.c_str());
    if (!verified) {
      std::printf("audit verify: ERROR %s\n", verified.error().to_string().c_str());
    } else if (verified->ok()) {
      std::printf("audit verify: ok (%lld records, head %s)\n", static_cast<long long>(verified->records),
                  verified->head_hash.c_str());
    } else {
      std::printf("audit verify: BROKEN at seq %lld: %s\n", static_cast<long long>(verified->first_break->seq),
                  verified->first_break->message.c_str());
    }
    std::printf("Explore it:  fixgate audit show --db %s\n", audit_db.c_str());
    std::printf("State (queue, rollback records, config used): %s\n", state_.c_str());
    std::fflush(stdout);
    if (!drained || undecided > 0) {
      std::fprintf(stderr, "fixgate demo: %d finding(s) were not decided in time\n", undecided);
      return 1;
    }
    return chain_ok ? 0 : 1;
  }

  int fail(int code, const std::string& message) {
    std::fprintf(stderr, "fixgate demo: %s\n", message.c_str());
    return code;
  }

  DemoArgs args_;
  std::string state_;
  std::unique_ptr<service::Service> service_;
  std::vector<Row> rows_;
  std::mutex mutex_;
  std::map<std::string, std::vector<engine::FindingOutcome>> outcomes_;
};

}  // namespace

void add_demo_command(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<DemoArgs>();
  auto* cmd = app.add_subcommand("demo", "Run the simulator and the service, feed the bundled findings, show the outcomes");
  cmd->add_option("--config,-c", args->config_path, "reference configuration (default examples/fixgate.yaml)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--findings", args->findings_dir, "folder of finding payloads (default examples/findings)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--seed", args->seed, "simulator world (default src/cloudsim/seeds/demo-findings.json)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--state-dir", args->state_dir, "where audit.db and queue.db go (default: a new demo-<time> folder in the state dir)");
  cmd->add_flag("--quiet-logs", args->quiet_logs, "only warnings and errors on stderr");
  cmd->callback([args, &exit] { exit.value = Demo(*args).run(); });
}

}  // namespace fixgate::cli
