// fixgate's own AWS identity (the "platform" side of every AssumeRole) from the
// standard AWS configuration: the credential chain, AWS_REGION or the shared
// config's region, and AWS_ENDPOINT_URL[_<SERVICE>]. The same binary therefore
// runs against the cloud simulator or a real organisation without a flag.
#pragma once

#include "aws/client.h"
#include "core/result.h"

namespace fixgate::engine {

// Errors: "aws.no_region" when no region is configured anywhere; the shared
// config file's parse error when it is malformed.
Result<aws::ClientConfig> platform_client_config();

}  // namespace fixgate::engine
