#include "shopwatch/probes/page_assets.h"

#include <gumbo.h>

#include <memory>
#include <unordered_set>

#include "shopwatch/core/text.h"
#include "url.h"

namespace shopwatch::probes {
namespace {

struct OutputDeleter {
  void operator()(GumboOutput* output) const {
    gumbo_destroy_output(&kGumboDefaultOptions, output);
  }
};

bool isHtmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && isHtmlSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isHtmlSpace(s.back())) s.remove_suffix(1);
  return s;
}

// What a browser does to an attribute URL before parsing it: tabs and newlines go, spaces and
// bytes outside ASCII are percent-encoded (libcurl's parser refuses them).
std::string cleanedReference(std::string_view raw) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : trimmed(raw)) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '\t' || c == '\n' || c == '\r') continue;
    if (b <= 0x20 || b >= 0x7f || c == '"' || c == '<' || c == '>') {
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

const char* attributeOf(const GumboElement& e, const char* name) {
  const GumboAttribute* a = gumbo_get_attribute(&e.attributes, name);
  return a ? a->value : nullptr;
}

bool hasToken(const char* list, std::string_view token) {
  if (!list) return false;
  std::string_view rest(list);
  while (!rest.empty()) {
    while (!rest.empty() && isHtmlSpace(rest.front())) rest.remove_prefix(1);
    std::size_t end = 0;
    while (end < rest.size() && !isHtmlSpace(rest[end])) ++end;
    if (end > 0 && core::asciiIEquals(rest.substr(0, end), token)) return true;
    rest.remove_prefix(end);
  }
  return false;
}

// The first image candidate of a srcset: its URL runs to the first whitespace (a trailing comma
// ends it too when no descriptor follows).
std::string_view firstCandidate(std::string_view srcset) {
  std::size_t i = 0;
  while (i < srcset.size() && (isHtmlSpace(srcset[i]) || srcset[i] == ',')) ++i;
  std::size_t end = i;
  while (end < srcset.size() && !isHtmlSpace(srcset[end])) ++end;
  std::string_view url = srcset.substr(i, end - i);
  while (!url.empty() && url.back() == ',') url.remove_suffix(1);
  return url;
}

bool isScriptType(const char* type) {
  if (!type) return true;
  const std::string t = core::asciiLower(trimmed(type));
  return t.empty() || t == "module" || t.find("javascript") != std::string::npos ||
         t.find("ecmascript") != std::string::npos;
}

struct Named {
  std::string_view reference;  // into the gumbo output
  AssetKind kind = AssetKind::Other;
};

// The asset an element names, if any.
std::optional<Named> assetOf(const GumboElement& e) {
  switch (e.tag) {
    case GUMBO_TAG_LINK: {
      const char* href = attributeOf(e, "href");
      const char* rel = attributeOf(e, "rel");
      if (!href) return std::nullopt;
      if (hasToken(rel, "stylesheet") && !hasToken(rel, "alternate")) {
        return Named{href, AssetKind::Stylesheet};
      }
      if (!hasToken(rel, "preload")) return std::nullopt;
      const char* as = attributeOf(e, "as");
      const std::string a = as ? core::asciiLower(trimmed(as)) : std::string();
      if (a == "style") return Named{href, AssetKind::Stylesheet};
      if (a == "script") return Named{href, AssetKind::Script};
      if (a == "font") return Named{href, AssetKind::Font};
      if (a == "image") return Named{href, AssetKind::Image};
      return std::nullopt;
    }
    case GUMBO_TAG_SCRIPT: {
      const char* src = attributeOf(e, "src");
      if (!src || attributeOf(e, "nomodule") || !isScriptType(attributeOf(e, "type"))) {
        return std::nullopt;
      }
      return Named{src, AssetKind::Script};
    }
    case GUMBO_TAG_IMG: {
      if (const char* srcset = attributeOf(e, "srcset")) {
        const std::string_view first = firstCandidate(srcset);
        if (!first.empty()) return Named{first, AssetKind::Image};
      }
      const char* src = attributeOf(e, "src");
      if (!src) return std::nullopt;
      return Named{src, AssetKind::Image};
    }
    default:
      return std::nullopt;
  }
}

// Elements in document order, without the content of <template> and <noscript> (iterative: a
// hostile page may nest deeply).
template <typename Visit>
void walk(const GumboNode* root, Visit&& visit) {
  std::vector<const GumboNode*> stack{root};
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    const GumboVector* children = nullptr;
    if (node->type == GUMBO_NODE_DOCUMENT) {
      children = &node->v.document.children;
    } else if (node->type == GUMBO_NODE_ELEMENT) {
      const GumboElement& e = node->v.element;
      if (e.tag == GUMBO_TAG_NOSCRIPT) continue;
      if (!visit(e)) return;
      children = &e.children;
    } else {
      continue;  // text, comments, and GUMBO_NODE_TEMPLATE (inert content)
    }
    for (unsigned i = children->length; i > 0; --i) {
      stack.push_back(static_cast<const GumboNode*>(children->data[i - 1]));
    }
  }
}

}  // namespace

std::optional<std::string> resolveUrl(std::string_view base, std::string_view reference) {
  const std::string cleaned = cleanedReference(reference);
  if (cleaned.empty() || cleaned.front() == '#') return std::nullopt;
  auto resolved = detail::resolveReference(std::string(base), cleaned);
  if (!resolved) return std::nullopt;
  auto parts = detail::parseUrl(*resolved);
  if (!parts || (parts->scheme != "http" && parts->scheme != "https")) return std::nullopt;
  return resolved;
}

std::optional<UrlHost> urlHost(std::string_view url) {
  auto parts = detail::parseUrl(std::string(url));
  if (!parts || (parts->scheme != "http" && parts->scheme != "https")) return std::nullopt;
  return UrlHost{parts->scheme, parts->host, parts->port};
}

std::vector<PageAsset> extractAssets(std::string_view html, std::string_view base_url,
                                     std::size_t max_assets) {
  std::vector<PageAsset> out;
  if (max_assets == 0) return out;
  std::unique_ptr<GumboOutput, OutputDeleter> output(
      gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size()));
  if (!output) return out;  // gumbo could not allocate

  // The document's base URL is its first <base href>, wherever it stands.
  std::string base(base_url);
  walk(output->document, [&](const GumboElement& e) {
    if (e.tag != GUMBO_TAG_BASE) return true;
    const char* href = attributeOf(e, "href");
    if (!href) return true;
    if (auto resolved = resolveUrl(base_url, href)) base = std::move(*resolved);
    return false;
  });

  std::unordered_set<std::string> seen;
  walk(output->document, [&](const GumboElement& e) {
    auto named = assetOf(e);
    if (!named) return true;
    auto url = resolveUrl(base, named->reference);
    if (!url || !seen.insert(*url).second) return true;
    out.push_back(PageAsset{std::move(*url), named->kind});
    return out.size() < max_assets;
  });
  return out;
}

}  // namespace shopwatch::probes
