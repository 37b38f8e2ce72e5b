// Shared test fixtures: the reference configuration and a finding that the
// reference configuration remediates, for each test to change one thing in.
#pragma once

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "config/config.h"
#include "core/finding.h"
#include "decision/decision.h"

namespace fixgate::testing {

inline const std::string kReferenceConfig = FIXGATE_SHARED_DIR "/examples/fixgate.yaml";

inline Config reference_config() {
  LoadOptions options;
  options.env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "FIXGATE_EXTERNAL_ID") return "test-external-id";
    return std::nullopt;
  };
  auto loaded = load_config(kReferenceConfig, options);
  if (!loaded.ok()) {
    ADD_FAILURE() << loaded.error().message;
    return Config{};
  }
  return std::move(loaded).value();
}

// UTC midnight of a civil date.
inline std::chrono::system_clock::time_point utc(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
  using namespace std::chrono;
  return sys_days(year{y} / month{m} / day{d}) + hours(hh) + minutes(mm) + seconds(ss);
}

// A fixed "now" well inside WVR-1042's validity and after WVR-0999's expiry.
inline std::chrono::system_clock::time_point test_now() { return utc(2026, 11, 25, 12); }

// Open HIGH public-bucket finding in production with an owner: remediate.
inline Finding eligible_finding() {
  Finding f;
  f.source = FindingSource::wiz;
  f.id = "issue-0001";
  f.status = "OPEN";
  f.open = true;
  f.severity = Severity::high;
  f.severity_label = "HIGH";
  f.title = "S3 bucket allows public access";
  f.control_ids = {"wc-s3-public-bucket"};
  f.resource_arn = "arn:aws:s3:::customer-data-exports";
  f.resource_id = f.resource_arn;
  f.resource_type = "AWS::S3::Bucket";
  f.native_resource_type = "bucket";
  f.resource_name = "customer-data-exports";
  f.cloud_platform = "AWS";
  f.account = "111111111111";
  f.region = "us-east-1";
  f.tags = {{"environment", "production"}, {"owner", "team-data"}};
  return f;
}

inline Decision decide_at(const Finding& f, const Config& c, std::chrono::system_clock::time_point now = test_now()) {
  return decide(f, enrich_from_config(f, c, now), c);
}

}  // namespace fixgate::testing
