#include "audit_fetch_requests.h"

#include <algorithm>
#include <utility>

#include "shopwatch/core/text.h"

namespace shopwatch::agent::insights::detail {
namespace {

constexpr const char* kBrowserAccept =
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

bool holdsVariable(std::string_view text) { return text.find("${") != std::string_view::npos; }

bool hasHeader(const core::HttpRequest& request, std::string_view name) {
  return std::any_of(request.headers.begin(), request.headers.end(),
                     [name](const auto& h) { return core::asciiIEquals(h.first, name); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

const core::HttpRequest* sourceRequest(const core::Check& check, const std::string& step) {
  if (const auto* http = check.http()) return &http->request;
  const auto* journey = check.journey();
  if (!journey || journey->steps.empty()) return nullptr;
  for (const auto& s : journey->steps) {
    if (s.name == step) return &s.request;
  }
  return &journey->steps.front().request;
}

}  // namespace

PageRequest pageRequest(const core::Check& check, const std::string& step,
                        const AuditFetchOptions& options) {
  const core::HttpRequest* source = sourceRequest(check, step);
  if (!source) return {std::nullopt, "the check has no request to fetch"};
  if (holdsVariable(source->url)) {
    return {std::nullopt, "the page's URL holds journey variables; it cannot be fetched alone"};
  }
  core::HttpRequest r;
  r.method = "GET";
  r.url = source->url;
  for (const auto& h : source->headers) {
    if (!holdsVariable(h.second)) r.headers.push_back(h);
  }
  if (!hasHeader(r, "accept-encoding")) r.headers.emplace_back("Accept-Encoding", kAuditAcceptEncoding);
  if (!hasHeader(r, "accept")) r.headers.emplace_back("Accept", kBrowserAccept);
  if (source->basic_auth && !holdsVariable(source->basic_auth->user) &&
      !holdsVariable(source->basic_auth->password)) {
    r.basic_auth = source->basic_auth;
  }
  if (source->bearer_token && !holdsVariable(*source->bearer_token)) {
    r.bearer_token = source->bearer_token;
  }
  r.proxy = source->proxy;
  r.resolve = source->resolve;
  r.ip_version = source->ip_version;
  r.user_agent = source->user_agent;
  r.follow_redirects = source->follow_redirects;
  r.max_redirects = source->max_redirects;
  r.tls = source->tls;
  r.max_body = source->max_body;
  r.timeout = options.timeout;
  r.capture = true;
  return {std::move(r), ""};
}

core::HttpRequest assetRequest(const core::HttpRequest& page, const std::string& url,
                               bool own_host, const AuditFetchOptions& options) {
  core::HttpRequest r;
  r.method = "GET";
  r.url = url;
  r.headers.emplace_back("Accept-Encoding", kAuditAcceptEncoding);
  r.proxy = page.proxy;
  r.ip_version = page.ip_version;
  r.user_agent = page.user_agent;
  // Redirects are the fetcher's: each hop's host must pass the address policy first.
  r.follow_redirects = false;
  if (own_host) {
    r.tls = page.tls;
    r.resolve = page.resolve;
  }
  r.max_body = options.max_asset_bytes;
  r.timeout = options.timeout;
  r.capture = true;
  return r;
}

std::shared_ptr<const core::Check> fetchCheck(const core::Check& source, core::HttpRequest request) {
  auto check = std::make_shared<core::Check>();
  check->key = source.key;
  check->per_host_limit = source.per_host_limit;
  check->secrets = source.secrets;
  check->schedule.timeout = request.timeout;
  check->schedule.confirm = false;
  core::HttpProbe probe;
  probe.request = std::move(request);
  probe.expect.status = {{100, 599}};
  check->probe = std::move(probe);
  return check;
}

HostPolicy::HostPolicy(const std::vector<std::string>& asset_hosts) {
  for (const auto& raw : asset_hosts) {
    const std::string text = core::asciiLower(trim(raw));
    if (text.empty()) continue;
    Entry e;
    if (text.front() == '[') {  // "[v6]" or "[v6]:port"
      const auto close = text.find(']');
      if (close == std::string::npos) continue;
      e.host = text.substr(1, close - 1);
      if (close + 1 < text.size() && text[close + 1] == ':') e.port = text.substr(close + 2);
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
      const auto colon = text.find(':');
      e.host = text.substr(0, colon);
      e.port = text.substr(colon + 1);
    } else {
      e.host = text;  // a name, an IPv4 literal, or a bare IPv6 literal
    }
    if (!e.host.empty()) listed_.push_back(std::move(e));
  }
}

void HostPolicy::addPageUrl(std::string_view url) {
  auto parts = probes::urlHost(url);
  if (parts && std::find(own_.begin(), own_.end(), parts->host) == own_.end()) {
    own_.push_back(parts->host);
  }
}

bool HostPolicy::ownHost(std::string_view url) const {
  auto parts = probes::urlHost(url);
  return parts && std::find(own_.begin(), own_.end(), parts->host) != own_.end();
}

bool HostPolicy::allowed(std::string_view url) const {
  auto parts = probes::urlHost(url);
  if (!parts) return false;
  if (std::find(own_.begin(), own_.end(), parts->host) != own_.end()) return true;
  return std::any_of(listed_.begin(), listed_.end(), [&parts](const Entry& e) {
    return e.host == parts->host && (e.port.empty() || e.port == parts->port);
  });
}

ResourceKind resourceKindOf(probes::AssetKind kind) {
  switch (kind) {
    case probes::AssetKind::Stylesheet:
      return ResourceKind::Stylesheet;
    case probes::AssetKind::Script:
      return ResourceKind::Script;
    case probes::AssetKind::Image:
      return ResourceKind::Image;
    case probes::AssetKind::Font:
      return ResourceKind::Font;
    case probes::AssetKind::Other:
      break;
  }
  return ResourceKind::Other;
}

std::optional<std::string> capturedHeader(const core::ProbeResult& result, std::string_view name) {
  if (!result.captured) return std::nullopt;
  for (const auto& [n, v] : result.captured->headers) {
    if (core::asciiIEquals(n, name)) return v;
  }
  return std::nullopt;
}

bool isHtmlPage(const core::ProbeResult& result) {
  if (!fetchError(result).empty() || result.status_code < 200 || result.status_code > 299) {
    return false;
  }
  const auto type = capturedHeader(result, "content-type");
  if (!type) return false;
  const std::string media = core::asciiLower(trim(std::string_view(*type).substr(0, type->find(';'))));
  return media == "text/html" || media == "application/xhtml+xml";
}

std::string fetchError(const core::ProbeResult& result) {
  if (result.cancelled) return result.message.empty() ? "cancelled" : result.message;
  switch (result.failure) {
    case core::FailureReason::None:
    case core::FailureReason::HttpStatus:
    case core::FailureReason::Assertion:
    case core::FailureReason::Extraction:
      return "";
    default:
      break;
  }
  return result.message.empty() ? std::string(core::toString(result.failure)) : result.message;
}

FetchedResource toResource(std::string url, ResourceKind kind, core::ProbeResult result) {
  FetchedResource r;
  r.url = std::move(url);
  r.kind = kind;
  r.error = fetchError(result);
  r.status = r.error.empty() ? result.status_code : 0;
  r.duration = result.duration;
  r.phases = result.phases;
  r.cert_not_after = result.cert_not_after;
  r.fetched_at = result.started;
  r.http_version = result.http_version;
  r.final_url = result.final_url;
  if (result.captured) {
    if (!result.captured->http_version.empty()) r.http_version = result.captured->http_version;
    r.headers = std::move(result.captured->headers);
    r.bytes = result.captured->wire_bytes;
    r.redirect_chain = std::move(result.captured->redirect_chain);
  }
  return r;
}

}  // namespace shopwatch::agent::insights::detail
