#pragma once
// The order-placement guard of journeys: `check-config` warns about a step that looks like it
// places a real order unless the step says `places_order: true`.

#include <optional>
#include <span>
#include <string_view>

namespace shopwatch::agent::detail {

/// URL path fragments and GraphQL mutation names that place an order on the platforms of
/// research/checkout-flows.md; the one list the warning reads (compared case-insensitively).
std::span<const std::string_view> orderPlacementMarkers();

/// The first marker that `text` (a URL path, a GraphQL document, a body) contains, or nothing.
std::optional<std::string_view> orderPlacementMarker(std::string_view text);

}  // namespace shopwatch::agent::detail
