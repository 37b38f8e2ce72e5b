// libFuzzer target for intake::parse_payload: any bytes must give at least one
// Finding, never crash, and every malformed Finding must name a field and keep raw.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "intake/intake.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  const auto findings = fixgate::intake::parse_payload(payload);
  if (findings.empty()) std::abort();
  for (const auto& finding : findings) {
    if (finding.malformed && (finding.malformed->field.empty() || finding.malformed->reason.empty())) std::abort();
    // Evidence is always kept: empty only for the empty payload.
    if (finding.raw.empty() && size != 0) std::abort();
    // raw is exact bytes of the input (the whole of it, or one container element).
    if (!finding.raw.empty() && payload.find(finding.raw) == std::string_view::npos) std::abort();
    // The type mapping must hold up against whatever the input calls a resource.
    (void)fixgate::intake::canonical_resource_type(finding.resource_arn, finding.native_resource_type);
  }
  return 0;
}
