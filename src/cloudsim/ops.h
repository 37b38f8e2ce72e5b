// The simulator's operation handlers, one function per AWS operation. Each runs
// under the simulator's state lock, reads and changes the caller's account, and
// returns either the success reply in its protocol's wire format or an ApiError
// that the router renders in that protocol's error envelope.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <variant>

#include "cloudsim/auth.h"
#include "cloudsim/state.h"
#include "cloudsim/wire.h"

namespace fixgate::cloudsim {

struct OpContext {
  World& world;
  Account& account;  // the caller's account (S3: the caller's, not the bucket owner's)
  std::map<std::string, Session>& sessions;
  TimePoint now;
};

using Outcome = std::variant<Reply, ApiError>;
using Handler = Outcome (*)(OpContext&, const Call&);

struct OperationInfo {
  Protocol protocol;
  Handler handler;
};

// The handler for (service, operation), or nullptr. S3 Control operations are
// registered under service "s3control".
const OperationInfo* find_operation(const std::string& service, const std::string& operation);

// Every (service, operation) the simulator implements, "service:Operation".
std::vector<std::string> operation_names();

// Per-service handler tables (ops_*.cpp).
const std::map<std::string, OperationInfo>& sts_operations();
const std::map<std::string, OperationInfo>& iam_operations();
const std::map<std::string, OperationInfo>& ec2_operations();
const std::map<std::string, OperationInfo>& s3_operations();
const std::map<std::string, OperationInfo>& s3control_operations();
const std::map<std::string, OperationInfo>& kms_operations();
const std::map<std::string, OperationInfo>& tagging_operations();
const std::map<std::string, OperationInfo>& cloudtrail_operations();
const std::map<std::string, OperationInfo>& rds_operations();

// The S3 / S3 Control operation a REST request names (method + subresource such
// as ?acl or ?publicAccessBlock), or "" when the simulator does not implement it.
std::string s3_operation(const std::string& method, const std::multimap<std::string, std::string>& params,
                         bool control);

// Helpers shared by handlers.
ApiError missing_parameter(Protocol protocol, const std::string& name);
ApiError invalid_parameter(Protocol protocol, const std::string& message);

}  // namespace fixgate::cloudsim
