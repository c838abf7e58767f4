#pragma once
/// What the response audits ([F], audits.h) look at: one page as a browser would fetch it — the
/// page's own response and the assets its HTML names — with the headers, sizes, protocol, redirects
/// and TLS facts of each. Filled by the audit fetcher (or by hand in tests); plain values, no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/core/probe_result.h"
#include "shopwatch/core/check.h"

namespace shopwatch::agent::insights {

/// What a fetched resource is to the page (from the tag that named it, or the page itself).
enum class ResourceKind { Page, Stylesheet, Script, Image, Font, Other };
/// "page", "stylesheet", "script", "image", "font", "other" (evidence and JSON).
const char* resourceKindName(ResourceKind kind);

struct FetchedResource {
  std::string url;  ///< as requested (before redirects)
  std::string final_url;  ///< where the last redirect led ("" when no response arrived)
  ResourceKind kind = ResourceKind::Other;
  int status = 0;            ///< final status; 0 when nothing was received
  std::string http_version;  ///< "1.0", "1.1", "2", "3" of the final response
  /// The final response's headers in order, names as sent (compare case-insensitively); repeated
  /// headers (Set-Cookie) appear once per line.
  std::vector<std::pair<std::string, std::string>> headers;
  std::uint64_t bytes = 0;  ///< body bytes on the wire (compressed when content-encoded)
  core::Micros duration{0};
  core::Phases phases;                     ///< summed over redirects, like a probe's
  std::vector<std::string> redirect_chain;  ///< the URLs redirected from, in order (empty: none)
  std::optional<core::SystemTime> cert_not_after;  ///< the leaf certificate's expiry (HTTPS only)
  core::SystemTime fetched_at{};
  std::string error;  ///< transport or TLS failure ("" when a response arrived)
};

/// One page of a check (or journey step) and its assets.
struct PageAudit {
  core::CheckKey key;
  std::string step;  ///< "" for an HTTP check
  FetchedResource page;
  std::vector<FetchedResource> assets;
  /// Assets the page names that were not fetched because their host is neither the page's nor
  /// an allowed asset host (audit_fetcher.h), and redirect targets refused for the same reason.
  std::vector<std::string> skipped_assets;
  std::optional<bool> tls_session_resumed;  ///< https pages: whether a second connection resumed the first's TLS session (nullopt: not measured)
};

}  // namespace shopwatch::agent::insights
