// decide(): evaluates every check in precedence order, records each one, and
// takes the outcome of the first that blocks remediation.
#include <algorithm>

#include "core/text.h"
#include "decision/decision.h"

namespace fixgate {

namespace {

std::string shown(std::string_view text) { return "\"" + escape_for_display(text) + "\""; }

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + escape_for_display(item);
  return out.empty() ? "(none)" : out;
}

bool contains_ci(const std::vector<std::string>& list, std::string_view value) {
  return std::any_of(list.begin(), list.end(), [&](const std::string& item) { return iequals(item, value); });
}

Outcome outcome_for(EnvironmentPolicy policy) {
  switch (policy) {
    case EnvironmentPolicy::auto_remediate: return Outcome::remediate;
    case EnvironmentPolicy::approval: return Outcome::approval_required;
    case EnvironmentPolicy::dry_run: return Outcome::dry_run;
    case EnvironmentPolicy::notify: break;
  }
  return Outcome::notify;
}

class Evaluation {
 public:
  Evaluation(const Finding& f, const Enrichment& e, const Config& c) : f_(f), e_(e), c_(c) {}

  Decision run() {
    d_.finding_id = f_.id;
    d_.source = to_string(f_.source);
    d_.correlation_id = correlation_id_for(f_);
    d_.resource = f_.resource_key();
    d_.resource_type = f_.resource_type;
    d_.account = f_.account;
    d_.control_ids = f_.control_ids;
    d_.severity = f_.severity;
    d_.evaluated_at = e_.now;

    payload();
    open();
    exceptions();
    const CatalogEntry* entry = catalog();
    severity(entry);
    owner();
    environment(entry);
    account();
    mode();

    if (blockers_.empty()) {
      d_.outcome = Outcome::remediate;
      d_.reasons.push_back({"eligible", "every check passed; " + d_.action + " may be applied"});
    } else {
      d_.outcome = blockers_.front().first;
      for (auto& [outcome, reason] : blockers_) d_.reasons.push_back(std::move(reason));
    }
    return std::move(d_);
  }

 private:
  void check(std::string name, bool passed, std::string detail) {
    d_.checks.push_back(Check{std::move(name), passed, std::move(detail)});
  }
  void block(Outcome outcome, std::string code, std::string detail) {
    blockers_.emplace_back(outcome, Reason{std::move(code), std::move(detail)});
  }

  void payload() {
    std::string detail = "the payload was parsed into a complete finding";
    bool ok = true;
    if (f_.malformed) {
      ok = false;
      detail = "field " + shown(f_.malformed->field) + ": " + escape_for_display(f_.malformed->reason);
    } else if (f_.id.empty()) {
      ok = false;
      detail = "the finding has no id";
    }
    check("payload_well_formed", ok, detail);
    if (!ok) block(Outcome::reject, "malformed_payload", detail);
  }

  void open() {
    const std::string detail = "status " + shown(f_.status) + (f_.open ? " is open" : " is not open");
    check("finding_open", f_.open, detail);
    if (!f_.open) block(Outcome::skip, "not_open", detail);
  }

  void exceptions() {
    const Tag* suppressed = nullptr;
    std::string suppression_key;
    for (const auto& key : c_.exceptions.suppression_tags) {
      if ((suppressed = f_.find_tag(key)) != nullptr) {
        suppression_key = key;
        break;
      }
    }
    if (suppressed != nullptr) {
      const std::string detail = "suppression tag " + shown(suppressed->key) + " is present (value " +
                                 shown(suppressed->value) + ")";
      check("no_suppression_tag", false, detail);
      block(Outcome::skip, "exception_tag", detail);
      d_.exception = suppression_key;
      d_.exception_type = "suppression_tag";
    } else {
      check("no_suppression_tag", true, "none of the suppression tags (" + joined(c_.exceptions.suppression_tags) +
                                            ") is present");
    }

    const Waiver* honoured = nullptr;
    auto consider = [&](const Waiver& waiver, const char* origin) {
      if (!waiver_matches(waiver, f_)) return;
      const std::string expiry = waiver.expires ? format_date(*waiver.expires) : "never";
      const bool in_force = waiver_in_force(waiver, e_.now);
      std::string detail = std::string(origin) + " waiver " + shown(waiver.id) + " covers this finding; status " +
                           to_string(waiver.status) + ", expires " + expiry;
      if (in_force) {
        detail += "; honoured";
      } else if (waiver.status != WaiverStatus::approved) {
        detail += "; not approved, so not honoured";
      } else {
        detail += "; waiver " + escape_for_display(waiver.id) + " expired " + expiry + ", so not honoured";
      }
      check("waiver_valid:" + waiver.id, in_force, detail);
      if (in_force && honoured == nullptr) honoured = &waiver;
    };
    for (const auto& waiver : c_.exceptions.waivers) consider(waiver, "configured");
    for (const auto& waiver : e_.waivers) consider(waiver, "stored");

    if (honoured != nullptr) {
      std::string detail = "waiver " + shown(honoured->id) + " is approved" +
                           (honoured->expires ? " until " + format_date(*honoured->expires) : std::string()) +
                           (honoured->reason.empty() ? "" : ": " + escape_for_display(honoured->reason));
      check("no_active_waiver", false, detail);
      block(Outcome::skip, "exception_waiver", detail);
      if (d_.exception.empty()) {
        d_.exception = honoured->id;
        d_.exception_type = "waiver";
      }
    } else {
      check("no_active_waiver", true, "no approved, unexpired waiver covers this finding");
    }
  }

