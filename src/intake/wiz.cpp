// Wiz payloads: the automation-rule template / webhook shape and GraphQL Issue objects.
#include <string>

#include "core/text.h"
#include "intake/intake.h"
#include "intake/parsers.h"
#include "intake/resource_types.h"

namespace fixgate::intake::detail {
namespace {

void read_status(FieldReader& reader, Finding& finding, std::string_view status, std::string_view field) {
  finding.status.assign(status);
  if (status.empty()) return;  // required_string already recorded it
  const auto open = wiz_status_is_open(status);
  if (!open) {
    reader.fail(field, "unknown status " + quote_for_reason(status) +
                           " (expected OPEN, IN_PROGRESS, RESOLVED or REJECTED)");
    return;
  }
  finding.open = *open;
}

// Returns true when `label` was a known severity and has been applied.
bool apply_severity(FieldReader& reader, Finding& finding, std::string_view label, std::string_view field) {
  const auto severity = parse_severity(label);
  if (!severity) {
    reader.fail(field, "unknown severity label " + quote_for_reason(label));
    return false;
  }
  finding.severity = *severity;
  finding.severity_label.assign(label);
  return true;
}

// issue.projects / projects: "" or "A, B, " (the template's rendering), or a list of
// strings or {id, name} objects. Names are kept (the id when a project has no name).
void read_projects(FieldReader& reader, Finding& finding, const object& owner, std::string_view field) {
  const auto value = FieldReader::get(owner, "projects");
  if (!value) return;
  std::string_view text;
  if (value->get_string().get(text) == simdjson::SUCCESS) {
    if (text.size() > kMaxTextBytes) {
      reader.fail(field, "is longer than " + std::to_string(kMaxTextBytes) + " bytes");
      return;
    }
    for (const auto& part : split(text, ',')) {
      std::string name = trim(part);
      if (!name.empty()) finding.projects.push_back(std::move(name));
    }
    return;
  }
  array list;
  if (value->get_array().get(list) != simdjson::SUCCESS) {
    reader.fail(field, std::string("must be a string or a list of projects, not ") + json_type_name(*value));
    return;
  }
  if (list.size() > kMaxListEntries) {
    reader.fail(field, "has more than " + std::to_string(kMaxListEntries) + " projects");
    return;
  }
  finding.projects.reserve(list.size());
  std::size_t index = 0;
  for (const element entry : list) {
    const std::size_t at = index++;
    std::string_view name;
    object project;
    if (entry.get_string().get(name) == simdjson::SUCCESS) {
      // a project named by a plain string
    } else if (entry.get_object().get(project) == simdjson::SUCCESS) {
      // Its name, else its id; a present one of another type is malformed.
      for (const char* key : {"name", "id"}) {
        const auto member = FieldReader::get(project, key);
        if (!member) continue;
        if (member->get_string().get(name) != simdjson::SUCCESS) {
          reader.fail(entry_path(field, at, std::string(".") + key),
                      std::string("must be a string, not ") + json_type_name(*member));
        }
        if (!name.empty()) break;
      }
    } else {
      reader.fail(entry_path(field, at),
                  std::string("must be a string or an {id, name} object, not ") + json_type_name(entry));
      continue;
    }
    if (name.size() > kMaxFieldBytes) {
      reader.fail(entry_path(field, at), "is longer than " + std::to_string(kMaxFieldBytes) + " bytes");
      continue;
    }
    if (!name.empty()) finding.projects.emplace_back(name);
  }
}

void read_tags(FieldReader& reader, const object& owner, std::string_view field) {
  element value;
  if (owner.at_key("tags").get(value) != simdjson::SUCCESS) return;  // absent: no tags
  // Present but null is not one of the two accepted shapes: fail closed.
  reader.tags(value, field, /*allow_list=*/true);
}

// Resource id, ARN, types and name, shared by both Wiz shapes.
void fill_resource(Finding& finding, std::string_view id, std::string_view type, std::string_view native_type,
                   std::string_view name) {
  finding.resource_id.assign(id);
  if (starts_with(id, "arn:")) finding.resource_arn.assign(id);
  finding.native_resource_type.assign(native_type.empty() ? type : native_type);
  finding.resource_name.assign(name);
  // A Wiz type name means an AWS type only on AWS: elsewhere only an ARN or an
  // already canonical name counts, and anything else stays unknown.
  const bool aws = finding.cloud_platform.empty() || iequals(finding.cloud_platform, "AWS");
  std::string_view canonical;
  if (is_canonical_type(native_type)) {
    canonical = native_type;
  } else if (is_canonical_type(type)) {
    canonical = type;
  } else {
    canonical = type_from_arn(finding.resource_arn);
  }
  if (canonical.empty() && aws) canonical = type_from_native(native_type);
  if (canonical.empty() && aws) canonical = type_from_native(type);
  finding.resource_type.assign(canonical);
}

}  // namespace

std::optional<bool> wiz_status_is_open(std::string_view status) {
  if (iequals(status, "OPEN") || iequals(status, "IN_PROGRESS")) return true;
  if (iequals(status, "RESOLVED") || iequals(status, "REJECTED")) return false;
  return std::nullopt;
}

void parse_wiz_webhook(const object& root, FieldReader& reader, Finding& finding) {
  finding.source = FindingSource::wiz;

  const auto issue = reader.object_member(root, "issue", "issue", /*required=*/true);
  const auto resource = reader.object_member(root, "resource", "resource", /*required=*/true);
  const auto control = reader.object_member(root, "control", "control", /*required=*/true);
  if (const auto trigger = FieldReader::get(root, "trigger"); trigger && !trigger->is_object()) {
    reader.fail("trigger", std::string("must be an object, not ") + json_type_name(*trigger));
  }

  if (issue) {
    finding.id.assign(reader.required_string(*issue, "id", "issue.id", kMaxFieldBytes));
    read_status(reader, finding, reader.required_string(*issue, "status", "issue.status", kMaxFieldBytes),
                "issue.status");
  }

  if (resource) {
    finding.cloud_platform.assign(reader.string(*resource, "cloudPlatform", "resource.cloudPlatform", kMaxFieldBytes));
    finding.account.assign(reader.string(*resource, "subscriptionId", "resource.subscriptionId", kMaxFieldBytes));
    finding.region.assign(reader.string(*resource, "region", "resource.region", kMaxFieldBytes));
    const auto id = reader.string(*resource, "id", "resource.id", kMaxFieldBytes);
    const auto type = reader.string(*resource, "type", "resource.type", kMaxFieldBytes);
    const auto native_type = reader.string(*resource, "nativeType", "resource.nativeType", kMaxFieldBytes);
    const auto name = reader.string(*resource, "name", "resource.name", kMaxFieldBytes);
    fill_resource(finding, id, type, native_type, name);
    read_tags(reader, *resource, "resource.tags");
  }

  std::string_view control_severity;
  if (control) {
    add_unique(finding.control_ids, reader.required_string(*control, "id", "control.id", kMaxFieldBytes));
    add_unique(finding.control_ids, reader.string(*control, "sourceCloudConfigurationRuleId",
                                          "control.sourceCloudConfigurationRuleId", kMaxFieldBytes));
    finding.title.assign(reader.string(*control, "name", "control.name", kMaxTextBytes));
    control_severity = reader.string(*control, "severity", "control.severity", kMaxFieldBytes);
  }

  // Issue severity wins; the control's is the fallback when the issue has none.
  const std::string_view issue_severity =
      issue ? reader.string(*issue, "severity", "issue.severity", kMaxFieldBytes) : std::string_view{};
  if (!issue_severity.empty()) {
    apply_severity(reader, finding, issue_severity, "issue.severity");
  } else if (!control_severity.empty()) {
    apply_severity(reader, finding, control_severity, "control.severity");
  } else if (issue) {
    reader.fail("issue.severity", "is missing (and control.severity too)");
  }

  if (issue) read_projects(reader, finding, *issue, "issue.projects");
}

void parse_wiz_issue(const object& root, FieldReader& reader, Finding& finding) {
  finding.source = FindingSource::wiz;
  finding.id.assign(reader.required_string(root, "id", "id", kMaxFieldBytes));
  read_status(reader, finding, reader.required_string(root, "status", "status", kMaxFieldBytes), "status");
  const std::string_view severity = reader.required_string(root, "severity", "severity", kMaxFieldBytes);
  if (!severity.empty()) apply_severity(reader, finding, severity, "severity");

  if (const auto rule = reader.object_member(root, "sourceRule", "sourceRule", /*required=*/true)) {
    add_unique(finding.control_ids, reader.required_string(*rule, "id", "sourceRule.id", kMaxFieldBytes));
    finding.title.assign(reader.string(*rule, "name", "sourceRule.name", kMaxTextBytes));
  }

  if (const auto entity = reader.object_member(root, "entitySnapshot", "entitySnapshot", /*required=*/true)) {
    finding.cloud_platform.assign(reader.string(*entity, "cloudPlatform", "entitySnapshot.cloudPlatform", kMaxFieldBytes));
    finding.account.assign(
        reader.string(*entity, "subscriptionExternalId", "entitySnapshot.subscriptionExternalId", kMaxFieldBytes));
    finding.region.assign(reader.string(*entity, "region", "entitySnapshot.region", kMaxFieldBytes));
    std::string_view id = reader.string(*entity, "providerId", "entitySnapshot.providerId", kMaxFieldBytes);
    const auto external_id = reader.string(*entity, "externalId", "entitySnapshot.externalId", kMaxFieldBytes);
    if (id.empty()) id = external_id;
    const auto type = reader.string(*entity, "type", "entitySnapshot.type", kMaxFieldBytes);
    const auto native_type = reader.string(*entity, "nativeType", "entitySnapshot.nativeType", kMaxFieldBytes);
    const auto name = reader.string(*entity, "name", "entitySnapshot.name", kMaxFieldBytes);
    fill_resource(finding, id, type, native_type, name);
    read_tags(reader, *entity, "entitySnapshot.tags");
  }

  read_projects(reader, finding, root, "projects");
}

}  // namespace fixgate::intake::detail
