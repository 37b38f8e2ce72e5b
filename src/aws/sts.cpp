#include "aws/sts.h"

#include "core/text.h"

namespace fixgate::aws {
namespace {

AwsError local_error(std::string op, std::string code, std::string message) {
  AwsError error;
  error.kind = ErrorKind::validation;
  error.code = std::move(code);
  error.message = std::move(message);
  error.operation = std::move(op);
  return error;
}

AwsError malformed(std::string op, std::string what, std::string request_id) {
  AwsError error;
  error.code = "MalformedResponse";
  error.message = std::move(what);
  error.operation = std::move(op);
  error.request_id = std::move(request_id);
  error.http_status = 200;
  return error;
}

bool valid_session_name(const std::string& name) {
  if (name.size() < 2 || name.size() > 64) return false;
  for (unsigned char c : name) {
    if (!(std::isalnum(c) || c == '_' || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-')) {
      return false;
    }
  }
  return true;
}

std::optional<AwsError> validate(const AssumeRoleRequest& r) {
  const std::string op = "STS.AssumeRole";
  if (r.role_arn.empty()) return local_error(op, "MissingParameter", "role_arn is empty");
  if (!valid_session_name(r.role_session_name)) {
    return local_error(op, "ValidationError",
                       "role_session_name must be 2..64 characters of [A-Za-z0-9_+=,.@-]: \"" +
                           escape_for_display(r.role_session_name) + "\"");
  }
  if (r.duration_seconds && (*r.duration_seconds < 900 || *r.duration_seconds > 43200)) {
    return local_error(op, "ValidationError", "duration_seconds must be 900..43200, got " +
                                                  std::to_string(*r.duration_seconds));
  }
  return std::nullopt;
}

AwsOutcome<AssumedRole> read_assumed_role(const AwsResponse& response, std::string_view result_path,
                                          const std::string& op) {
  if (!response.xml) return malformed(op, "empty response body", response.request_id);
  const XmlNode* result = response.xml->find(result_path);
  if (result == nullptr) {
    return malformed(op, "response has no " + std::string(result_path) + " element", response.request_id);
  }
  auto creds = parse_sts_credentials(*result);
  if (!creds) {
    AwsError error = creds.error();
    error.operation = op;
    error.request_id = response.request_id;
    return error;
  }
  AssumedRole out;
  out.credentials = std::move(creds.value());
  out.assumed_role_arn = result->text_at("AssumedRoleUser/Arn");
  out.assumed_role_id = result->text_at("AssumedRoleUser/AssumedRoleId");
  out.source_identity = result->text_at("SourceIdentity");
  const std::string packed = result->text_at("PackedPolicySize");
  if (!packed.empty() && packed.find_first_not_of("0123456789") == std::string::npos && packed.size() < 9) {
    out.packed_policy_size = std::stoi(packed);
  }
  out.request_id = response.request_id;
  return out;
}

}  // namespace

AwsOutcome<Credentials> parse_sts_credentials(const XmlNode& result) {
  const XmlNode* c = result.child("Credentials");
  if (c == nullptr) return malformed("STS", "result has no Credentials element", "");
  Credentials out;
  out.access_key_id = trim(c->text_at("AccessKeyId"));
  out.secret_access_key = trim(c->text_at("SecretAccessKey"));
  out.session_token = trim(c->text_at("SessionToken"));
  if (out.access_key_id.empty() || out.secret_access_key.empty() || out.session_token.empty()) {
    return malformed("STS", "Credentials lacks AccessKeyId, SecretAccessKey or SessionToken", "");
  }
  const std::string expiration = c->text_at("Expiration");
  out.expiration = parse_iso8601(expiration);
  if (!out.expiration) {
    return malformed("STS", "Credentials/Expiration is not an ISO 8601 time: \"" + escape_for_display(expiration) + "\"",
                     "");
  }
  out.source = "assume-role";
  return out;
}

Operation assume_role_operation(const AssumeRoleRequest& r) {
  Operation op;
  op.service = services::sts();
  op.name = "AssumeRole";
  const Protocol p = op.service.protocol;
  // Model member order, as the SDKs serialise it.
  op.params.emplace_back("RoleArn", r.role_arn);
  op.params.emplace_back("RoleSessionName", r.role_session_name);
  for (size_t i = 0; i < r.policy_arns.size(); ++i) {
    op.params.emplace_back(list_key(p, "PolicyArns", i + 1) + ".arn", r.policy_arns[i]);
  }
  if (!r.policy.empty()) op.params.emplace_back("Policy", r.policy);
  if (r.duration_seconds) op.params.emplace_back("DurationSeconds", std::to_string(*r.duration_seconds));
  for (size_t i = 0; i < r.tags.size(); ++i) {
    op.params.emplace_back(list_key(p, "Tags", i + 1) + ".Key", r.tags[i].first);
    op.params.emplace_back(list_key(p, "Tags", i + 1) + ".Value", r.tags[i].second);
  }
  for (size_t i = 0; i < r.transitive_tag_keys.size(); ++i) {
    op.params.emplace_back(list_key(p, "TransitiveTagKeys", i + 1), r.transitive_tag_keys[i]);
  }
  if (!r.external_id.empty()) op.params.emplace_back("ExternalId", r.external_id);
  if (!r.source_identity.empty()) op.params.emplace_back("SourceIdentity", r.source_identity);
  return op;
}

AwsOutcome<AssumedRole> assume_role(AwsClient& client, const AssumeRoleRequest& request) {
  if (auto invalid = validate(request)) return *invalid;
  auto response = client.call(assume_role_operation(request));
  if (!response) return response.error();
  return read_assumed_role(*response, "AssumeRoleResult", "STS.AssumeRole");
}

AwsOutcome<AssumedRole> assume_role_with_web_identity(AwsClient& client, const std::string& role_arn,
                                                      const std::string& role_session_name,
                                                      const std::string& web_identity_token,
                                                      std::optional<int> duration_seconds) {
  const std::string op_name = "STS.AssumeRoleWithWebIdentity";
  if (role_arn.empty()) return local_error(op_name, "MissingParameter", "role_arn is empty");
  if (web_identity_token.empty()) return local_error(op_name, "MissingParameter", "web identity token is empty");
  if (!valid_session_name(role_session_name)) {
    return local_error(op_name, "ValidationError", "role_session_name must be 2..64 characters of [A-Za-z0-9_+=,.@-]");
  }
  Operation op;
  op.service = services::sts();
  op.name = "AssumeRoleWithWebIdentity";
  op.params.emplace_back("RoleArn", role_arn);
  op.params.emplace_back("RoleSessionName", role_session_name);
  op.params.emplace_back("WebIdentityToken", web_identity_token);
  if (duration_seconds) op.params.emplace_back("DurationSeconds", std::to_string(*duration_seconds));
  auto response = client.call(op);
  if (!response) return response.error();
  auto out = read_assumed_role(*response, "AssumeRoleWithWebIdentityResult", op_name);
  if (out) out->credentials.source = "web-identity";
  return out;
}

AwsOutcome<CallerIdentity> get_caller_identity(AwsClient& client) {
  Operation op;
  op.service = services::sts();
  op.name = "GetCallerIdentity";
  auto response = client.call(op);
  if (!response) return response.error();
  const XmlNode* result = response->xml ? response->xml->find("GetCallerIdentityResult") : nullptr;
  if (result == nullptr) {
    return malformed("STS.GetCallerIdentity", "response has no GetCallerIdentityResult", response->request_id);
  }
  return CallerIdentity{result->text_at("Account"), result->text_at("Arn"), result->text_at("UserId")};
}

}  // namespace fixgate::aws
