// The per-format readers behind parse_payload. Internal to intake.
//
// Each fills `finding` from one document (already parsed, already known to be that
// format) through `reader`, which records the first malformation and lets the rest of
// the fields still be read. They never throw and never allocate per lookup.
#pragma once

#include "core/finding.h"
#include "intake/field_reader.h"

namespace fixgate::intake::detail {

// Wiz automation-rule / webhook payload: {trigger, issue, resource, control}.
void parse_wiz_webhook(const object& root, FieldReader& reader, Finding& finding);

// Wiz GraphQL Issue object: {id, status, severity, sourceRule, entitySnapshot, projects}.
void parse_wiz_issue(const object& root, FieldReader& reader, Finding& finding);

// One ASFF finding (any JSON value: a non-object is malformed naming the element).
void parse_asff_finding(const element& value, FieldReader& reader, Finding& finding);

// Wiz status: OPEN and IN_PROGRESS are open, RESOLVED and REJECTED are not
// (case-insensitive). nullopt for anything else.
std::optional<bool> wiz_status_is_open(std::string_view status);

}  // namespace fixgate::intake::detail
