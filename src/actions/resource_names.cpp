#include "actions/resource_names.h"

#include <cctype>
#include <ctime>

#include "core/text.h"

namespace fixgate::actions {

namespace {

Result<std::string> checked(std::string value, std::string_view what) {
  if (value.empty()) return make_error("actions.bad_resource", std::string(what) + " is empty");
  if (value.size() > 1024) return make_error("actions.bad_resource", std::string(what) + " is longer than 1024 characters");
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) {
      return make_error("actions.bad_resource", std::string(what) + " contains a control character: " + escape_for_display(value));
    }
  }
  return value;
}

std::string_view arn_resource(std::string_view arn) {
  // arn:partition:service:region:account:resource
  size_t pos = 0;
  for (int i = 0; i < 5; ++i) {
    pos = arn.find(':', pos);
    if (pos == std::string_view::npos) return {};
    ++pos;
  }
  return arn.substr(pos);
}

}  // namespace

Result<std::string> s3_bucket_name(const Finding& finding) {
  if (starts_with(finding.resource_arn, "arn:")) {
    std::string_view rest = arn_resource(finding.resource_arn);
    const size_t slash = rest.find('/');
    if (slash != std::string_view::npos) rest = rest.substr(0, slash);
    return checked(std::string(rest), "bucket name in resource ARN " + escape_for_display(finding.resource_arn));
  }
  if (!finding.resource_id.empty() && !starts_with(finding.resource_id, "arn:")) {
    return checked(finding.resource_id, "resource id");
  }
  return checked(finding.resource_name, "resource name (no ARN or id given)");
}

Result<std::string> resource_identifier(const Finding& finding, std::string_view marker) {
  const std::string& arn = starts_with(finding.resource_arn, "arn:") ? finding.resource_arn
                           : starts_with(finding.resource_id, "arn:") ? finding.resource_id
                                                                      : finding.resource_arn;
  if (starts_with(arn, "arn:")) {
    std::string_view rest = arn_resource(arn);
    if (!starts_with(rest, marker)) {
      return make_error("actions.bad_resource",
                        "resource ARN " + escape_for_display(arn) + " does not name a '" + std::string(marker) + "' resource");
    }
    rest.remove_prefix(marker.size());
    const size_t slash = rest.rfind('/');
    if (slash != std::string_view::npos) rest = rest.substr(slash + 1);
    return checked(std::string(rest), "identifier in resource ARN " + escape_for_display(arn));
  }
  if (!finding.resource_id.empty()) return checked(finding.resource_id, "resource id");
  return checked(finding.resource_name, "resource name (no ARN or id given)");
}

std::string finding_account(const Finding& finding) {
  if (!finding.account.empty()) return finding.account;
  const std::vector<std::string> parts = split(finding.resource_arn, ':');
  return parts.size() > 4 ? parts[4] : "";
}

std::optional<std::chrono::system_clock::time_point> parse_aws_time(std::string_view text) {
  if (text.size() < 19) return std::nullopt;
  auto digits = [&](size_t at, size_t n) -> std::optional<int> {
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  const auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2), mi = digits(14, 2),
             s = digits(17, 2);
  if (!y || !mo || !d || !h || !mi || !s || text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != ' ') ||
      text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  size_t i = 19;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  }
  const std::string_view zone = text.substr(i);
  if (zone != "Z" && zone != "+00:00" && zone != "") return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(*y), std::chrono::month(*mo), std::chrono::day(*d)};
  if (!ymd.ok() || *h > 23 || *mi > 59 || *s > 60) return std::nullopt;
  return std::chrono::sys_days(ymd) + std::chrono::hours(*h) + std::chrono::minutes(*mi) + std::chrono::seconds(*s);
}

std::string format_aws_time(std::chrono::system_clock::time_point time) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace fixgate::actions
