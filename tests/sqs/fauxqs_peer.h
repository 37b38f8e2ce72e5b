// The fauxqs SNS/SQS emulator (npm, pinned in tests/peers/fauxqs) as a child
// process on 127.0.0.1, driven through tests/peers/fauxqs/harness.mjs: one JSON
// command per line, one JSON reply per line. Shared by the sqs and worker suites.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace fixgate::testing {

struct FauxqsQueue {
  std::string queue_url;
  std::string queue_arn;
  std::string dlq_url;
  std::string topic_arn;
};

class FauxqsPeer {
 public:
  // Why the peer cannot run (node_modules absent, node missing), or nullopt.
  static std::optional<std::string> unavailable();

  // Starts the harness; endpoint() is empty when it did not come up (error() says why).
  FauxqsPeer();
  ~FauxqsPeer();  // closes stdin (the harness stops) and reaps the child
  FauxqsPeer(const FauxqsPeer&) = delete;
  FauxqsPeer& operator=(const FauxqsPeer&) = delete;

  const std::string& endpoint() const { return endpoint_; }
  const std::string& error() const { return error_; }

  // Sends one command and waits (bounded, 30 s) for its reply; a harness error
  // comes back as {"error": "..."}.
  nlohmann::json command(const nlohmann::json& cmd);

  // Topic + queue (VisibilityTimeout) + DLQ (RedrivePolicy maxReceiveCount) + subscription.
  FauxqsQueue setup(const std::string& name, int max_receive_count, int visibility_timeout_s);
  std::string publish(const std::string& topic_arn, const std::string& message);
  std::string send(const std::string& queue_url, const std::string& message);
  nlohmann::json inspect(const std::string& name);

 private:
  std::string read_line();
  pid_t pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
  std::string buffer_;
  std::string endpoint_;
  std::string error_;
};

}  // namespace fixgate::testing
