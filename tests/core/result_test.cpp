#include "core/result.h"

#include <gtest/gtest.h>

namespace fixgate {
namespace {

Result<int> parse_positive(int n) {
  if (n <= 0) return make_error("input.not_positive", "expected a positive number");
  return n;
}

TEST(Result, CarriesValue) {
  auto r = parse_positive(3);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 3);
}

TEST(Result, CarriesErrorWithCodeAndMessage) {
  auto r = parse_positive(-1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "input.not_positive");
  EXPECT_EQ(r.error().to_string(), "input.not_positive: expected a positive number");
  EXPECT_EQ(r.value_or(7), 7);
}

TEST(Result, ValueOnErrorAborts) {
  EXPECT_DEATH({ (void)parse_positive(0).value(); }, "input.not_positive");
}

TEST(Result, VoidResult) {
  Result<void> good;
  Result<void> bad = make_error("x.y", "broken");
  EXPECT_TRUE(good.ok());
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "broken");
}

}  // namespace
}  // namespace fixgate
