#pragma once
/// The CSS selector subset of a journey's `extract: {css: SELECTOR, attr: NAME}` (gumbo parses
/// HTML but has no selector engine, so shopwatch supports a small, exact subset). The loader
/// rejects anything outside it at the selector's FILE:LINE:COL; the probe engine matches the parsed
/// form, so both always agree on what a selector means. Depends on the standard library and
/// core/result.h only (it can move to core/ unchanged if the engine must not see agent/).
///
/// Grammar (whitespace between compounds is the descendant combinator):
///   selector  := compound ( WS+ compound )*
///   compound  := tag? ( '#' ident | '.' ident | '[' ident ( '=' value )? ']' )*   (non-empty)
///   tag       := ident                       (matched case-insensitively; stored lowercase)
///   value     := '"' chars '"' | "'" chars "'" | ident   ('\' escapes the next character)
///   ident     := [A-Za-z0-9_-] or any byte >= 0x80, one or more
/// Not supported (an error naming kCssSubset): `*`, `>`, `+`, `~`, `,`, pseudo-classes (`:`),
/// attribute operators other than `=` (`^=`, `*=`, ...), namespaces.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shopwatch/core/result.h"

namespace shopwatch::core {

/// What error messages list as supported.
inline constexpr std::string_view kCssSubset =
    "tag, #id, .class, [attr], [attr=\"value\"] and the descendant combinator (a space)";

/// `[name]` (present) or `[name="value"]` (equal, case-sensitive value). `name` is lowercase
/// (HTML attribute names are case-insensitive).
struct CssAttributeTest {
  std::string name;
  std::optional<std::string> value;
};

/// One compound selector: every part given must match the same element.
struct CssCompound {
  std::string tag;  ///< lowercase; empty: any element
  std::string id;   ///< empty: any
  std::vector<std::string> classes;
  std::vector<CssAttributeTest> attributes;
};

/// Compounds joined by descendant combinators, leftmost first: an element matches when it matches
/// the last compound and, walking up its ancestors, the earlier compounds match in order.
struct CssSelector {
  std::vector<CssCompound> compounds;  ///< never empty in a parsed selector
};

/// Parses `selector` in the subset above. Fails with ErrorCode::Invalid and a message that names
/// the offending character and column and lists kCssSubset; an empty or blank selector fails too.
core::Result<CssSelector> parseCssSelector(std::string_view selector);

}  // namespace shopwatch::core
