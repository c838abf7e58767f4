// fetchPageAudit: the page, then its assets (each redirect hop checked against the address
// policy), on the agent's engine; the caller waits, polling `stopping`.
#include "shopwatch/agent/insights/audit_fetcher.h"

#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "address_policy.h"
#include "audit_fetch_requests.h"
#include "audit_headers.h"
#include "shopwatch/core/redact.h"
#include "shopwatch/core/text.h"
#include "shopwatch/probes/page_assets.h"
#include "tls_resumption.h"

namespace shopwatch::agent::insights {
namespace {

using detail::HostPolicy;

constexpr auto kPollInterval = std::chrono::milliseconds{50};

/// One asset on its way through its redirect hops.
struct AssetSlot {
  std::string url;      ///< as the page names it
  ResourceKind kind = ResourceKind::Other;
  std::string current;  ///< the hop in flight
  std::vector<std::string> chain;
  core::Phases phases;
  core::Micros duration{0};
  std::optional<core::SystemTime> first_started;
  std::optional<FetchedResource> result;  ///< set when the asset is done
};

/// What the caller and the engine's completions share. The fields above `mu` are written before
/// the first asset is submitted and only read afterwards; the rest is guarded by `mu`.
struct FetchState {
  probes::HttpProbeEngine* engine = nullptr;  // outlives every completion it runs
  core::Check identity;                       // key, per-host limit, secrets of the check
  core::HttpRequest page_request;
  AuditFetchOptions options;
  HostPolicy policy{std::vector<std::string>{}};
  /// Each `asset_hosts` entry's host → the address it is fetched at, or why it is refused.
  std::map<std::string, detail::AssetAddress> listed_addresses;

