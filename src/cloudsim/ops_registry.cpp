#include "cloudsim/ops.h"

namespace fixgate::cloudsim {
namespace {

const std::map<std::string, const std::map<std::string, OperationInfo>* (*)()>& services() {
  static const std::map<std::string, const std::map<std::string, OperationInfo>* (*)()> table{
      {"sts", [] { return &sts_operations(); }},
      {"iam", [] { return &iam_operations(); }},
      {"ec2", [] { return &ec2_operations(); }},
      {"s3", [] { return &s3_operations(); }},
      {"s3control", [] { return &s3control_operations(); }},
      {"kms", [] { return &kms_operations(); }},
      {"tagging", [] { return &tagging_operations(); }},
      {"cloudtrail", [] { return &cloudtrail_operations(); }},
      {"rds", [] { return &rds_operations(); }},
  };
  return table;
}

}  // namespace

const OperationInfo* find_operation(const std::string& service, const std::string& operation) {
  auto s = services().find(service);
  if (s == services().end()) return nullptr;
  const auto* ops = s->second();
  auto it = ops->find(operation);
  return it == ops->end() ? nullptr : &it->second;
}

std::vector<std::string> operation_names() {
  std::vector<std::string> out;
  for (const auto& [service, ops] : services()) {
    for (const auto& [name, info] : *ops()) out.push_back(service + ":" + name);
  }
  return out;
}

ApiError missing_parameter(Protocol protocol, const std::string& name) {
  switch (protocol) {
    case Protocol::kJson:
      return ApiError{400, "ValidationException",
                      "1 validation error detected: Value null at '" + name + "' failed to satisfy constraint: Member must not be null"};
    case Protocol::kRestXml:
    case Protocol::kS3Control:
      return ApiError{400, "InvalidRequest", "Missing required parameter " + name};
    case Protocol::kQuery:
    case Protocol::kEc2:
      break;
  }
  return ApiError{400, "MissingParameter", "The request must contain the parameter " + name};
}

ApiError invalid_parameter(Protocol protocol, const std::string& message) {
  switch (protocol) {
    case Protocol::kJson: return ApiError{400, "ValidationException", message};
    case Protocol::kRestXml:
    case Protocol::kS3Control: return ApiError{400, "InvalidArgument", message};
    case Protocol::kQuery:
    case Protocol::kEc2: break;
  }
  return ApiError{400, "InvalidParameterValue", message};
}

}  // namespace fixgate::cloudsim
