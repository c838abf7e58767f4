#include "html_select.h"

#include <gumbo.h>

#include <memory>
#include <vector>

#include "shopwatch/core/text.h"

namespace shopwatch::probes::detail {
namespace {

const char* attributeOf(const GumboElement& e, const std::string& name) {
  const GumboAttribute* a = gumbo_get_attribute(&e.attributes, name.c_str());
  return a ? a->value : nullptr;
}

bool hasClass(const char* list, const std::string& cls) {
  std::string_view rest(list);
  while (!rest.empty()) {
    const auto start = rest.find_first_not_of(" \t\n\r\f");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const auto end = rest.find_first_of(" \t\n\r\f");
    if (rest.substr(0, end) == cls) return true;
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end);
  }
  return false;
}

bool matches(const GumboNode* node, const core::CssCompound& c) {
  if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) return false;
  const GumboElement& e = node->v.element;
  if (!c.tag.empty()) {
    std::string tag;
    if (e.tag == GUMBO_TAG_UNKNOWN) {
      GumboStringPiece piece = e.original_tag;
      gumbo_tag_from_original_text(&piece);
      tag = core::asciiLower(std::string_view(piece.data, piece.length));
    } else {
      tag = gumbo_normalized_tagname(e.tag);
    }
    if (tag != c.tag) return false;
  }
  if (!c.id.empty()) {
    const char* id = attributeOf(e, "id");
    if (!id || c.id != id) return false;
  }
  if (!c.classes.empty()) {
    const char* list = attributeOf(e, "class");
    if (!list) return false;
    for (const auto& cls : c.classes) {
      if (!hasClass(list, cls)) return false;
    }
  }
  for (const auto& a : c.attributes) {
    const char* v = attributeOf(e, a.name);
    if (!v || (a.value && *a.value != v)) return false;
  }
  return true;
}

// Descendant combinators: the last compound matches the node, the earlier ones its ancestors in
// order (greedy from the nearest ancestor is exact for descendant-only selectors).
bool matchesChain(const GumboNode* node, const std::vector<core::CssCompound>& chain) {
  if (!matches(node, chain.back())) return false;
  std::size_t i = chain.size() - 1;
  for (const GumboNode* up = node->parent; up && i > 0; up = up->parent) {
    if (matches(up, chain[i - 1])) --i;
  }
  return i == 0;
}

const GumboNode* findFirst(const GumboNode* root, const std::vector<core::CssCompound>& chain) {
  // Iterative depth-first walk in document order: a hostile page may nest deeply.
  std::vector<const GumboNode*> stack{root};
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE &&
        node->type != GUMBO_NODE_DOCUMENT) {
      continue;
    }
    if (matchesChain(node, chain)) return node;
    const GumboVector& children =
        node->type == GUMBO_NODE_DOCUMENT ? node->v.document.children : node->v.element.children;
    for (unsigned i = children.length; i > 0; --i) {
      stack.push_back(static_cast<const GumboNode*>(children.data[i - 1]));
    }
  }
  return nullptr;
}

void appendText(const GumboNode* node, std::string& out) {
  std::vector<const GumboNode*> stack{node};
  while (!stack.empty()) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
        n->type == GUMBO_NODE_CDATA) {
      out += n->v.text.text;
    } else if (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE) {
      const GumboVector& children = n->v.element.children;
      for (unsigned i = children.length; i > 0; --i) {
        stack.push_back(static_cast<const GumboNode*>(children.data[i - 1]));
      }
    }
  }
}

std::string collapseWhitespace(const std::string& text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      space = false;
      out += c;
    }
  }
  return out;
}

struct OutputDeleter {
  void operator()(GumboOutput* output) const {
    gumbo_destroy_output(&kGumboDefaultOptions, output);
  }
};

}  // namespace

std::optional<std::string> selectFirst(std::string_view html, const core::CssSelector& selector,
                                       std::string_view attribute) {
  if (selector.compounds.empty()) return std::nullopt;
  std::unique_ptr<GumboOutput, OutputDeleter> output(
      gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size()));
  // gumbo returns null only when it cannot allocate; nothing can be selected then.
  if (!output) return std::nullopt;
  const GumboNode* found = findFirst(output->document, selector.compounds);
  if (!found) return std::nullopt;
  if (attribute.empty()) {
    std::string text;
    appendText(found, text);
    return collapseWhitespace(text);
  }
  const char* value = attributeOf(found->v.element, core::asciiLower(attribute));
  if (!value) return std::nullopt;
  return std::string(value);
}

}  // namespace shopwatch::probes::detail
