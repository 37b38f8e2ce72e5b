// Reading the target of an action out of a Finding, and AWS timestamps.
//
// Findings name resources by ARN when they can; otherwise by a native id. These
// helpers return the identifier an AWS API wants (bucket name, sg-..., user name)
// or an error ("actions.bad_resource") naming what was missing or malformed. The
// extracted value is checked for control characters and length, because it came
// from an attacker-influenced payload and ends up in a request.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/finding.h"
#include "core/result.h"

namespace fixgate::actions {

// "arn:aws:s3:::my-bucket" → "my-bucket"; without an ARN, the resource id or name.
Result<std::string> s3_bucket_name(const Finding& finding);

// The identifier after `marker` in the finding's ARN, last path segment only
// ("user/path/alice" with marker "user/" → "alice"; "snapshot:db1" with
// "snapshot:" → "db1"). Without an ARN, the resource id when it is not an ARN,
// else the resource name.
Result<std::string> resource_identifier(const Finding& finding, std::string_view marker);

// The account a finding's resource lives in: Finding::account, else the ARN's.
std::string finding_account(const Finding& finding);

// ISO-8601 UTC ("2024-05-01T12:00:00Z", fractional seconds and "+00:00" allowed).
std::optional<std::chrono::system_clock::time_point> parse_aws_time(std::string_view text);
std::string format_aws_time(std::chrono::system_clock::time_point time);

}  // namespace fixgate::actions
