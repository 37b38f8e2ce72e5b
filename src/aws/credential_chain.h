// The standard AWS credential providers and the default chain, in the SDKs' order:
//   1. environment   AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN)
//   2. shared files  profile AWS_PROFILE (or "default"): static keys, or role_arn with
//                    source_profile / credential_source (+ external_id,
//                    role_session_name, duration_seconds) → STS AssumeRole, or
//                    role_arn + web_identity_token_file
//   3. web identity  AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME)
//                    → STS AssumeRoleWithWebIdentity (unsigned)
//   4. container     AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (169.254.170.2) or _FULL_URI,
//                    Authorization from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or _TOKEN
//   5. EC2 IMDSv2    PUT /latest/api/token, then GET the role's credentials; endpoint
//                    AWS_EC2_METADATA_SERVICE_ENDPOINT, off when AWS_EC2_METADATA_DISABLED=true
// A provider with nothing to offer says CredentialsNotFound and the chain moves on;
// any other failure (a denied AssumeRole, a malformed file) stops the chain and is
// returned, so a misconfiguration is never papered over by a later provider.
#pragma once

#include <memory>
#include <string>

#include "aws/credentials.h"
#include "aws/environment.h"
#include "aws/http.h"

namespace fixgate::aws {

struct ChainOptions {
  std::shared_ptr<Environment> env;                 // default system_environment()
  std::shared_ptr<HttpTransport> transport;         // STS calls; default libcurl
  std::shared_ptr<HttpTransport> metadata_transport;  // ECS/IMDS; default libcurl with 1 s timeouts
  std::shared_ptr<Clock> clock;                     // default system_clock()
  std::string profile;                              // default active_profile(env)
};

std::shared_ptr<CredentialsProvider> make_environment_provider(const ChainOptions& options);
std::shared_ptr<CredentialsProvider> make_profile_provider(const ChainOptions& options);
std::shared_ptr<CredentialsProvider> make_web_identity_provider(const ChainOptions& options);
std::shared_ptr<CredentialsProvider> make_container_provider(const ChainOptions& options);
std::shared_ptr<CredentialsProvider> make_imds_provider(const ChainOptions& options);

// The five above in order, behind a RefreshingCredentialsProvider (refreshes 5
// minutes before expiry).
std::shared_ptr<CredentialsProvider> make_default_chain(ChainOptions options);

}  // namespace fixgate::aws
