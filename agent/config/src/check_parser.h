#pragma once
// The keys of one HTTP check (also valid under a shop's `defaults`, except `name` and `url`).

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "parse_context.h"
#include "shopwatch/core/check_spec.h"

namespace shopwatch::agent::detail {

/// Where a value came from, for errors that involve several keys (timeout vs interval).
struct Origin {
  YAML::Node node;
  std::string path;
};

/// A check being assembled: shop defaults first, then the check's own keys on top.
struct CheckDraft {
  core::HttpCheckSpec spec;
  std::optional<Origin> interval;
  std::optional<Origin> timeout;
  std::optional<Origin> confirm_delay;
};

/// Every key a check may have (a shop's `defaults` takes the same keys but `name` and `url`).
std::span<const std::string_view> checkKeys();

/// Applies every entry but `name` and `url` to `draft`. Scalars replace, `headers`, `resolve`,
/// `tls` and `expect` merge key by key (`expect.status` and `expect.json` replace as a whole).
void applyCheckEntries(ParseContext& ctx, const std::vector<MapEntry>& entries, CheckDraft& draft);

/// Whether `url` is an absolute http:// or https:// URL with a host; `error` explains when not.
bool validHttpUrl(std::string_view url, std::string& error);

}  // namespace shopwatch::agent::detail