  const CatalogEntry* catalog() {
    std::vector<const CatalogEntry*> by_control;
    for (const auto& entry : c_.catalog) {
      const bool listed = std::any_of(f_.control_ids.begin(), f_.control_ids.end(),
                                      [&](const std::string& id) { return contains_ci(entry.controls, id); });
      if (listed) by_control.push_back(&entry);
    }
    const std::string controls = "control ids [" + joined(f_.control_ids) + "]";
    if (by_control.empty()) {
      const std::string detail = "no catalog entry lists any of the " + controls;
      check("control_supported", false, detail);
      check("resource_type_supported", false, "not evaluated: no catalog entry for the controls");
      check("action_allowed", false, "not evaluated: no catalog entry for the controls");
      block(Outcome::reject, "unsupported_control", detail);
      return nullptr;
    }
    std::vector<std::string> ids;
    for (const auto* entry : by_control) ids.push_back(entry->id);
    check("control_supported", true, "catalog entries [" + joined(ids) + "] list the " + controls);

    const CatalogEntry* matched = nullptr;
    for (const auto* entry : by_control) {
      if (!f_.resource_type.empty() && contains_ci(entry->resource_types, f_.resource_type)) {
        matched = entry;
        break;
      }
    }
    if (matched == nullptr) {
      std::vector<std::string> types;
      for (const auto* entry : by_control) types.insert(types.end(), entry->resource_types.begin(), entry->resource_types.end());
      const std::string detail = "resource type " + shown(f_.resource_type.empty() ? f_.native_resource_type : f_.resource_type) +
                                 " is not among [" + joined(types) + "]";
      check("resource_type_supported", false, detail);
      check("action_allowed", false, "not evaluated: no catalog entry for the resource type");
      block(Outcome::reject, "unsupported_resource_type", detail);
      return nullptr;
    }
    check("resource_type_supported", true,
          "catalog entry " + shown(matched->id) + " covers " + escape_for_display(f_.resource_type));
    d_.catalog_entry = matched->id;
    d_.action = matched->action;
    d_.params = matched->params;

    const bool allowed = c_.action_allowed(matched->action);
    const std::string detail = "action " + shown(matched->action) +
                               (allowed ? " is in allowed_actions" : " is not in allowed_actions");
    check("action_allowed", allowed, detail);
    if (!allowed) block(Outcome::reject, "action_not_allowed", detail);
    return matched;
  }

  void severity(const CatalogEntry* entry) {
    if (entry == nullptr) {
      check("severity_threshold", false, "not evaluated: no catalog entry matched");
      return;
    }
    const bool enough = f_.severity >= entry->min_severity && f_.severity != Severity::unknown;
    const std::string detail = std::string("severity ") + to_string(f_.severity) + (enough ? " meets" : " is below") +
                               " the entry's minimum " + to_string(entry->min_severity);
    check("severity_threshold", enough, detail);
    if (!enough) block(Outcome::notify, "severity_below_threshold", detail);
  }

  void owner() {
    d_.owner_candidates = e_.owners;
    const bool ranked = std::any_of(e_.owners.begin(), e_.owners.end(), [](const OwnerCandidate& c) {
      return c.rank > 0 && c.routable && !trim(c.owner).empty();
    });
    const OwnerCandidate* best = nullptr;
    for (const auto& candidate : e_.owners) {
      if (trim(candidate.owner).empty() || !candidate.routable || (ranked && candidate.rank <= 0)) continue;
      if (best == nullptr || (ranked ? candidate.rank < best->rank : candidate.confidence > best->confidence)) {
        best = &candidate;
      }
    }
    if (best == nullptr) {
      const size_t unroutable = static_cast<size_t>(std::count_if(
          e_.owners.begin(), e_.owners.end(), [](const OwnerCandidate& c) { return !c.routable; }));
      const std::string detail = "no owner found (ownership tags: " + joined(c_.ownership_tags) + ")" +
                                 (unroutable > 0 ? "; " + std::to_string(unroutable) +
                                                       " candidate(s) name an AWS service, never an owner"
                                                 : std::string());
      check("owner_found", false, detail);
      block(Outcome::notify, "owner_missing", detail);
      return;
    }
    d_.owner = best->owner;
    d_.owner_source = best->source;
    char confidence[16];
    std::snprintf(confidence, sizeof confidence, "%.2f", best->confidence);
    check("owner_found", true,
          "owner " + shown(best->owner) + " from " + escape_for_display(best->source) + " (confidence " + confidence + ")");
  }

