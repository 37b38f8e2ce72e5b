#include "audit/audit_log.h"

#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <ctime>

#include "core/text.h"

namespace fixgate::audit {
namespace {

constexpr size_t kMaxIdBytes = 1024;
constexpr size_t kMaxBodyBytes = 4u << 20;

class WallClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return std::chrono::system_clock::now(); }
};

bool valid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t extra = 0;
    uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1;
      code = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2;
      code = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    // Reject overlong forms, surrogates and values beyond U+10FFFF.
    static constexpr std::array<uint32_t, 4> kMin = {0, 0x80, 0x800, 0x10000};
    if (code < kMin[extra] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += extra + 1;
  }
  return true;
}

Result<void> check_text(std::string_view field, std::string_view value, size_t max_bytes, bool required) {
  if (required && value.empty()) {
    return make_error("audit.invalid_entry", std::string(field) + " is empty");
  }
  if (value.size() > max_bytes) {
    return make_error("audit.invalid_entry",
                      std::string(field) + " is " + std::to_string(value.size()) + " bytes; the limit is " +
                          std::to_string(max_bytes));
  }
  if (!valid_utf8(value)) {
    return make_error("audit.invalid_entry", std::string(field) + " is not valid UTF-8");
  }
  return {};
}

void append_field(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += ',';
}

const EVP_MD* sha256() {
  // Fetched once: an implicit fetch on every digest costs more than the hash.
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

}  // namespace

const Clock& system_clock() {
  static const WallClock clock;
  return clock;
}

const char* to_string(BreakKind kind) {
  switch (kind) {
    case BreakKind::hash_mismatch: return "hash_mismatch";
    case BreakKind::seq_gap: return "seq_gap";
    case BreakKind::prev_hash_mismatch: return "prev_hash_mismatch";
    case BreakKind::anchor_mismatch: return "anchor_mismatch";
  }
  return "unknown";
}

Result<void> validate_entry(const AuditEntry& entry) {
  if (entry.kind.empty() || entry.kind.size() > 64) {
    return make_error("audit.invalid_entry", "kind must be 1 to 64 characters");
  }
  for (size_t i = 0; i < entry.kind.size(); ++i) {
    const char c = entry.kind[i];
    const bool letter = c >= 'a' && c <= 'z';
    const bool other = (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!letter && (i == 0 || !other)) {
      return make_error("audit.invalid_entry",
                        "kind \"" + escape_for_display(entry.kind) +
                            "\" must start with a lower-case letter and hold only a-z, 0-9, '_', '.', '-'");
    }
  }
  if (auto r = check_text("actor", entry.actor, 256, true); !r) return r;
  if (auto r = check_text("correlation_id", entry.correlation_id, kMaxIdBytes, false); !r) return r;
  if (auto r = check_text("finding_id", entry.finding_id, kMaxIdBytes, false); !r) return r;
  if (!entry.body.is_object()) {
    return make_error("audit.invalid_entry", std::string("body must be a JSON object, not ") + entry.body.type_name());
  }
  return {};
}

Result<std::string> canonical_body(const nlohmann::json& body) {
  if (!body.is_object()) {
    return make_error("audit.invalid_entry", std::string("body must be a JSON object, not ") + body.type_name());
  }
  std::string text;
  try {
    // nlohmann::json keeps object keys in a std::map, so dump() sorts them.
    text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::exception& e) {
    return make_error("audit.invalid_entry", std::string("body cannot be serialised: ") + e.what());
  }
  if (text.size() > kMaxBodyBytes) {
    return make_error("audit.invalid_entry", "body is " + std::to_string(text.size()) + " bytes; the limit is " +
                                                 std::to_string(kMaxBodyBytes));
  }
  return text;
}

std::string record_hash(const AuditRecord& record) {
  std::string data = "fixgate.audit.v1";
  data.reserve(data.size() + record.body.size() + 256);
  append_field(data, std::to_string(record.seq));
  append_field(data, record.time);
  append_field(data, record.kind);
  append_field(data, record.correlation_id);
  append_field(data, record.finding_id);
  append_field(data, record.actor);
  append_field(data, record.body);
  append_field(data, record.prev_hash);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, sha256(), nullptr) != 1) {
    // Only possible when OpenSSL itself is broken; an empty hash never verifies.
    return std::string();
  }
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest.data()), length));
}

std::string format_time(std::chrono::system_clock::time_point time) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000 - (ms % 1000 < 0 ? 1 : 0));
  const int millis = static_cast<int>(((ms % 1000) + 1000) % 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 96> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
  return buf.data();
}

bool ChainVerifier::feed(const AuditRecord& record) {
  if (report_.first_break) return false;
  const int64_t expected = report_.records + 1;
  const std::string at = "record " + std::to_string(record.seq);
  if (record.seq != expected) {
    std::string message =
        record.seq > expected
            ? "seq gap: expected record " + std::to_string(expected) + " but the next record is " +
                  std::to_string(record.seq) + "; records " + std::to_string(expected) + ".." +
                  std::to_string(record.seq - 1) + " were deleted"
            : "seq out of order: expected record " + std::to_string(expected) + " but found " +
                  std::to_string(record.seq) + " again; records were duplicated or reordered";
    report_.first_break = ChainBreak{expected, BreakKind::seq_gap, std::move(message)};
    return false;
  }
  if (record.prev_hash != prev_hash_) {
    report_.first_break = ChainBreak{
        record.seq, BreakKind::prev_hash_mismatch,
        "prev_hash mismatch at " + at + ": it names " + escape_for_display(record.prev_hash) + " but record " +
            std::to_string(record.seq - 1) + " hashes to " + prev_hash_ +
            "; records were reordered, a record was inserted, or the record before was rewritten"};
    return false;
  }
  if (record_hash(record) != record.hash) {
    report_.first_break = ChainBreak{record.seq, BreakKind::hash_mismatch,
                                     "hash mismatch at " + at + " (" + escape_for_display(record.kind) +
                                         "): its content no longer matches its hash; it was edited after it was "
                                         "written"};
    return false;
  }
  if (options_.anchor && options_.anchor->seq == record.seq) {
    anchor_seen_ = true;
    if (options_.anchor->hash != record.hash) {
      report_.first_break = ChainBreak{record.seq, BreakKind::anchor_mismatch,
                                       "anchor mismatch at " + at + ": expected hash " +
                                           escape_for_display(options_.anchor->hash) + " but the log has " +
                                           record.hash + "; the log was rewritten from here or earlier"};
      return false;
    }
  }
  prev_hash_ = record.hash;
  report_.records = record.seq;
  report_.head_hash = record.hash;
  return true;
}

VerifyReport ChainVerifier::finish() {
  if (report_.head_hash.empty()) report_.head_hash = std::string(kGenesisHash);
  if (!report_.first_break && options_.anchor && !anchor_seen_) {
    report_.first_break = ChainBreak{
        report_.records + 1, BreakKind::anchor_mismatch,
        "the log ends at record " + std::to_string(report_.records) + " but record " +
            std::to_string(options_.anchor->seq) + " was known to exist; records were deleted from the end"};
  }
  return report_;
}

}  // namespace fixgate::audit
