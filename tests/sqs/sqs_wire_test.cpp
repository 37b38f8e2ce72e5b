// The worker's SQS calls, byte for byte against the official AWS SDK for
// JavaScript v3 (@aws-sdk/client-sqs): tests/peers/aws-sdk-wire/capture.mjs sends
// the cases in operations-sqs.json to a capturing loopback server; the request
// fixgate signs for the same input, credentials and instant must be identical —
// body, signed headers and signature.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "aws/client.h"
#include "sqs/sqs_operations.h"

namespace fixgate::sqs {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kPeer = fs::path(FIXGATE_SOURCE_DIR) / "tests/peers/aws-sdk-wire";

json read_json(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

std::vector<BatchEntry> entries(const json& input) {
  std::vector<BatchEntry> out;
  for (const auto& e : input["Entries"]) out.push_back({e["Id"], e["ReceiptHandle"]});
  return out;
}

aws::Operation fixgate_operation(const std::string& name, const json& in) {
  if (name == "ReceiveMessage") {
    return receive_operation(in["QueueUrl"], ReceiveOptions{in["MaxNumberOfMessages"], in["WaitTimeSeconds"],
                                                           in["VisibilityTimeout"].get<int>()});
  }
  if (name == "DeleteMessageBatch") return delete_message_batch_operation(in["QueueUrl"], entries(in));
  if (name == "ChangeMessageVisibility") {
    return change_message_visibility_operation(in["QueueUrl"], in["ReceiptHandle"], in["VisibilityTimeout"]);
  }
  return change_message_visibility_batch_operation(in["QueueUrl"], entries(in),
                                                   in["Entries"][0]["VisibilityTimeout"]);
}

TEST(SqsWire, EveryWorkerCallMatchesTheAwsSdkForJavaScript) {
  if (!fs::exists(kPeer / "node_modules/@aws-sdk/client-sqs")) {
    if (std::getenv("FIXGATE_SKIP_PEERS") != nullptr) GTEST_SKIP() << "FIXGATE_SKIP_PEERS is set";
    FAIL() << "tests/peers/aws-sdk-wire/node_modules is absent: run tests/peers/setup.sh (npm ci) first";
  }
  const fs::path out = fs::path(FIXGATE_BINARY_DIR) / "sqs-wire-capture.json";
  const fs::path err = fs::path(FIXGATE_BINARY_DIR) / "sqs-wire-capture.stderr";
  const std::string cmd = "node '" + (kPeer / "capture.mjs").string() + "' operations-sqs.json > '" + out.string() +
                          "' 2> '" + err.string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "capture.mjs failed; its stderr is in " << err;
  const json captured = read_json(out);
  const json cases = read_json(kPeer / "operations-sqs.json");
  ASSERT_EQ(captured["requests"].size(), cases["operations"].size());

  aws::ClientConfig config;
  config.region = cases["region"];
  config.endpoint_url = "http://127.0.0.1:" + std::to_string(captured["port"].get<int>());
  const aws::AwsClient client(config);
  const aws::Credentials creds{cases["credentials"]["accessKeyId"], cases["credentials"]["secretAccessKey"],
                               cases["credentials"]["sessionToken"], std::nullopt, "wire"};
  const auto time = aws::parse_amz_date("20260314T092653Z").value();

  for (size_t i = 0; i < cases["operations"].size(); ++i) {
    const json& op = cases["operations"][i];
    const json& sdk = captured["requests"][i];
    SCOPED_TRACE(op["name"].get<std::string>());
    auto prepared = client.prepare(fixgate_operation(op["name"], op["input"]), creds, time);
    ASSERT_TRUE(prepared.ok()) << prepared.error().to_string();
    const aws::HttpRequest& mine = prepared->second;
    EXPECT_EQ(mine.method, sdk["method"]);
    EXPECT_EQ(mine.path, sdk["target"]);
    EXPECT_EQ(mine.body, sdk["body"]);
    for (const char* header : {"content-type", "x-amz-target", "x-amzn-query-mode", "content-length",
                               "x-amz-content-sha256", "x-amz-security-token", "authorization"}) {
      ASSERT_NE(mine.header(header), nullptr) << header;
      EXPECT_EQ(*mine.header(header), sdk["headers"][header].get<std::string>()) << header;
    }
  }
}

}  // namespace
}  // namespace fixgate::sqs