  void environment(const CatalogEntry* entry) {
    const auto& envs = c_.environments;
    std::string raw;
    d_.environment_source = "none";
    for (const auto& key : envs.from_tags) {
      const Tag* tag = f_.find_tag(key);
      if (tag != nullptr && !trim(tag->value).empty()) {
        raw = trim(tag->value);
        d_.environment_source = "tag:" + key;
        break;
      }
    }
    if (raw.empty()) {
      const auto it = envs.accounts.find(f_.account);
      if (it != envs.accounts.end()) {
        raw = it->second;
        d_.environment_source = "account_table";
      }
    }
    const std::string unknown_outcome = std::string(" (environments.unknown: ") + to_string(envs.unknown) + ")";
    if (raw.empty()) {
      const std::string detail = "no environment tag (" + joined(envs.from_tags) + ") and account " +
                                 shown(f_.account) + " is not in the account table" + unknown_outcome;
      check("environment_known", false, detail);
      check("environment_policy", false, "not evaluated: environment unknown");
      block(outcome_for(envs.unknown), "environment_unknown", detail);
      return;
    }
    const std::string folded = envs.fold(raw);
    std::string name;
    const EnvironmentPolicy* table_policy = envs.find_policy(folded, &name);
    if (table_policy == nullptr) {
      d_.environment = folded;
      const std::string detail = "environment " + shown(folded) + " from " + escape_for_display(d_.environment_source) +
                                 " has no entry in environments.policy" + unknown_outcome;
      check("environment_known", false, detail);
      check("environment_policy", false, "not evaluated: environment unknown");
      block(outcome_for(envs.unknown), "environment_unknown", detail);
      return;
    }
    d_.environment = name;
    check("environment_known", true,
          "environment " + shown(name) + " from " + escape_for_display(d_.environment_source) +
              (folded != raw ? " (value " + shown(raw) + ")" : std::string()));

    EnvironmentPolicy effective = *table_policy;
    std::string why = std::string("environments.policy says ") + to_string(*table_policy);
    if (entry != nullptr) {
      const auto it = entry->environments.find(name);
      if (it != entry->environments.end()) {
        effective = it->second;
        why = "catalog entry " + shown(entry->id) + " overrides it to " + to_string(effective) + " (policy table: " +
              to_string(*table_policy) + ")";
      }
    }
    const std::string detail = "environment " + shown(name) + ": " + why;
    check("environment_policy", effective == EnvironmentPolicy::auto_remediate, detail);
    switch (effective) {
      case EnvironmentPolicy::auto_remediate: break;
      case EnvironmentPolicy::approval: block(Outcome::approval_required, "environment_requires_approval", detail); break;
      case EnvironmentPolicy::dry_run: block(Outcome::dry_run, "environment_dry_run", detail); break;
      case EnvironmentPolicy::notify: block(Outcome::notify, "environment_notify", detail); break;
    }
  }

  void account() {
    const bool configured = c_.account_configured(f_.account);
    std::string detail;
    if (configured) {
      detail = "account " + shown(f_.account) +
               (c_.accounts.by_id.count(f_.account) > 0 ? " is listed under accounts" : " is covered by accounts.default");
    } else {
      detail = "account " + shown(f_.account) + " is not listed under accounts and there is no default";
    }
    check("account_configured", configured, detail);
    if (!configured) block(Outcome::notify, "account_not_configured", detail);
  }

  void mode() {
    if (e_.kill_switch) {
      const std::string detail = "the kill switch is engaged: every remediation is a dry run";
      check("mode_enforce", false, detail);
      block(Outcome::dry_run, "mode_dry_run", detail);
    } else if (c_.mode == Mode::dry_run) {
      const std::string detail = "mode is dry_run: remediations are planned and recorded, never applied";
      check("mode_enforce", false, detail);
      block(Outcome::dry_run, "mode_dry_run", detail);
    } else {
      check("mode_enforce", true, "mode is enforce and the kill switch is off");
    }
  }

  const Finding& f_;
  const Enrichment& e_;
  const Config& c_;
  Decision d_;
  std::vector<std::pair<Outcome, Reason>> blockers_;
};

}  // namespace

Decision decide(const Finding& finding, const Enrichment& enrichment, const Config& config) {
  return Evaluation(finding, enrichment, config).run();
}

}  // namespace fixgate
