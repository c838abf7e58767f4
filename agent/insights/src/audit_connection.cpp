// The delivery audits: HTTP version, redirects, the TLS handshake and the certificate.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <string>

#include "audit_headers.h"
#include "audit_rules.h"
#include "shopwatch/core/time_format.h"

namespace shopwatch::agent::insights::detail {
namespace {

double seconds(core::Micros d) { return static_cast<double>(d.count()) / 1e6; }

double roundedMsOf(double secs) { return std::round(secs * 10000.0) / 10.0; }

std::string joined(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

}  // namespace

std::optional<Finding> auditHttp2(const PageAudit& audit, const AuditLimits& limits) {
  struct HostUse {
    int requests = 0;
    std::string http1_version;  // set when an HTTPS request on this host got HTTP/1.x
  };
  std::map<std::string, HostUse> hosts;
  auto note = [&hosts](const FetchedResource& r) {
    if (!received(r)) return;
    HostUse& use = hosts[urlHost(r.url)];
    ++use.requests;
    // Plain http is left alone: browsers speak HTTP/2 only over TLS.
    if (isHttpsUrl(r.url) && r.http_version.starts_with("1"))
      use.http1_version = "HTTP/" + r.http_version;
  };
  note(audit.page);
  for (const auto& a : audit.assets) note(a);

  const int parallel = std::max(1, limits.parallel_per_host);
  const double setup = seconds(audit.page.phases.connect + audit.page.phases.tls);
  auto evidence_hosts = nlohmann::json::array();
  std::vector<std::string> names;
  std::set<std::string> versions;
  int requests = 0;
  double saving = 0;
  for (const auto& [host, use] : hosts) {
    if (use.http1_version.empty()) continue;
    // A browser opens `parallel` HTTP/1.x connections per host; every further batch of requests
    // waits for a free one, which HTTP/2 multiplexing avoids. Counted as one set-up per batch.
    const double extra =
        std::max(0, use.requests - parallel) / static_cast<double>(parallel) * setup;
    saving += extra;
    requests += use.requests;
    names.push_back(host);
    versions.insert(use.http1_version);
    evidence_hosts.push_back({{"host", host},
                              {"http_version", use.http1_version},
                              {"requests", use.requests},
                              {"estimated_saving_ms", roundedMsOf(extra)}});
  }
  if (names.empty()) return std::nullopt;
  const std::string version = versions.size() == 1 ? *versions.begin() : "HTTP/1.x";
  Finding f = pageFinding(audit, ids::kNoHttp2);
  f.saving_seconds = std::max(0.0, saving);
  f.summary = std::to_string(names.size()) + (names.size() == 1 ? " host" : " hosts") + " of " +
              pageName(audit) + (names.size() == 1 ? " answers" : " answer") + " HTTPS with " +
              version + " (" + joined(names, ", ") + "; " + std::to_string(requests) +
              (requests == 1 ? " request" : " requests") + ")";
  if (f.saving_seconds > 0)
    f.summary += ", ~" + formatSeconds(f.saving_seconds) + " to save with HTTP/2";
  f.evidence = {
      {"hosts", std::move(evidence_hosts)},
      {"parallel_per_host", parallel},
      {"page_connect_tls_ms", roundedMs(audit.page.phases.connect + audit.page.phases.tls)}};
  return f;
}

std::optional<Finding> auditRedirects(const PageAudit& audit) {
  auto redirects = nlohmann::json::array();
  std::size_t hops = 0;
  std::size_t assets = 0;
  bool page = false;
  double saving = 0;
  auto note = [&](const FetchedResource& r, bool is_page) {
    if (!received(r) || r.redirect_chain.empty()) return;
    const std::size_t n = r.redirect_chain.size();
    // Without per-hop timings the fetch's time is split evenly over its n + 1 requests.
    const double estimate =
        static_cast<double>(n) * seconds(r.duration) / static_cast<double>(n + 1);
    std::vector<std::string> chain = r.redirect_chain;
    chain.push_back(r.final_url.empty() ? r.url : r.final_url);
    redirects.push_back({{"url", r.url},
                         {"kind", resourceKindName(r.kind)},
                         {"hops", n},
                         {"chain", std::move(chain)},
                         {"duration_ms", roundedMs(r.duration)},
                         {"estimated_saving_ms", roundedMsOf(estimate)}});
    hops += n;
    saving += estimate;
    if (is_page)
      page = true;
    else
      ++assets;
  };
  note(audit.page, true);
  for (const auto& a : audit.assets) note(a, false);
  if (redirects.empty()) return std::nullopt;

  Finding f = pageFinding(audit, ids::kRedirectChain);
  f.saving_seconds = saving;
  const std::string hop_words = std::to_string(hops) + (hops == 1 ? " redirect" : " redirects");
  if (page && assets == 0) {
    f.summary = "the page of " + pageName(audit) + " is reached through " + hop_words + " (~" +
                formatSeconds(saving) + ")";
  } else {
    const std::string what = std::to_string(assets) + (assets == 1 ? " asset" : " assets");
    f.summary = (page ? "the page and " + what : what) + " of " + pageName(audit) +
                (!page && assets == 1 ? " is" : " are") + " reached through redirects (" +
                hop_words + ", ~" + formatSeconds(saving) + ")";
  }
  f.evidence = {{"redirects", std::move(redirects)},
                {"hops", hops},
                {"estimated_saving_ms", roundedMsOf(saving)}};
  return f;
}

std::optional<Finding> auditSlowTls(const PageAudit& audit, const AuditLimits& limits) {
  const core::Micros tls = audit.page.phases.tls;
  if (tls <= limits.slow_tls) return std::nullopt;
  Finding f = pageFinding(audit, ids::kSlowTls);
  f.saving_seconds = std::max(0.0, seconds(tls - limits.tls_target));
  f.summary = "the TLS handshake of " + pageName(audit) + " took " + formatSeconds(seconds(tls)) +
              " in the audit fetch (over " + formatSeconds(seconds(limits.slow_tls)) + "; " +
              formatSeconds(seconds(limits.tls_target)) + " is achievable)";
  f.evidence = {{"url", audit.page.url},
                {"tls_ms", roundedMs(tls)},
                {"threshold_ms", roundedMs(limits.slow_tls)},
                {"target_ms", roundedMs(limits.tls_target)},
                {"source", "audit fetch"}};
  return f;
}

std::optional<Finding> auditTlsResumption(const PageAudit& audit, const AuditLimits& limits) {
  if (audit.tls_session_resumed != false) return std::nullopt;  // resumed, or not measured
  const core::Micros tls = audit.page.phases.tls;
  Finding f = pageFinding(audit, ids::kNoTlsResumption);
  // A resumed handshake skips about a round trip and the key exchange: the time above what a
  // fast handshake takes. A fast full handshake still saves nothing measurable, but the finding
  // stands: it is a server configuration problem (session cache / tickets off).
  f.saving_seconds = std::max(0.0, seconds(tls - limits.tls_target));
  f.summary = "the HTTPS server of " + pageName(audit) +
              " does not resume TLS sessions: every new connection pays a full handshake (" +
              formatSeconds(seconds(tls)) + ")";
  f.evidence = {{"url", audit.page.url},
                {"tls_ms", roundedMs(tls)},
                {"resumed", false},
                {"source", "audit fetch"}};
  return f;
}

std::optional<Finding> auditCertificate(const PageAudit& audit, const AuditLimits& limits) {
  auto errors = nlohmann::json::array();
  auto expiring = nlohmann::json::array();
  std::vector<std::string> parts;
  std::set<std::string> hosts_seen;
  auto note = [&](const FetchedResource& r, bool is_page) {
    const std::string host = urlHost(r.url);
    if (!r.error.empty() && isTlsError(r.error)) {
      errors.push_back({{"url", r.url}, {"host", host}, {"error", r.error}});
      parts.push_back((is_page ? "the page" : host) + " failed TLS verification (" + r.error + ")");
      return;
    }
    if (!r.cert_not_after || !hosts_seen.insert(host).second) return;
    const auto left = *r.cert_not_after - r.fetched_at;
    if (left >= limits.cert_warning) return;
    const auto days = std::chrono::floor<std::chrono::days>(left).count();
    const std::string date = core::formatRfc3339(*r.cert_not_after).substr(0, 10);
    expiring.push_back({{"url", r.url},
                        {"host", host},
                        {"not_after", core::formatRfc3339(*r.cert_not_after)},
                        {"days_left", days}});
    parts.push_back("the certificate of " + host +
                    (left.count() <= 0 ? " expired on " + date
                                       : " expires in " + std::to_string(days) +
                                             (days == 1 ? " day (" : " days (") + date + ")"));
  };
  note(audit.page, true);
  for (const auto& a : audit.assets) note(a, false);
  if (parts.empty()) return std::nullopt;
  Finding f = pageFinding(audit, ids::kCertChain);
  f.summary = "certificate problem on " + pageName(audit) + ": " + joined(parts, "; ");
  f.evidence = {
      {"errors", std::move(errors)},
      {"expiring", std::move(expiring)},
      {"warning_days", std::chrono::floor<std::chrono::days>(limits.cert_warning).count()}};
  return f;
}

}  // namespace shopwatch::agent::insights::detail
