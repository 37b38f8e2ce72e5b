// Resource-type tables: ARN shapes, ASFF type names and Wiz type names mapped to
// canonical CloudFormation type names. Internal to intake; the public entry point is
// intake::canonical_resource_type.
//
// Every function returns a view of a static string (no allocation), or "" when the
// input is not in its table: the caller decides what unknown means (decide() treats an
// unknown type as unsupported, which fails closed).
#pragma once

#include <string_view>

namespace fixgate::intake::detail {

// "AWS::S3::Bucket", "AWS::::Account": AWS::<service>::<type>, alphanumeric parts.
bool is_canonical_type(std::string_view type);

// arn:<partition>:<service>:<region>:<account>:<resource> → canonical type, and
// "AWS::::Account:<id>" (ASFF's account resource id) → "AWS::::Account".
std::string_view type_from_arn(std::string_view arn);

// ASFF "AwsS3Bucket" or a Wiz type ("bucket", "BUCKET", "securityGroup",
// "SECURITY_GROUP", "virtualMachine") → canonical type. Wiz names are compared
// ignoring case, '_' , '-' and ' '.
std::string_view type_from_native(std::string_view native_type);

// The last ':' or '/' separated segment of an ARN's resource part (a bucket,
// security-group or user name), "" when `arn` is not an ARN.
std::string_view name_from_arn(std::string_view arn);

}  // namespace fixgate::intake::detail
