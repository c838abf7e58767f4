#pragma once
/// The grammar of an accepted-status item (`expect.status`, `probe --expect-status`): a code
/// (`200`), a class (`"2xx"`) or an inclusive range (`"200-299"`); codes 100-599.

#include <string_view>
#include <utility>

#include "shopwatch/core/result.h"

namespace shopwatch::core {

/// One item as an inclusive range; an Invalid error names the item and the accepted forms.
Result<std::pair<int, int>> parseStatusItem(std::string_view text);

}  // namespace shopwatch::core
