#include "logging/redact.h"

#include <gtest/gtest.h>

namespace fixgate::logging {
namespace {

TEST(RedactShapes, AwsAccessKeyIdsOfEveryTypeAreReplaced) {
  EXPECT_EQ(redact_shapes("key AKIAIOSFODNN7EXAMPLE used"), "key [REDACTED] used");
  EXPECT_EQ(redact_shapes("session ASIAY34FZKBOKMUTVV7A."), "session [REDACTED].");
  EXPECT_EQ(redact_shapes("role AROA1234567890ABCDEF"), "role [REDACTED]");
}

TEST(RedactShapes, NearMissesOfKeyIdsStay) {
  // 19 and 21 characters, and a key-like run inside a longer upper-case word.
  EXPECT_EQ(redact_shapes("AKIAIOSFODNN7EXAMPL"), "AKIAIOSFODNN7EXAMPL");
  EXPECT_EQ(redact_shapes("AKIAIOSFODNN7EXAMPLEX"), "AKIAIOSFODNN7EXAMPLEX");
  EXPECT_EQ(redact_shapes("XAKIAIOSFODNN7EXAMPLE"), "XAKIAIOSFODNN7EXAMPLE");
}

TEST(RedactShapes, BearerAndBasicCredentialsLoseTheirToken) {
  EXPECT_EQ(redact_shapes("Authorization header: Bearer abc.def-ghi_123"), "Authorization header: Bearer [REDACTED]");
  EXPECT_EQ(redact_shapes("sent basic dXNlcjpwYXNz= ok"), "sent basic [REDACTED] ok");
  // A word that merely starts like a scheme is not one.
  EXPECT_EQ(redact_shapes("basically fine"), "basically fine");
}

TEST(RedactShapes, JsonMembersNamedLikeSecretsLoseTheirValue) {
  EXPECT_EQ(redact_shapes(R"({"password":"hunter22","user":"bob"})"), R"({"password":"[REDACTED]","user":"bob"})");
  EXPECT_EQ(redact_shapes(R"({"api_token": "t0k3n-value", "n": 1})"), R"({"api_token": "[REDACTED]", "n": 1})");
  EXPECT_EQ(redact_shapes(R"({"aws_secret_access_key":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"})"),
            R"({"aws_secret_access_key":"[REDACTED]"})");
  // An escaped quote inside the value does not end the redaction early.
  EXPECT_EQ(redact_shapes(R"({"secret":"a\"b-rest"})"), R"({"secret":"[REDACTED]"})");
}

TEST(RedactShapes, KeyValueTextLosesTheValue) {
  EXPECT_EQ(redact_shapes("password=hunter22&user=bob"), "password=[REDACTED]&user=bob");
  EXPECT_EQ(redact_shapes("db secret: s3cr3t-value, next"), "db secret: [REDACTED], next");
}

TEST(RedactShapes, OrdinaryLogTextIsUntouched) {
  const std::string line =
      R"({"ts":"2026-11-25T12:00:00.000Z","level":"info","component":"service","correlation_id":"fg-0123","msg":"decided","outcome":"remediate","tokens":3})";
  // A secret-like name hides even a number after it: the guard errs on the side of hiding.
  EXPECT_EQ(redact_shapes(line), R"({"ts":"2026-11-25T12:00:00.000Z","level":"info","component":"service","correlation_id":"fg-0123","msg":"decided","outcome":"remediate","tokens":[REDACTED]})");
  const std::string plain = R"({"msg":"http_request","status":202,"outcome":"queued"})";
  EXPECT_EQ(redact_shapes(plain), plain);
}

TEST(Redactor, RegisteredSecretsAreReplacedWhereverTheyAppear) {
  Redactor redactor;
  redactor.add_secret("wiz-webhook-token-42");
  redactor.add_secret("short");  // too short to register: would match ordinary words
  EXPECT_EQ(redactor.redact("x wiz-webhook-token-42 y wiz-webhook-token-42"), "x [REDACTED] y [REDACTED]");
  EXPECT_EQ(redactor.redact("a short word"), "a short word");
}

TEST(Redactor, LongerSecretContainingAShorterOneIsReplacedWhole) {
  Redactor redactor;
  redactor.add_secret("abcdef");
  redactor.add_secret("abcdef-and-more");
  EXPECT_EQ(redactor.redact("[abcdef-and-more]"), "[[REDACTED]]");
}

}  // namespace
}  // namespace fixgate::logging
