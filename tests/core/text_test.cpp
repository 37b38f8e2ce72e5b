#include "core/finding.h"
#include "core/severity.h"
#include "core/text.h"

#include <gtest/gtest.h>

namespace fixgate {
namespace {

TEST(Text, EscapesControlAndNonAsciiBytes) {
  EXPECT_EQ(escape_for_display("ok\x1b[31mred\n"), "ok\\x1b[31mred\\x0a");
  EXPECT_EQ(escape_for_display("caf\xc3\xa9"), "caf\\xc3\\xa9");
}

TEST(Text, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xc3"));              // truncated
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xff"));
}

TEST(Text, CaseInsensitiveCompare) {
  EXPECT_TRUE(iequals("Environment", "environment"));
  EXPECT_FALSE(iequals("env", "envx"));
}

TEST(Text, SplitKeepsEmptyParts) {
  EXPECT_EQ(split("a::b", ':'), (std::vector<std::string>{"a", "", "b"}));
}

TEST(Severity, ParsesSourceLabelsAndOrders) {
  EXPECT_EQ(parse_severity("critical"), Severity::critical);
  EXPECT_EQ(parse_severity("INFORMATIONAL"), Severity::informational);
  EXPECT_FALSE(parse_severity("SEVERE").has_value());
  EXPECT_GT(Severity::high, Severity::medium);
}

TEST(Finding, TagLookupIsCaseInsensitive) {
  Finding f;
  f.tags = {{"Environment", "prod"}, {"Owner", "team-a"}};
  ASSERT_NE(f.find_tag("environment"), nullptr);
  EXPECT_EQ(f.find_tag("OWNER")->value, "team-a");
  EXPECT_EQ(f.find_tag("missing"), nullptr);
}

TEST(Text, PercentDecodeKeepsMalformedEscapesAndPlusOnlyInQueries) {
  EXPECT_EQ(percent_decode("a%20b%2Fc"), "a b/c");
  EXPECT_EQ(percent_decode("p%40ss+word"), "p@ss+word");
  EXPECT_EQ(percent_decode("p%40ss+word", true), "p@ss word");
  EXPECT_EQ(percent_decode("%zz%4"), "%zz%4");
  EXPECT_EQ(percent_decode("100%"), "100%");
  EXPECT_EQ(percent_decode(std::string_view("%00", 3)), std::string(1, '\0'));
}

}  // namespace
}  // namespace fixgate
