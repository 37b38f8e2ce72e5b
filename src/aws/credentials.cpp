#include "aws/credentials.h"

#include <cctype>
#include <ctime>
#include <sstream>

#include "core/text.h"

namespace fixgate::aws {

std::string Credentials::to_string() const {
  std::string out = "Credentials{";
  out += access_key_id.empty() ? std::string("<none>") : escape_for_display(access_key_id);
  out += ", secret=<redacted>";
  if (!session_token.empty()) out += ", token=<redacted>";
  if (!source.empty()) out += ", source=" + escape_for_display(source);
  if (expiration) out += ", expires=" + format_iso8601(*expiration);
  out += "}";
  return out;
}

std::ostream& operator<<(std::ostream& out, const Credentials& credentials) {
  return out << credentials.to_string();
}

RefreshingCredentialsProvider::RefreshingCredentialsProvider(std::shared_ptr<CredentialsProvider> inner,
                                                             std::shared_ptr<Clock> clock,
                                                             std::chrono::seconds refresh_before)
    : inner_(std::move(inner)), clock_(std::move(clock)), refresh_before_(refresh_before) {}

AwsOutcome<Credentials> RefreshingCredentialsProvider::get() {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = clock_->now();
  if (cached_ && (!cached_->expiration || now < *cached_->expiration - refresh_before_)) return *cached_;
  auto fresh = inner_->get();
  if (fresh.ok()) {
    cached_ = fresh.value();
    return fresh;
  }
  if (cached_ && cached_->expiration && now < *cached_->expiration) return *cached_;
  return fresh;
}

void RefreshingCredentialsProvider::invalidate() {
  std::lock_guard<std::mutex> lock(mutex_);
  cached_.reset();
  inner_->invalidate();
}

AwsError credentials_not_found(std::string why) {
  AwsError error;
  error.kind = ErrorKind::other;
  error.code = "CredentialsNotFound";
  error.message = std::move(why);
  error.operation = "credentials";
  return error;
}

bool is_credentials_not_found(const AwsError& error) { return error.code == "CredentialsNotFound"; }

std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text) {
  const std::string s = trim(text);
  if (s.size() < 19) return std::nullopt;
  for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u, 11u, 12u, 14u, 15u, 17u, 18u}) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
  }
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = std::stoi(s.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(s.substr(5, 2)) - 1;
  tm.tm_mday = std::stoi(s.substr(8, 2));
  tm.tm_hour = std::stoi(s.substr(11, 2));
  tm.tm_min = std::stoi(s.substr(14, 2));
  tm.tm_sec = std::stoi(s.substr(17, 2));
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60 ||
      tm.tm_year < 70 || tm.tm_year > 300) {  // beyond 2200 overflows system_clock
    return std::nullopt;
  }
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
  }
  long offset_seconds = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && s[pos + 3] == ':') {
    const int sign = s[pos] == '+' ? 1 : -1;
    if (!std::isdigit(static_cast<unsigned char>(s[pos + 1])) || !std::isdigit(static_cast<unsigned char>(s[pos + 2])) ||
        !std::isdigit(static_cast<unsigned char>(s[pos + 4])) || !std::isdigit(static_cast<unsigned char>(s[pos + 5]))) {
      return std::nullopt;
    }
    offset_seconds = sign * (std::stol(s.substr(pos + 1, 2)) * 3600 + std::stol(s.substr(pos + 4, 2)) * 60);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm) - offset_seconds);
}

std::string format_iso8601(std::chrono::system_clock::time_point time) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace fixgate::aws
