#pragma once
// Matching a parsed CSS selector (core/css_selector.h: the one subset the config loader validates
// and the engine matches) over an HTML document parsed by gumbo.

#include <optional>
#include <string>
#include <string_view>

#include "shopwatch/core/css_selector.h"

namespace shopwatch::probes::detail {

/// The first element in document order that matches `selector`: the value of `attribute`, or
/// its text (whitespace collapsed, trimmed) when `attribute` is empty. nullopt when no element
/// matches (or it lacks the attribute). Thread-safe; may take milliseconds for a large page (run
/// it off the event thread).
std::optional<std::string> selectFirst(std::string_view html, const core::CssSelector& selector,
                                       std::string_view attribute);

}  // namespace shopwatch::probes::detail
