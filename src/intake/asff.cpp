// AWS Security Hub findings in the AWS Security Finding Format (ASFF).
#include <cctype>
#include <string>

#include "core/text.h"
#include "intake/intake.h"
#include "intake/parsers.h"
#include "intake/resource_types.h"

namespace fixgate::intake::detail {
namespace {

// "S3.1", "CloudTrail.2", "PCI.S3.1": a letter first, dot-separated alphanumeric
// parts, the last one a number. CIS rule numbers ("1.6") and free text are not.
bool looks_like_control_id(std::string_view text) {
  if (text.empty() || !std::isalpha(static_cast<unsigned char>(text.front()))) return false;
  const std::size_t last_dot = text.rfind('.');
  if (last_dot == std::string_view::npos || last_dot + 1 == text.size()) return false;
  bool previous_dot = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '.') {
      if (previous_dot) return false;
      previous_dot = true;
      continue;
    }
    previous_dot = false;
    if (i > last_dot ? !std::isdigit(c) : !std::isalnum(c)) return false;
  }
  return true;
}

// Severity.Label, else Severity.Normalized mapped as the API reference does
// (0 INFORMATIONAL, 1-39 LOW, 40-69 MEDIUM, 70-89 HIGH, 90-100 CRITICAL).
void read_severity(const object& severity, FieldReader& reader, Finding& finding) {
  const std::string_view label = reader.string(severity, "Label", "Severity.Label", kMaxFieldBytes);
  if (!label.empty()) {
    if (const auto parsed = parse_severity(label)) {
      finding.severity = *parsed;
      finding.severity_label.assign(label);
    } else {
      reader.fail("Severity.Label", "unknown severity label " + quote_for_reason(label));
    }
    return;
  }
  const auto normalized = FieldReader::get(severity, "Normalized");
  if (!normalized) {
    reader.fail("Severity", "has neither Label nor Normalized");
    return;
  }
  int64_t score = -1;
  double real = -1;
  if (normalized->get_int64().get(score) != simdjson::SUCCESS) {
    if (normalized->get_double().get(real) == simdjson::SUCCESS && real >= 0 && real <= 100 &&
        real == static_cast<double>(static_cast<int64_t>(real))) {
      score = static_cast<int64_t>(real);
    } else {
      score = -1;
    }
  }
  if (score < 0 || score > 100) {
    reader.fail("Severity.Normalized", "must be an integer from 0 to 100");
    return;
  }
  finding.severity = score == 0   ? Severity::informational
                     : score < 40 ? Severity::low
                     : score < 70 ? Severity::medium
                     : score < 90 ? Severity::high
                                  : Severity::critical;
  finding.severity_label = std::to_string(score);
}

void read_first_resource(const array& resources, FieldReader& reader, Finding& finding) {
  if (resources.size() == 0) {
    reader.fail("Resources", "is empty");
    return;
  }
  const element first = resources.at(0).value_unsafe();
  object resource;
  if (first.get_object().get(resource) != simdjson::SUCCESS) {
    reader.fail("Resources[0]", std::string("must be an object, not ") + json_type_name(first));
    return;
  }
  const std::string_view type = reader.required_string(resource, "Type", "Resources[0].Type", kMaxFieldBytes);
  const std::string_view id = reader.required_string(resource, "Id", "Resources[0].Id", kMaxFieldBytes);
  const std::string_view region = reader.string(resource, "Region", "Resources[0].Region", kMaxFieldBytes);
  if (!region.empty()) finding.region.assign(region);
  finding.resource_id.assign(id);
  if (starts_with(id, "arn:")) finding.resource_arn.assign(id);
  finding.native_resource_type.assign(type);
  finding.resource_type = canonical_resource_type(id, type);
  std::string_view name = name_from_arn(id);
  if (name.empty() && finding.resource_type == "AWS::::Account") name = id.substr(id.rfind(':') + 1);
  finding.resource_name.assign(name);
  element tags;
  if (resource.at_key("Tags").get(tags) == simdjson::SUCCESS) {
    reader.tags(tags, "Resources[0].Tags", /*allow_list=*/false);
  }
}

}  // namespace

