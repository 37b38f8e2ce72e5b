// Which URLs an SNS envelope may make us fetch.
//
// An envelope is attacker-controlled until its signature verifies, and the
// signature is checked with a certificate the envelope itself points to. So the
// certificate URL (and, for a SubscriptionConfirmation, the SubscribeURL we GET
// to confirm) must name Amazon SNS itself, or anyone could sign with their own
// cert or make us issue requests to arbitrary hosts (SSRF). These checks run
// before anything is fetched.
//
// Accepted host: exactly "sns.<region>.amazonaws.com" or
// "sns.<region>.amazonaws.com.cn", region like us-east-2 / us-gov-west-1 /
// cn-north-1 (lower case). Refused: any other scheme than https, userinfo,
// an explicit port, a host with anything before or after that form
// (sns.us-east-1.amazonaws.com.evil.com), whitespace or control characters.
//
// Both fail with Error{"sns.cert_url_refused" | "sns.subscribe_url_refused", why}.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace fixgate::sns {

// True when `host` is an SNS regional endpoint as described above.
bool is_sns_host(std::string_view host);

// SigningCertURL: https, SNS host, a path ending in ".pem", no query or fragment.
Result<void> validate_cert_url(std::string_view url);

// SubscribeURL: https, SNS host, path "/", a query with Action=ConfirmSubscription,
// no fragment.
Result<void> validate_subscribe_url(std::string_view url);

}  // namespace fixgate::sns
