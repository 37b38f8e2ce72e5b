// The fixture shared by the suites that talk to fauxqs (tests/peers/fauxqs).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "fauxqs_peer.h"

namespace fixgate::testing {
// A test fixture with one fauxqs per suite. Without node_modules the suite
// fails loudly (skipped only under FIXGATE_SKIP_PEERS). A derived SetUp calls
// FauxqsSuite::SetUp() first and returns when the test was skipped or failed.
template <typename Derived>
class FauxqsSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (auto why = FauxqsPeer::unavailable()) {
      skip_reason_ = *why;
      return;
    }
    peer_ = new FauxqsPeer();
  }
  static void TearDownTestSuite() {
    delete peer_;
    peer_ = nullptr;
  }
  void SetUp() override {
    if (!skip_reason_.empty()) {
      if (std::getenv("FIXGATE_SKIP_PEERS") != nullptr) GTEST_SKIP() << skip_reason_;
      FAIL() << skip_reason_;
    }
    ASSERT_FALSE(peer_->endpoint().empty()) << peer_->error();
  }
  bool peer_missing() const { return IsSkipped() || HasFailure(); }

  static inline FauxqsPeer* peer_ = nullptr;
  static inline std::string skip_reason_;
};

}  // namespace fixgate::testing
