#pragma once
// The audit fetcher's rules (audit_fetcher.h): which request fetches the page and which an asset,
// which hosts may be contacted, and how a probe result becomes a FetchedResource. No I/O.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shopwatch/agent/insights/audit_fetcher.h"
#include "shopwatch/agent/insights/page_audit.h"
#include "shopwatch/core/check.h"
#include "shopwatch/core/probe_result.h"
#include "shopwatch/probes/page_assets.h"

namespace shopwatch::agent::insights::detail {

inline constexpr int kMaxAssetRedirects = 10;
inline constexpr const char* kAuditAcceptEncoding = "gzip, deflate, br";

/// The request that fetches the page of `check` (an HTTP check's, or the journey step's), or the
/// reason it cannot be fetched.
struct PageRequest {
  std::optional<core::HttpRequest> request;
  std::string error;
};
PageRequest pageRequest(const core::Check& check, const std::string& step,
                        const AuditFetchOptions& options);

/// The request for one asset hop at `url`; `own_host`: it is on the page's host (TLS options and
/// resolve overrides of `page` apply).
core::HttpRequest assetRequest(const core::HttpRequest& page, const std::string& url,
                               bool own_host, const AuditFetchOptions& options);

/// A one-request check around `request` that keeps `source`'s key, per-host limit and secrets and
/// accepts any status (a 404 is a response, not a fetch failure).
std::shared_ptr<const core::Check> fetchCheck(const core::Check& source, core::HttpRequest request);

/// Which hosts assets may be fetched from (audit_fetcher.h, "Address policy").
class HostPolicy {
 public:
  explicit HostPolicy(const std::vector<std::string>& asset_hosts);
  /// Adds a host of the page itself (the check's URL, the final URL); ignored when unparsable.
  void addPageUrl(std::string_view url);
  bool ownHost(std::string_view url) const;
  bool allowed(std::string_view url) const;

 private:
  struct Entry {
    std::string host;
    std::string port;  ///< "" matches any
  };
  std::vector<std::string> own_;
  std::vector<Entry> listed_;
};

ResourceKind resourceKindOf(probes::AssetKind kind);

/// The final response's header `name` (case-insensitive), nullopt when absent.
std::optional<std::string> capturedHeader(const core::ProbeResult& result, std::string_view name);
/// A 2xx answer whose content type is text/html or application/xhtml+xml.
bool isHtmlPage(const core::ProbeResult& result);

/// The error text of a run that got no complete response; "" when it did.
std::string fetchError(const core::ProbeResult& result);

/// `result` as the FetchedResource of `url` (one hop, or the last of several: the caller sums).
FetchedResource toResource(std::string url, ResourceKind kind, core::ProbeResult result);

}  // namespace shopwatch::agent::insights::detail
