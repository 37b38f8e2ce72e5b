// parse_payload: size and depth limits, format detection, SNS unwrapping, and the
// ASFF containers (batch, EventBridge) whose findings each become their own Finding.
#include "intake/intake.h"

#include <simdjson.h>

#include <cstring>
#include <memory>
#include <string>

#include "intake/field_reader.h"
#include "intake/parsers.h"

namespace fixgate::intake {
namespace {

using detail::array;
using detail::element;
using detail::FieldReader;
using detail::object;

// A growable buffer with simdjson's required padding, reused across calls so the
// steady state does not allocate for the copy.
class PaddedBuffer {
 public:
  std::string_view assign(std::string_view text) {
    const std::size_t needed = text.size() + simdjson::SIMDJSON_PADDING;
    if (needed > capacity_) {
      capacity_ = needed < 4096 ? 4096 : needed;
      data_ = std::make_unique<char[]>(capacity_);
    }
    if (!text.empty()) std::memcpy(data_.get(), text.data(), text.size());
    std::memset(data_.get() + text.size(), 0, simdjson::SIMDJSON_PADDING);
    size_ = text.size();
    return {data_.get(), size_};
  }
  simdjson::padded_string_view view() const { return simdjson::padded_string_view(data_.get(), size_, capacity_); }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t capacity_ = 0;
  std::size_t size_ = 0;
};

// Per-thread parser state: simdjson parsers are not thread-safe but are cheap to reuse.
struct ThreadParsers {
  ThreadParsers() : dom(kMaxPayloadBytes), spans(kMaxPayloadBytes) { ready(); }
  // Allocates once with our depth cap (later growth keeps it); false when out of memory,
  // in which case parsing must not proceed without the cap.
  bool ready() {
    if (!allocated) {
      allocated = dom.allocate(64 * 1024, kMaxDepth) == simdjson::SUCCESS &&
                  spans.allocate(64 * 1024, kMaxDepth) == simdjson::SUCCESS;
    }
    return allocated;
  }
  simdjson::dom::parser dom;
  simdjson::ondemand::parser spans;
  bool allocated = false;
  PaddedBuffer outer;
  PaddedBuffer inner;
};

ThreadParsers& thread_parsers() {
  thread_local ThreadParsers parsers;
  return parsers;
}

Finding& add_finding(std::vector<Finding>& out, std::string_view raw) {
  Finding& finding = out.emplace_back();
  finding.raw.assign(raw);
  return finding;
}

void add_malformed(std::vector<Finding>& out, std::string_view raw, FindingSource source, std::string field,
                   std::string reason) {
  Finding& finding = add_finding(out, raw);
  finding.source = source;
  finding.malformed = Malformation{std::move(field), std::move(reason)};
}

std::string describe_parse_error(simdjson::error_code error) {
  switch (error) {
    case simdjson::UTF8_ERROR: return "is not valid UTF-8";
    case simdjson::DEPTH_ERROR:
      return "nests JSON deeper than " + std::to_string(kMaxDepth) + " levels";
    case simdjson::EMPTY: return "is empty";
    case simdjson::CAPACITY: return "is larger than " + std::to_string(kMaxPayloadBytes) + " bytes";
    default: return std::string("is not valid JSON: ") + simdjson::error_message(error);
  }
}

bool has_key(const object& obj, std::string_view key) {
  element ignored;
  return obj.at_key(key).get(ignored) == simdjson::SUCCESS;
}

std::string_view string_member(const object& obj, std::string_view key) {
  std::string_view text;
  if (obj.at_key(key).get_string().get(text) != simdjson::SUCCESS) return {};
  return text;
}

// The exact text of each element of the array at `path` in `json`, via simdjson's
// On-Demand API (the DOM keeps no source positions). Empty on any error; the caller
// then falls back to the element's minified text.
std::vector<std::string_view> element_spans(simdjson::ondemand::parser& parser, simdjson::padded_string_view json,
                                            std::initializer_list<std::string_view> path, std::size_t expected) {
  std::vector<std::string_view> spans;
  spans.reserve(expected);
  simdjson::ondemand::document doc;
  if (parser.iterate(json).get(doc) != simdjson::SUCCESS) return {};
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return {};
  simdjson::ondemand::value value;
  for (auto it = path.begin(); it != path.end(); ++it) {
    if (obj.find_field_unordered(*it).get(value) != simdjson::SUCCESS) return {};
    if (it + 1 != path.end() && value.get_object().get(obj) != simdjson::SUCCESS) return {};
  }
  simdjson::ondemand::array elements;
  if (value.get_array().get(elements) != simdjson::SUCCESS) return {};
  for (auto item : elements) {
    simdjson::ondemand::value element_value;
    std::string_view text;
    if (item.get(element_value) != simdjson::SUCCESS ||
        simdjson::to_json_string(element_value).get(text) != simdjson::SUCCESS) {
      return {};
    }
    spans.push_back(text);
  }
  if (spans.size() != expected) return {};
  return spans;
}

class Intake {
 public:
  Intake(ThreadParsers& parsers, std::vector<Finding>& out) : parsers_(parsers), out_(out) {}

