#include "server/wiz_auth.h"

#include <gtest/gtest.h>

#include "sns_test_support.h"

namespace fixgate::server {
namespace {

std::string basic(const std::string& user_password) { return "Basic " + sns::testing::base64(user_password); }

TEST(WizAuth, BearerToken) {
  WizAuthenticator auth(WizAuth{"s3cret-token", "", ""});
  EXPECT_EQ(auth.check("Bearer s3cret-token"), AuthResult::ok);
  EXPECT_EQ(auth.check("bearer s3cret-token"), AuthResult::ok);  // scheme is case-insensitive
  EXPECT_EQ(auth.check("Bearer s3cret-tokeN"), AuthResult::wrong);
  EXPECT_EQ(auth.check("Bearer s3cret-token2"), AuthResult::wrong);
  EXPECT_EQ(auth.check("Bearer s3cret"), AuthResult::wrong);
  EXPECT_EQ(auth.check(""), AuthResult::missing);
  EXPECT_EQ(auth.check("Bearer"), AuthResult::malformed);
  EXPECT_EQ(auth.check("Token s3cret-token"), AuthResult::malformed);
  EXPECT_EQ(auth.check(basic("a:b")), AuthResult::wrong);  // Basic not configured
  EXPECT_EQ(auth.challenges(), std::vector<std::string>{"Bearer realm=\"fixgate\""});
}

TEST(WizAuth, BasicCredentials) {
  WizAuthenticator auth(WizAuth{"", "wiz", "pa:ss"});
  EXPECT_EQ(auth.check(basic("wiz:pa:ss")), AuthResult::ok);  // the password may contain ':'
  EXPECT_EQ(auth.check(basic("wiz:pa:s")), AuthResult::wrong);
  EXPECT_EQ(auth.check(basic("Wiz:pa:ss")), AuthResult::wrong);
  EXPECT_EQ(auth.check(basic("wizpass")), AuthResult::malformed);
  EXPECT_EQ(auth.check("Basic %%%"), AuthResult::malformed);
  EXPECT_EQ(auth.check("Bearer pa:ss"), AuthResult::wrong);  // Bearer not configured
  EXPECT_EQ(auth.challenges(), std::vector<std::string>{"Basic realm=\"fixgate\", charset=\"UTF-8\""});
}

TEST(WizAuth, NothingConfiguredRefusesEverything) {
  WizAuthenticator auth(WizAuth{});
  EXPECT_EQ(auth.check("Bearer "), AuthResult::malformed);
  EXPECT_EQ(auth.check("Bearer x"), AuthResult::wrong);
  EXPECT_EQ(auth.check(basic(":")), AuthResult::wrong);
  EXPECT_EQ(auth.challenges().size(), 1u);
}

}  // namespace
}  // namespace fixgate::server
