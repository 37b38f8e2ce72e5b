// The normalised finding every intake parser produces and every later stage reads.
//
// A parser never throws a payload away: input it cannot understand still becomes
// a Finding whose `malformed` names the offending field, so decide() rejects it
// with evidence and it is routed for review instead of vanishing.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/severity.h"

namespace fixgate {

enum class FindingSource { wiz, asff, unknown };
const char* to_string(FindingSource source);

struct Tag {
  std::string key;
  std::string value;
  bool operator==(const Tag&) const = default;
};

struct Malformation {
  std::string field;   // JSON path of the offending field, e.g. "resource.tags"
  std::string reason;  // what is wrong with it, for a human
};

struct Finding {
  FindingSource source = FindingSource::unknown;
  std::string id;
  std::string status;                 // as the source wrote it ("OPEN", "Resolved", "NEW/FAILED/ACTIVE")
  bool open = false;                  // normalised: should this finding be acted on at all?
  Severity severity = Severity::unknown;
  std::string severity_label;         // as the source wrote it
  std::string title;
  std::vector<std::string> control_ids;
  std::string resource_arn;           // empty when the source gave none
  std::string resource_id;            // source-native id (may equal the ARN)
  std::string resource_type;          // canonical CloudFormation name, e.g. AWS::S3::Bucket
  std::string native_resource_type;   // as the source wrote it, e.g. "bucket", "AwsS3Bucket"
  std::string resource_name;
  std::string cloud_platform;         // "AWS", ...
  std::string account;
  std::string region;
  std::vector<Tag> tags;              // order preserved as given
  std::vector<std::string> projects;
  std::string raw;                    // the exact payload this finding came from (evidence)
  std::optional<Malformation> malformed;

  // Case-insensitive tag lookup; returns nullptr when absent.
  const Tag* find_tag(std::string_view key) const;
  // The ARN when known, else the source-native id: what locks and waivers key on.
  const std::string& resource_key() const { return resource_arn.empty() ? resource_id : resource_arn; }
};

}  // namespace fixgate