  void parse(std::string_view payload) {
    if (payload.empty()) return add_malformed(out_, payload, FindingSource::unknown, "payload", "is empty");
    if (payload.size() > kMaxPayloadBytes) {
      return add_malformed(out_, payload, FindingSource::unknown, "payload",
                           "is " + std::to_string(payload.size()) + " bytes; the limit is " +
                               std::to_string(kMaxPayloadBytes));
    }
    if (!parsers_.ready()) {
      return add_malformed(out_, payload, FindingSource::unknown, "payload", "could not be parsed: out of memory");
    }
    const std::string_view text = parsers_.outer.assign(payload);
    parse_document(text, parsers_.outer.view(), payload, /*inside_sns=*/false);
  }

 private:
  // `envelope` (the whole payload, or the SNS envelope around it) is every finding's
  // raw, except that container elements outside SNS get their own text.
  void parse_document(std::string_view text, simdjson::padded_string_view padded, std::string_view envelope,
                      bool inside_sns) {
    const char* where = inside_sns ? "Message" : "payload";
    element root;
    const auto error = parsers_.dom.parse(text.data(), text.size(), /*realloc_if_needed=*/false).get(root);
    if (error != simdjson::SUCCESS) {
      return add_malformed(out_, envelope, FindingSource::unknown, where,
                           std::string(inside_sns ? "(the SNS message) " : "") + describe_parse_error(error));
    }
    object obj;
    if (root.get_object().get(obj) != simdjson::SUCCESS) {
      return add_malformed(out_, envelope, FindingSource::unknown, where,
                           std::string("must be a JSON object, not ") + detail::json_type_name(root));
    }

    const std::string_view type = string_member(obj, "Type");
    if (!type.empty() && has_key(obj, "TopicArn")) return parse_sns(obj, type, envelope, inside_sns);
    if (type == "Notification" && has_key(obj, "Message")) return parse_sns(obj, type, envelope, inside_sns);
    if (has_key(obj, "detail-type")) return parse_eventbridge(obj, padded, envelope, inside_sns);
    if (has_key(obj, "Findings")) {
      return parse_container(obj, "Findings", {"Findings"}, "Findings", padded, envelope, inside_sns);
    }
    if (has_key(obj, "SchemaVersion") || has_key(obj, "ProductArn") || has_key(obj, "GeneratorId")) {
      return single(envelope, [&](FieldReader& reader, Finding& finding) {
        detail::parse_asff_finding(root, reader, finding);
      });
    }
    if (has_key(obj, "issue") || has_key(obj, "control") || has_key(obj, "trigger")) {
      return single(envelope, [&](FieldReader& reader, Finding& finding) {
        detail::parse_wiz_webhook(obj, reader, finding);
      });
    }
    if (has_key(obj, "sourceRule") || has_key(obj, "entitySnapshot")) {
      return single(envelope, [&](FieldReader& reader, Finding& finding) {
        detail::parse_wiz_issue(obj, reader, finding);
      });
    }
    add_malformed(out_, envelope, FindingSource::unknown, where,
                  "is not a recognised finding: expected a Wiz issue, an ASFF finding or batch, a Security Hub "
                  "EventBridge event or an SNS notification");
  }

  template <typename Fill>
  void single(std::string_view raw, Fill&& fill) {
    Finding& finding = add_finding(out_, raw);
    FieldReader reader(finding, std::string());
    fill(reader, finding);
  }

