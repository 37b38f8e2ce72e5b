#include "engine/platform.h"

#include "aws/config.h"
#include "aws/credential_chain.h"
#include "aws/protocols.h"

namespace fixgate::engine {

Result<aws::ClientConfig> platform_client_config() {
  auto env = aws::system_environment();
  auto shared = aws::load_shared_config(*env);
  if (!shared.ok()) return shared.error();
  aws::ClientConfig config;
  config.region = aws::resolve_region(*env, *shared);
  if (config.region.empty()) {
    return make_error("aws.no_region", "no AWS region: set AWS_REGION or a region in the shared config file");
  }
  config.transport = aws::make_curl_transport();
  aws::ChainOptions chain;
  chain.env = env;
  config.credentials = aws::make_default_chain(chain);
  config.endpoint_url = env->get("AWS_ENDPOINT_URL").value_or("");
  for (const auto* service : {&aws::services::sts(), &aws::services::iam(), &aws::services::ec2(),
                              &aws::services::s3(), &aws::services::s3_control(), &aws::services::kms(),
                              &aws::services::sqs(), &aws::services::tagging()}) {
    const std::string url = aws::resolve_endpoint_url(*env, *shared, *service);
    if (!url.empty()) config.endpoint_urls[service->service_id] = url;
  }
  // A custom endpoint (a simulator, a VPC endpoint) cannot resolve bucket subdomains.
  config.s3_force_path_style = !config.endpoint_url.empty() || config.endpoint_urls.count("S3") > 0;
  return config;
}

}  // namespace fixgate::engine
