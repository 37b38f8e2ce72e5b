// Finds the Terraform block that defines a cloud resource, for git blame.
//
// Code-to-cloud links, strongest first:
//   1. a `yor_trace = "<uuid>"` attribute inside the block equal to the
//      resource's yor_trace tag (yor writes the same tag to the cloud resource)
//   2. an attribute inside the block whose quoted value equals the resource
//      name (bucket = "...", name = "...", identifier = "...")
//   3. the block's name label equal to the resource name
// Only `resource "<type>" "<name>" {` blocks are considered. The block ends at
// the brace that balances its opening one; braces inside strings and comments
// do not count.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fixgate::ownership {

struct BlockLocation {
  int first_line = 0;  // 1-based, the `resource` line
  int last_line = 0;   // 1-based, the closing brace
  std::string address;     // "aws_kms_key.logs_key"
  std::string matched_by;  // "yor_trace", "attribute <key>", "block name"
};

std::optional<BlockLocation> locate_terraform_block(std::string_view hcl, std::string_view yor_trace,
                                                    std::string_view resource_name);

}  // namespace fixgate::ownership