  // SNS "Notification": the Message is itself a payload. The envelope stays the raw.
  void parse_sns(const object& obj, std::string_view type, std::string_view envelope, bool inside_sns) {
    if (type != "Notification") {
      return add_malformed(out_, envelope, FindingSource::unknown, "Type",
                           "SNS message of type " + detail::quote_for_reason(type) +
                               " carries no finding (only Notification does)");
    }
    if (inside_sns) {
      return add_malformed(out_, envelope, FindingSource::unknown, "Message",
                           "is an SNS envelope inside an SNS envelope");
    }
    element message_value;
    if (obj.at_key("Message").get(message_value) != simdjson::SUCCESS) {
      return add_malformed(out_, envelope, FindingSource::unknown, "Message", "is missing");
    }
    std::string_view message;
    if (message_value.get_string().get(message) != simdjson::SUCCESS) {
      return add_malformed(out_, envelope, FindingSource::unknown, "Message",
                           std::string("must be a string holding JSON, not ") + detail::json_type_name(message_value));
    }
    if (message.empty()) return add_malformed(out_, envelope, FindingSource::unknown, "Message", "is empty");
    // The message lives in the DOM parser's buffer, which the next parse reuses: copy it.
    const std::string_view text = parsers_.inner.assign(message);
    parse_document(text, parsers_.inner.view(), envelope, /*inside_sns=*/true);
  }

  // Security Hub EventBridge events: detail.findings[] (Imported and Custom Action).
  void parse_eventbridge(const object& obj, simdjson::padded_string_view padded, std::string_view envelope,
                         bool inside_sns) {
    const std::string_view detail_type = string_member(obj, "detail-type");
    if (detail_type != "Security Hub Findings - Imported" && detail_type != "Security Hub Findings - Custom Action") {
      return add_malformed(out_, envelope, FindingSource::asff, "detail-type",
                           "EventBridge event " + detail::quote_for_reason(detail_type) +
                               " is not a Security Hub findings event");
    }
    element detail_value;
    object detail;
    if (obj.at_key("detail").get(detail_value) != simdjson::SUCCESS ||
        detail_value.get_object().get(detail) != simdjson::SUCCESS) {
      return add_malformed(out_, envelope, FindingSource::asff, "detail", "must be an object holding findings");
    }
    parse_container(detail, "findings", {"detail", "findings"}, "detail.findings", padded, envelope, inside_sns);
  }

  // An array of ASFF findings at `key` of `obj` (reached by `path` from the root).
  void parse_container(const object& obj, std::string_view key, std::initializer_list<std::string_view> path,
                       std::string_view field, simdjson::padded_string_view padded, std::string_view envelope,
                       bool inside_sns) {
    element list_value;
    array list;
    if (obj.at_key(key).get(list_value) != simdjson::SUCCESS || list_value.get_array().get(list) != simdjson::SUCCESS) {
      return add_malformed(out_, envelope, FindingSource::asff, std::string(field), "must be an array of findings");
    }
    const std::size_t count = list.size();
    if (count == 0) return add_malformed(out_, envelope, FindingSource::asff, std::string(field), "is empty");
    if (count > kMaxFindingsPerPayload) {
      return add_malformed(out_, envelope, FindingSource::asff, std::string(field),
                           "holds " + std::to_string(count) + " findings; the limit is " +
                               std::to_string(kMaxFindingsPerPayload));
    }
    // Inside SNS every finding keeps the whole envelope; otherwise each its own text.
    std::vector<std::string_view> spans;
    if (!inside_sns) spans = element_spans(parsers_.spans, padded, path, count);
    out_.reserve(out_.size() + count);
    std::size_t index = 0;
    for (const element item : list) {
      Finding& finding = out_.emplace_back();
      if (inside_sns) {
        finding.raw.assign(envelope);
      } else if (!spans.empty()) {
        finding.raw.assign(spans[index]);
      } else {
        finding.raw = simdjson::minify(item);
      }
      FieldReader reader(finding, std::string(field) + "[" + std::to_string(index) + "].");
      detail::parse_asff_finding(item, reader, finding);
      ++index;
    }
  }

  ThreadParsers& parsers_;
  std::vector<Finding>& out_;
};

}  // namespace

std::vector<Finding> parse_payload(std::string_view payload) {
  std::vector<Finding> out;
  try {
    out.reserve(1);
    Intake(thread_parsers(), out).parse(payload);
  } catch (const std::exception& error) {
    // Only allocation can throw here; still hand back a Finding rather than nothing.
    out.clear();
    add_malformed(out, payload, FindingSource::unknown, "payload",
                  std::string("could not be parsed: ") + error.what());
  }
  return out;
}

}  // namespace fixgate::intake