void parse_asff_finding(const element& value, FieldReader& reader, Finding& finding) {
  finding.source = FindingSource::asff;
  finding.cloud_platform = "AWS";
  object f;
  if (value.get_object().get(f) != simdjson::SUCCESS) {
    reader.fail("", std::string("must be an ASFF finding object, not ") + json_type_name(value));
    return;
  }

  // The required attributes (asff-required-attributes.md), in the order AWS lists them.
  finding.account.assign(reader.required_string(f, "AwsAccountId", "AwsAccountId", kMaxFieldBytes));
  reader.required_string(f, "CreatedAt", "CreatedAt", kMaxFieldBytes);
  reader.required_string(f, "Description", "Description", kMaxTextBytes);
  const std::string_view generator = reader.required_string(f, "GeneratorId", "GeneratorId", kMaxFieldBytes);
  finding.id.assign(reader.required_string(f, "Id", "Id", kMaxFieldBytes));
  reader.required_string(f, "ProductArn", "ProductArn", kMaxFieldBytes);
  // Region comes before Resources so a resource's own Region wins.
  finding.region.assign(reader.string(f, "Region", "Region", kMaxFieldBytes));
  if (const auto resources = reader.array_member(f, "Resources", "Resources", /*required=*/true)) {
    read_first_resource(*resources, reader, finding);
  }
  reader.required_string(f, "SchemaVersion", "SchemaVersion", kMaxFieldBytes);
  if (const auto severity = reader.object_member(f, "Severity", "Severity", /*required=*/true)) {
    read_severity(*severity, reader, finding);
  }
  finding.title.assign(reader.required_string(f, "Title", "Title", kMaxTextBytes));
  if (const auto types = reader.array_member(f, "Types", "Types", /*required=*/true)) {
    std::size_t index = 0;
    for (const element type : *types) {
      if (!type.is_string()) {
        reader.fail("Types[" + std::to_string(index) + "]", std::string("must be a string, not ") + json_type_name(type));
      }
      ++index;
    }
  }
  reader.required_string(f, "UpdatedAt", "UpdatedAt", kMaxFieldBytes);

  // Open only when the check failed, nobody has handled it yet, and it is live.
  std::string_view compliance_status;
  if (const auto compliance = reader.object_member(f, "Compliance", "Compliance", false)) {
    compliance_status = reader.string(*compliance, "Status", "Compliance.Status", kMaxFieldBytes);
    add_unique(finding.control_ids, reader.string(*compliance, "SecurityControlId", "Compliance.SecurityControlId",
                                          kMaxFieldBytes));
  }
  std::string_view workflow_status;
  if (const auto workflow = reader.object_member(f, "Workflow", "Workflow", false)) {
    workflow_status = reader.string(*workflow, "Status", "Workflow.Status", kMaxFieldBytes);
  }
  if (workflow_status.empty()) workflow_status = reader.string(f, "WorkflowState", "WorkflowState", kMaxFieldBytes);
  const std::string_view record_state = reader.string(f, "RecordState", "RecordState", kMaxFieldBytes);
  finding.status.reserve(workflow_status.size() + compliance_status.size() + record_state.size() + 2);
  finding.status.append(workflow_status).append("/").append(compliance_status).append("/").append(record_state);
  finding.open = iequals(compliance_status, "FAILED") &&
                 (iequals(workflow_status, "NEW") || iequals(workflow_status, "NOTIFIED")) &&
                 iequals(record_state, "ACTIVE");

  if (const auto fields = reader.object_member(f, "ProductFields", "ProductFields", false)) {
    add_unique(finding.control_ids, reader.string(*fields, "ControlId", "ProductFields.ControlId", kMaxFieldBytes));
    add_unique(finding.control_ids, reader.string(*fields, "RuleId", "ProductFields.RuleId", kMaxFieldBytes));
  }
  const std::string_view last_segment = generator.substr(generator.rfind('/') + 1);
  if (looks_like_control_id(last_segment)) add_unique(finding.control_ids, last_segment);
}

}  // namespace fixgate::intake::detail
