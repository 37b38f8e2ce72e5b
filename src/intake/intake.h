// Finding intake: turns a delivered payload into normalised fixgate::Finding values.
//
// Accepted shapes (detected from the JSON itself, no hint needed):
//   * Wiz automation-rule / webhook payloads   {trigger, issue, resource, control}
//   * Wiz GraphQL Issue objects                 {id, sourceRule, entitySnapshot, projects}
//   * AWS Security Hub ASFF: a bare finding, a {"Findings": [...]} batch, and
//     EventBridge events ("Security Hub Findings - Imported" / "- Custom Action")
//     whose detail.findings[] each become their own Finding
//   * any of the above wrapped in an SNS "Notification" envelope (as delivered to an
//     HTTPS subscription or as an SQS message body); the signature is NOT checked here.
//
// Fail closed, never drop: whatever arrives yields at least one Finding. Input that
// cannot be understood becomes a Finding whose `malformed` names the offending field
// as a JSON path relative to the finding's own document ("issue.id",
// "resource.tags", "Findings[2].Resources[0].Type", "detail.findings[0].GeneratorId";
// "payload" for the body as a whole, "Message" for an SNS message that is not a
// payload), so decide() rejects it with a named reason. Such a Finding still carries
// every field that could be read (source, id, account, ...), and its `raw`.
//
// `raw` is the evidence a Finding came from:
//   * the whole payload for a single finding, and for every Finding of an SNS
//     envelope (the envelope is the unit a signature covers, so it is kept whole);
//   * the exact JSON text of that one element for each finding of an ASFF batch or
//     EventBridge event.
//
// Limits that make hostile input cheap to refuse (each gives a malformed Finding):
// payloads over kMaxPayloadBytes, nesting deeper than kMaxDepth, invalid UTF-8, more
// than kMaxFindingsPerPayload findings, string fields longer than their cap.
//
// Thread-safety: both functions may be called from any number of threads at once;
// parse_payload keeps one reusable parser per thread. Neither throws.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"

namespace fixgate::intake {

inline constexpr std::size_t kMaxPayloadBytes = 1024 * 1024;
inline constexpr std::size_t kMaxDepth = 64;
inline constexpr std::size_t kMaxFindingsPerPayload = 1000;
// Identifiers, ARNs, tag keys/values, names: longer than this is refused.
inline constexpr std::size_t kMaxFieldBytes = 8 * 1024;
// Titles and descriptions may be longer.
inline constexpr std::size_t kMaxTextBytes = 64 * 1024;
// Tags or projects on one resource/issue.
inline constexpr std::size_t kMaxListEntries = 1000;

// Parses one delivered payload. Always returns at least one Finding; see above for
// what a malformed one looks like. Findings appear in payload order.
std::vector<Finding> parse_payload(std::string_view payload);

// Canonical CloudFormation resource type ("AWS::S3::Bucket", "AWS::::Account"):
// `native_type` as given when it is already canonical, else inferred from `arn`
// (also accepts ASFF's "AWS::::Account:<id>" account ids), else mapped from the
// source-native name (ASFF "AwsS3Bucket", Wiz "bucket"/"SECURITY_GROUP"/
// "virtualMachine"). Returns "" when none of these is known: unknown stays unknown.
std::string canonical_resource_type(std::string_view arn, std::string_view native_type);

}  // namespace fixgate::intake
