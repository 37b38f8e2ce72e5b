// CloudApi over fixgate's own AWS client (src/aws): turns each modelled ApiCall
// the built-in actions make into the wire Operation (Query, EC2, REST-XML, JSON)
// and reads the response back into the modelled JSON shape the actions expect
// (member names as in the AWS API reference).
//
// Only the operations the built-in actions use are mapped; any other call fails
// with "actions.unsupported_call" before anything is sent. A failed AWS call
// becomes Error{"aws.<AWS error code>", message with operation, HTTP status and
// request id}. The AWS client already retries throttling and 5xx with its own
// quota, so a runner over this API should set RunnerOptions::retry.max_attempts
// to 1 to avoid stacking a second layer of retries.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "actions/cloud_api.h"
#include "actions/runner.h"
#include "aws/client.h"
#include "aws/sts.h"
#include "audit/audit_log.h"
#include "broker/credential_broker.h"

namespace fixgate::actions {

class AwsCloudApi final : public CloudApi {
 public:
  // `base` is copied for every region a call names (ApiCall::region, else
  // base.region); its credentials act in one account.
  explicit AwsCloudApi(aws::ClientConfig base);
  Result<ApiResponse> call(const ApiCall& call) override;

 private:
  aws::AwsClient& client_for(const std::string& region);
  aws::ClientConfig base_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<aws::AwsClient>> clients_;
};

// CloudSessions over the credential broker (src/broker): each open() acquires
// the finding's session (cached per account + role [+ correlation id], one
// AssumeRole per key even under concurrency, renewed shortly before expiry)
// and returns an AwsCloudApi whose credentials come from the broker, so an
// ExpiredToken mid-action refreshes through STS once.
//
// When an audit sink is given, every open() first appends a "role_session"
// record (correlation id, finding id, and broker::SessionInfo: session name,
// AssumedRoleId, AccessKeyId, expiry, whether it was reused — never a secret),
// so each action's records name the session that made the change and
// CloudTrail events join back to the finding. If that record cannot be
// written, open() fails and nothing is changed.
struct RoleSpec {
  std::string role_arn;
  std::string external_id;  // empty: not sent
  int duration_seconds = 900;
};

class AssumeRoleSessions final : public CloudSessions {
 public:
  using RoleLookup = std::function<Result<RoleSpec>(const std::string& account)>;
  // `platform` holds fixgate's own credentials and the endpoints; `broker`
  // (which must outlive this) assumes the roles. `audit` may be null.
  AssumeRoleSessions(aws::ClientConfig platform, broker::CredentialBroker& broker, audit::AuditSink* audit = nullptr,
                     std::string actor = "fixgate");
  // Convenience: a broker of its own over `platform`'s STS, scope finding,
  // roles named by `lookup` (Config::access_for), no audit record.
  AssumeRoleSessions(aws::ClientConfig platform, RoleLookup lookup, std::string session_prefix = "fixgate-");
  ~AssumeRoleSessions() override;

  // Errors: the lookup's error, "sts.<AWS code>" when AssumeRole is refused
  // (with role, session name and request id), the audit sink's error.
  Result<std::unique_ptr<CloudApi>> open(const Finding& finding, const std::string& correlation_id) override;

  // "fixgate-" + the correlation id reduced to STS's [\w+=,.@-], at most 64 characters.
  static std::string session_name(const std::string& prefix, const std::string& correlation_id);

 private:
  aws::ClientConfig platform_;
  std::unique_ptr<broker::CredentialBroker> owned_broker_;
  broker::CredentialBroker& broker_;
  audit::AuditSink* audit_ = nullptr;
  std::string actor_;
};

}  // namespace fixgate::actions
