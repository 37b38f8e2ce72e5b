// A small owned XML tree for AWS responses (parsed with pugixml, which stays an
// implementation detail). Element names are stored without namespace prefixes;
// text is the concatenated character data of the element itself.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace fixgate::aws {

struct XmlNode {
  std::string name;
  std::string text;
  std::vector<XmlNode> children;
  std::vector<std::pair<std::string, std::string>> attributes;  // names without prefix

  // Attribute value by (unprefixed) name, or "".
  std::string attribute(std::string_view attribute_name) const;

  // First child element with this name, or nullptr.
  const XmlNode* child(std::string_view child_name) const;
  // Every child element with this name, in document order.
  std::vector<const XmlNode*> children_named(std::string_view child_name) const;
  // Follows a '/'-separated path of child names ("AssumeRoleResult/Credentials");
  // nullptr when any step is missing.
  const XmlNode* find(std::string_view path) const;
  // Text at a path, or "" when the path is missing.
  std::string text_at(std::string_view path) const;
};

// Parses a document and returns its root element. Fails with aws.xml.malformed
// (naming the byte offset) for ill-formed input, and aws.xml.too_deep beyond 128
// levels of nesting, so hostile bodies cannot exhaust the stack.
Result<XmlNode> parse_xml(std::string_view body);

// Escapes &, <, >, " and ' for element text and attribute values.
std::string xml_escape(std::string_view text);

}  // namespace fixgate::aws
