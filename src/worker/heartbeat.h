// VisibilityHeartbeat: keeps received SQS messages invisible while fixgate is
// still working on them, so a long remediation is not handed to a second
// consumer halfway through. One background thread re-extends every tracked
// receipt handle to `visibility` seconds each `interval` (keep interval well
// below visibility: a third of it by default).
//
// A failed extension is logged (warn, with the message id) and retried at the
// next tick; if the message meanwhile became visible and was received elsewhere, the
// cross-process duplicate is made safe by the action's precheck (invariant 4).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "logging/logger.h"
#include "sqs/sqs_client.h"

namespace fixgate::worker {

class VisibilityHeartbeat {
 public:
  VisibilityHeartbeat(sqs::SqsQueue& queue, int visibility_s, std::chrono::milliseconds interval,
                      logging::Logger logger);
  ~VisibilityHeartbeat();  // stops the thread; tracked messages are simply left as they are
  VisibilityHeartbeat(const VisibilityHeartbeat&) = delete;
  VisibilityHeartbeat& operator=(const VisibilityHeartbeat&) = delete;

  // Starts extending this message at the next tick; returns a token for untrack.
  // `message_id` names the message in log lines.
  std::uint64_t track(const std::string& receipt_handle, const std::string& message_id);
  // Stops extending it (after its delete, or to let a failure become visible).
  void untrack(std::uint64_t token);

  // Successful ChangeMessageVisibility calls so far.
  std::uint64_t extensions() const;

 private:
  struct Tracked {
    std::string receipt_handle;
    std::string message_id;
  };
  void loop();

  sqs::SqsQueue& queue_;
  const int visibility_s_;
  const std::chrono::milliseconds interval_;
  logging::Logger logger_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::uint64_t, Tracked> tracked_;
  std::uint64_t next_token_ = 1;
  std::uint64_t extensions_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace fixgate::worker
