#include "aws/xml.h"

#include <pugixml.hpp>

namespace fixgate::aws {
namespace {

constexpr int kMaxDepth = 128;

std::string_view local_name(std::string_view name) {
  const size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

bool convert(const pugi::xml_node& in, XmlNode& out, int depth) {
  if (depth > kMaxDepth) return false;
  out.name = std::string(local_name(in.name()));
  for (const pugi::xml_attribute& a : in.attributes()) {
    out.attributes.emplace_back(std::string(local_name(a.name())), a.value());
  }
  for (const pugi::xml_node& c : in.children()) {
    const auto type = c.type();
    if (type == pugi::node_pcdata || type == pugi::node_cdata) {
      out.text += c.value();
    } else if (type == pugi::node_element) {
      out.children.emplace_back();
      if (!convert(c, out.children.back(), depth + 1)) return false;
    }
  }
  return true;
}

}  // namespace

std::string XmlNode::attribute(std::string_view attribute_name) const {
  for (const auto& [name, value] : attributes) {
    if (name == attribute_name) return value;
  }
  return {};
}

const XmlNode* XmlNode::child(std::string_view child_name) const {
  for (const auto& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

std::vector<const XmlNode*> XmlNode::children_named(std::string_view child_name) const {
  std::vector<const XmlNode*> out;
  for (const auto& c : children) {
    if (c.name == child_name) out.push_back(&c);
  }
  return out;
}

const XmlNode* XmlNode::find(std::string_view path) const {
  const XmlNode* node = this;
  while (!path.empty() && node != nullptr) {
    const size_t slash = path.find('/');
    node = node->child(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  }
  return node;
}

std::string XmlNode::text_at(std::string_view path) const {
  const XmlNode* node = find(path);
  return node == nullptr ? std::string() : node->text;
}

Result<XmlNode> parse_xml(std::string_view body) {
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed =
      doc.load_buffer(body.data(), body.size(), pugi::parse_default,
                      pugi::encoding_utf8);
  if (!parsed) {
    return make_error("aws.xml.malformed", std::string("XML response is not well-formed at byte ") +
                                               std::to_string(parsed.offset) + ": " + parsed.description());
  }
  const pugi::xml_node root = doc.document_element();
  if (!root) return make_error("aws.xml.malformed", "XML response has no root element");
  XmlNode out;
  if (!convert(root, out, 0)) {
    return make_error("aws.xml.too_deep", "XML response nests deeper than 128 elements");
  }
  return out;
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace fixgate::aws
