#include "server/server_options.h"

#include <gtest/gtest.h>

namespace fixgate::server {
namespace {

using nlohmann::json;

TEST(ServerOptions, DefaultsWhenSectionIsAbsent) {
  auto options = server_options_from_json(json());
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->bind, "127.0.0.1");
  EXPECT_EQ(options->port, 8080);
  EXPECT_EQ(options->max_body_bytes, 1024u * 1024u);
  EXPECT_TRUE(options->sns_allowed_topic_arns.empty());
  EXPECT_TRUE(options->wiz.bearer_token.empty());
}

TEST(ServerOptions, ReadsEveryKey) {
  auto options = server_options_from_json(json::parse(R"({
    "bind": "0.0.0.0", "port": 0, "max_body_bytes": 65536, "threads": 4,
    "read_timeout_ms": 2500, "write_timeout_ms": 3000, "keep_alive_timeout_s": 2,
    "wiz": {"bearer_token": "tok", "basic": {"user": "wiz", "password": "pw"}},
    "sns": {"allowed_topic_arns": ["arn:aws:sns:us-east-1:111111111111:wiz-issues",
                                   "arn:aws-cn:sns:cn-north-1:111111111111:t"]}
  })"));
  ASSERT_TRUE(options.ok()) << options.error().to_string();
  EXPECT_EQ(options->bind, "0.0.0.0");
  EXPECT_EQ(options->port, 0);
  EXPECT_EQ(options->max_body_bytes, 65536u);
  EXPECT_EQ(options->threads, 4u);
  EXPECT_EQ(options->read_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(options->write_timeout, std::chrono::milliseconds(3000));
  EXPECT_EQ(options->keep_alive_timeout, std::chrono::seconds(2));
  EXPECT_EQ(options->wiz.bearer_token, "tok");
  EXPECT_EQ(options->wiz.basic_user, "wiz");
  EXPECT_EQ(options->wiz.basic_password, "pw");
  ASSERT_EQ(options->sns_allowed_topic_arns.size(), 2u);
}

struct BadCase {
  const char* json;
  const char* code;
  const char* path;
};

TEST(ServerOptions, ErrorsNameTheKeyAndNeverTheSecret) {
  for (const BadCase& c : {
           BadCase{R"({"prot": 1})", "server.unknown_key", "server.prot"},
           BadCase{R"({"port": "80"})", "server.bad_type", "server.port"},
           BadCase{R"({"port": 70000})", "server.bad_value", "server.port"},
           BadCase{R"({"port": -1})", "server.bad_value", "server.port"},
           BadCase{R"({"max_body_bytes": 0})", "server.bad_value", "server.max_body_bytes"},
           BadCase{R"({"threads": 1.5})", "server.bad_type", "server.threads"},
           BadCase{R"({"bind": ""})", "server.bad_value", "server.bind"},
           BadCase{R"({"wiz": {"token": "x"}})", "server.unknown_key", "server.wiz.token"},
           BadCase{R"({"wiz": {"bearer_token": 5}})", "server.bad_type", "server.wiz.bearer_token"},
           BadCase{R"({"wiz": {"bearer_token": ""}})", "server.bad_value", "server.wiz.bearer_token"},
           BadCase{R"({"wiz": {"basic": {"user": "u"}}})", "server.bad_value", "server.wiz.basic.password"},
           BadCase{R"({"wiz": {"basic": {"user": "a:b", "password": "hunter2"}}})", "server.bad_value",
                   "server.wiz.basic.user"},
           BadCase{R"({"sns": {"allowed_topic_arns": "arn"}})", "server.bad_type", "server.sns.allowed_topic_arns"},
           BadCase{R"({"sns": {"allowed_topic_arns": ["arn:aws:sqs:us-east-1:1:q"]}})", "server.bad_value",
                   "server.sns.allowed_topic_arns[0]"},
           BadCase{R"([1])", "server.bad_type", "server"},
       }) {
    SCOPED_TRACE(c.json);
    auto options = server_options_from_json(json::parse(c.json));
    ASSERT_FALSE(options.ok());
    EXPECT_EQ(options.error().code, c.code);
    EXPECT_EQ(options.error().message.rfind(std::string(c.path) + ":", 0), 0u) << options.error().message;
    EXPECT_EQ(options.error().message.find("hunter2"), std::string::npos);
  }
}

}  // namespace
}  // namespace fixgate::server
