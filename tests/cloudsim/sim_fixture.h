// A running Simulator over the committed demo seed, plus helpers to assume the
// demo remediation role.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "cloudsim/simulator.h"
#include "sim_client.h"

namespace fixgate::cloudsim::testing {

inline const char* kDemoSeed = FIXGATE_SOURCE_DIR "/src/cloudsim/seeds/demo.json";

class SimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sim = Simulator::create_from_file(kDemoSeed);
    ASSERT_TRUE(sim.ok()) << sim.error().to_string();
    sim_ = std::move(sim.value());
    auto port = sim_->start(0);
    ASSERT_TRUE(port.ok()) << port.error().to_string();
    port_ = port.value();
  }
  void TearDown() override {
    if (sim_) sim_->stop();
  }

  SimClient client() { return SimClient(port_); }

  // Assumes fixgate-remediation in `account` with the demo external id.
  Creds assume(const std::string& account, const std::string& external_id = "demo-external-id") {
    SimClient c = client();
    Resp r = c.query("sts", "AssumeRole",
                     {{"RoleArn", "arn:aws:iam::" + account + ":role/fixgate-remediation"},
                      {"RoleSessionName", "fixgate-test"},
                      {"ExternalId", external_id},
                      {"SourceIdentity", "corr-1234"},
                      {"DurationSeconds", "900"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return Creds{xml_text(r.body, "AccessKeyId"), xml_text(r.body, "SecretAccessKey"), xml_text(r.body, "SessionToken")};
  }

  SimClient as(const std::string& account) {
    SimClient c = client();
    c.creds = assume(account);
    return c;
  }

  std::unique_ptr<Simulator> sim_;
  int port_ = 0;
};

}  // namespace fixgate::cloudsim::testing