  std::mutex mu;
  std::condition_variable cv;
  std::optional<core::ProbeResult> page;
  std::vector<AssetSlot> assets;
  std::size_t outstanding = 0;
  std::vector<std::string> refused_redirects;
  bool abandoned = false;  // the caller returned: no further hops
};

void addPhases(core::Phases& to, const core::Phases& from) {
  to.resolve += from.resolve;
  to.connect += from.connect;
  to.tls += from.tls;
  to.processing += from.processing;
  to.transfer += from.transfer;
}

bool isRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

void submitHop(const std::shared_ptr<FetchState>& state, std::size_t index, const std::string& url);

// The error that ends an asset at a redirect, or "" when `next` is to be fetched.
std::string redirectRefusal(FetchState& s, AssetSlot& slot, const core::ProbeResult& r,
                            std::optional<std::string>& next) {
  const auto location = detail::capturedHeader(r, "location");
  if (!location) return "";  // a 3xx without Location is the answer
  auto target = probes::resolveUrl(slot.current, *location);
  if (!target) return "redirect to an unusable Location";
  if (slot.chain.size() >= static_cast<std::size_t>(detail::kMaxAssetRedirects)) {
    return "more than " + std::to_string(detail::kMaxAssetRedirects) + " redirects";
  }
  if (!s.policy.allowed(*target)) {
    s.refused_redirects.push_back(*target);
    return "redirect to " + *target + " not followed: its host is not allowed";
  }
  if (s.abandoned) return "audit stopped";
  slot.chain.push_back(slot.current);
  slot.current = *target;
  next = std::move(*target);
  return "";
}

// An asset whose completion could not be handled still ends, so the caller does not wait for it.
void failSlot(FetchState& s, std::size_t index, std::string error) noexcept {
  std::lock_guard lock(s.mu);
  AssetSlot& slot = s.assets[index];
  if (slot.result) return;
  slot.result.emplace();
  slot.result->kind = slot.kind;
  slot.result->error = std::move(error);
  try {
    slot.result->url = slot.url;
  } catch (...) {
    // Out of memory: the asset goes without its URL rather than keeping the caller waiting.
  }
  --s.outstanding;
  s.cv.notify_all();
}

void handleHop(const std::shared_ptr<FetchState>& state, std::size_t index, core::ProbeResult r) {
  std::optional<std::string> next;
  {
    std::lock_guard lock(state->mu);
    AssetSlot& slot = state->assets[index];
    addPhases(slot.phases, r.phases);
    slot.duration += r.duration;
    if (!slot.first_started) slot.first_started = r.started;
    std::string refusal;
    if (detail::fetchError(r).empty() && isRedirect(r.status_code)) {
      refusal = redirectRefusal(*state, slot, r, next);
    }
    if (!next) {
      FetchedResource f = detail::toResource(slot.url, slot.kind, std::move(r));
      f.phases = slot.phases;
      f.duration = slot.duration;
      f.redirect_chain = slot.chain;
      f.fetched_at = *slot.first_started;
      if (!refusal.empty()) {
        f.error = std::move(refusal);
        f.status = 0;
      }
      slot.result = std::move(f);
      --state->outstanding;
      state->cv.notify_all();
    }
  }
  // Outside the lock: after the engine stopped, submit() completes at once on this thread.
  if (next) submitHop(state, index, *next);
}

void onAssetHop(const std::shared_ptr<FetchState>& state, std::size_t index,
                core::ProbeResult r) noexcept {
  try {
    handleHop(state, index, std::move(r));
  } catch (...) {
    failSlot(*state, index, "internal error while fetching the asset");
  }
}

void submitHop(const std::shared_ptr<FetchState>& state, std::size_t index, const std::string& url) {
  const bool own = state->policy.ownHost(url);
  auto request = detail::assetRequest(state->page_request, url, own, state->options);
  if (!own) {
    // A listed asset host: only at the address its check allowed (address_policy.h).
    const auto host = probes::urlHost(url);
    const auto it = host ? state->listed_addresses.find(host->host) : state->listed_addresses.end();
    if (it == state->listed_addresses.end() || it->second.address.empty()) {
      failSlot(*state, index, it == state->listed_addresses.end() ? "asset host not allowed"
                                                                  : "not fetched: " + it->second.refusal);
      return;
    }
    request.resolve = {{host->host, it->second.address}};
  }
  state->engine->submit(detail::fetchCheck(state->identity, std::move(request)),
                        [state, index](core::ProbeResult r) { onAssetHop(state, index, std::move(r)); });
}

/// Waits until `done()` (checked under the lock) or `stopping` says so; false when stopped.
template <typename Done>
bool waitUntil(FetchState& s, const std::function<bool()>& stopping, Done done) {
  while (true) {
    if (stopping && stopping()) return false;
    std::unique_lock lock(s.mu);
    if (s.cv.wait_for(lock, kPollInterval, done)) return true;
  }
}

// Where the check's own host lives: a resolve: override, else what the system resolves. A host that
// does not resolve counts as public (the strictest rule for its asset hosts).
detail::AddressClass pageAddressClass(const core::HttpRequest& page, const AuditFetchOptions& options) {
  const auto host = probes::urlHost(page.url);
  if (!host) return detail::AddressClass::Public;
  std::vector<std::string> addresses;
  for (const auto& [name, ip] : page.resolve) {
    if (name == host->host) addresses.push_back(ip);
  }
  if (addresses.empty()) {
    addresses = options.resolve_host ? options.resolve_host(host->host) : detail::systemResolve(host->host);
  }
  for (const auto& a : addresses) {
    const auto c = detail::classifyAddress(a);
    if (c != detail::AddressClass::Public) return c;
  }
  return detail::AddressClass::Public;
}

// The host of an `asset_hosts` entry ("host", "host:port", "[v6]:port"), lower-case, as
// probes::urlHost spells it.
std::string listedHostName(const std::string& entry) {
  std::string host = core::asciiLower(entry);
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    return close == std::string::npos ? host : host.substr(1, close - 1);
  }
  if (const auto colon = host.find(':'); colon != std::string::npos && colon == host.rfind(':')) {
    host.resize(colon);
  }
  return host;
}

// Checked once per audit on the caller's thread (resolution blocks; completions never resolve).
void resolveListedHosts(FetchState& s, const AuditFetchOptions& options) {
  if (options.asset_hosts.empty()) return;
  const auto page_class = pageAddressClass(s.page_request, options);
  for (const auto& entry : options.asset_hosts) {
    const std::string host = listedHostName(entry);
    if (s.listed_addresses.count(host) == 0) {
      s.listed_addresses.emplace(host, detail::assetAddress(host, page_class, std::nullopt, options.resolve_host));
    }
  }
}

FetchedResource unfetchedPage(std::string url, std::string error) {
  FetchedResource page;
  page.url = std::move(url);
  page.kind = ResourceKind::Page;
  page.error = std::move(error);
  return page;
}

void fetchInto(PageAudit& audit, probes::HttpProbeEngine& engine, const core::Check& check,
               const std::string& step, const AuditFetchOptions& options,
               const std::function<bool()>& stopping) {
  auto state = std::make_shared<FetchState>();
  state->engine = &engine;
  state->identity.key = check.key;
  state->identity.per_host_limit = check.per_host_limit;
  state->identity.secrets = check.secrets;
  state->options = options;
  state->policy = HostPolicy(options.asset_hosts);

  detail::PageRequest planned = detail::pageRequest(check, step, options);
  if (!planned.request) {
    audit.page = unfetchedPage("", std::move(planned.error));
    return;
  }
  state->page_request = std::move(*planned.request);
  const std::string shown_url = core::redact(state->page_request.url, check.secrets);
  audit.page = unfetchedPage(shown_url, "audit stopped before the page was fetched");
  if (stopping && stopping()) return;
  state->policy.addPageUrl(state->page_request.url);

  engine.submit(detail::fetchCheck(state->identity, state->page_request),
                [state](core::ProbeResult r) {
                  std::lock_guard lock(state->mu);
                  state->page = std::move(r);
                  state->cv.notify_all();
                });
  if (!waitUntil(*state, stopping, [&state] { return state->page.has_value(); })) {
    std::lock_guard lock(state->mu);
    state->abandoned = true;
    return;
  }

  core::ProbeResult page;
  {
    std::lock_guard lock(state->mu);
    page = std::move(*state->page);
  }
  std::string html;
  if (detail::isHtmlPage(page) && page.captured) html = std::move(page.captured->body);
  const std::string final_url = page.final_url;
  audit.page = detail::toResource(shown_url, ResourceKind::Page, std::move(page));
  // Whether the server resumes TLS sessions: two more connections of their own, off the engine,
  // blocking this thread (tls_resumption.h); nullopt for plain http or when either fails.
  if (detail::received(audit.page) && !(stopping && stopping())) {
    audit.tls_session_resumed =
        detail::tlsSessionResumed(state->page_request, options.timeout, stopping);
  }
  if (html.empty()) return;

  // The page's final host is its own too: its relative URLs resolve there.
  state->policy.addPageUrl(final_url);
  resolveListedHosts(*state, options);
  std::vector<AssetSlot> slots;
  for (auto& asset : probes::extractAssets(html, final_url, options.max_assets)) {
    if (!state->policy.allowed(asset.url)) {
      audit.skipped_assets.push_back(std::move(asset.url));
      continue;
    }
    AssetSlot slot;
    slot.kind = detail::resourceKindOf(asset.kind);
    slot.current = asset.url;
    slot.url = std::move(asset.url);
    slots.push_back(std::move(slot));
  }
  html.clear();
  if (slots.empty()) return;
  std::vector<std::string> urls;
  {
    std::lock_guard lock(state->mu);
    for (const auto& s : slots) urls.push_back(s.url);
    state->outstanding = slots.size();
    state->assets = std::move(slots);
  }
  for (std::size_t i = 0; i < urls.size(); ++i) {
    if (stopping && stopping()) break;
    submitHop(state, i, urls[i]);
  }
  const bool complete = waitUntil(*state, stopping, [&state] { return state->outstanding == 0; });

  std::lock_guard lock(state->mu);
  if (!complete) state->abandoned = true;
  for (auto& slot : state->assets) {
    if (slot.result) audit.assets.push_back(std::move(*slot.result));
  }
  for (auto& url : state->refused_redirects) audit.skipped_assets.push_back(std::move(url));
  state->refused_redirects.clear();
}

}  // namespace

PageAudit fetchPageAudit(probes::HttpProbeEngine& engine, const core::Check& check,
                         const std::string& step, const AuditFetchOptions& options,
                         const std::function<bool()>& stopping) {
  PageAudit audit;
  try {
    audit.key = check.key;
    audit.step = step;
    fetchInto(audit, engine, check, step, options, stopping);
  } catch (const std::exception& e) {
    if (audit.page.status == 0 && audit.page.error.empty()) {
      audit.page.error = std::string("internal error: ") + e.what();
    }
  } catch (...) {
    if (audit.page.status == 0 && audit.page.error.empty()) audit.page.error = "internal error";
  }
  return audit;
}

}  // namespace shopwatch::agent::insights
