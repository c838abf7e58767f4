#pragma once
/// Query strings of the API routes (`?state=firing,pending&shop=acme`): `&`-separated `name=value`
/// pairs, `+` as space, `%XX` decoded. One decoder for the API routes and the demo servers.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shopwatch::agent::http {

/// Decodes `%XX` and `+`; a malformed escape is kept as written.
std::string percentDecode(std::string_view text);

/// Every `name=value` pair in order, both decoded; a bare `name` has the value "". Empty pieces
/// (`a=1&&b=2`) are skipped.
std::vector<std::pair<std::string, std::string>> parseQuery(std::string_view query);

/// The values of `name`, each split at commas (`state=firing,pending&state=ok` → firing, pending,
/// ok), empty items dropped.
std::vector<std::string> queryList(const std::vector<std::pair<std::string, std::string>>& query,
                                   std::string_view name);

}  // namespace shopwatch::agent::http
