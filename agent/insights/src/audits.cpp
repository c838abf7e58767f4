#include "shopwatch/agent/insights/audits.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>

#include "audit_headers.h"
#include "audit_rules.h"

namespace shopwatch::agent::insights {
namespace detail {
namespace {

std::vector<const FetchedResource*> pageAndAssets(const PageAudit& audit) {
  std::vector<const FetchedResource*> all{&audit.page};
  for (const auto& a : audit.assets) all.push_back(&a);
  return all;
}

/// "1 image" / "3 images".
std::string count(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string headerOrNone(const FetchedResource& r, std::string_view name) {
  const auto value = headerValue(r, name);
  return value ? std::string(*value) : std::string("none");
}

std::string lifetimeWords(std::chrono::seconds s) {
  const auto days = s.count() / 86400;
  if (days > 0 && s.count() % 86400 == 0)
    return count(static_cast<std::size_t>(days), "day", "days");
  return core::formatDuration(s);
}

}  // namespace

Finding pageFinding(const PageAudit& audit, const char* id) {
  Finding f;
  f.key = audit.key;
  f.step = audit.step;
  f.finding = id;
  return f;
}

std::string pageName(const PageAudit& audit) {
  std::string name = audit.key.str();
  if (!audit.step.empty()) name += "/" + audit.step;
  return name;
}

std::optional<Finding> auditCompression(const PageAudit& audit, const AuditLimits& limits) {
  auto responses = nlohmann::json::array();
  std::uint64_t total = 0;
  std::uint64_t saved = 0;
  for (const FetchedResource* r : pageAndAssets(audit)) {
    if (!successful(*r) || r->bytes < limits.compress_min_bytes) continue;
    const std::string type = mediaType(*r);
    const double ratio = compressionRatio(type);
    if (ratio <= 0) continue;
    const auto encoding = headerValue(*r, "content-encoding");
    if (encoding && isCompressedEncoding(*encoding)) continue;
    const auto estimate =
        static_cast<std::uint64_t>(std::llround(static_cast<double>(r->bytes) * ratio));
    total += r->bytes;
    saved += estimate;
    responses.push_back({{"url", r->url},
                         {"content_type", type},
                         {"content_encoding", encoding ? std::string(*encoding) : "none"},
                         {"bytes", r->bytes},
                         {"estimated_saving_bytes", estimate}});
  }
  if (responses.empty()) return std::nullopt;
  Finding f = pageFinding(audit, ids::kNoCompression);
  f.saving_bytes = saved;
  f.summary = count(responses.size(), "text response", "text responses") + " on " +
              pageName(audit) + (responses.size() == 1 ? " is" : " are") + " sent uncompressed (" +
              formatBytes(total) + ", ~" + formatBytes(saved) + " saved with gzip)";
  f.evidence = {{"responses", std::move(responses)},
                {"total_bytes", total},
                {"estimated_saving_bytes", saved},
                {"min_bytes", limits.compress_min_bytes}};
  return f;
}

std::optional<Finding> auditCacheHeaders(const PageAudit& audit, const AuditLimits& limits) {
  auto assets = nlohmann::json::array();
  std::uint64_t total = 0;
  for (const auto& a : audit.assets) {
    if (!successful(a) || !isStaticAsset(a)) continue;
    const CacheControl cc = parseCacheControl(headerValue(a, "cache-control").value_or(""));
    const auto lifetime = freshnessLifetime(a);
    std::string problem;
    if (cc.no_store) {
      problem = "no-store";
    } else if (cc.no_cache) {
      problem = "no-cache";
    } else if (!lifetime) {
      problem = "none";
    } else if (*lifetime < limits.min_cache_lifetime) {
      problem = lifetime->count() <= 0 ? "expired" : "short";
    } else {
      continue;
    }
    total += a.bytes;
    nlohmann::json item{{"url", a.url},
                        {"kind", resourceKindName(a.kind)},
                        {"cache_control", headerOrNone(a, "cache-control")},
                        {"expires", headerOrNone(a, "expires")},
                        {"problem", problem},
                        {"bytes", a.bytes}};
    if (lifetime) item["lifetime_seconds"] = lifetime->count();
    assets.push_back(std::move(item));
  }
  if (assets.empty()) return std::nullopt;
  Finding f = pageFinding(audit, ids::kNoCacheHeaders);
  f.saving_bytes = total;
  f.summary = count(assets.size(), "static asset", "static assets") + " on " + pageName(audit) +
              (assets.size() == 1 ? " is" : " are") + " not cached for " +
              lifetimeWords(limits.min_cache_lifetime) + " (" + formatBytes(total) +
              " downloaded again on every visit)";
  f.evidence = {{"assets", std::move(assets)},
                {"total_bytes", total},
                {"min_lifetime_seconds", limits.min_cache_lifetime.count()}};
  return f;
}

std::optional<Finding> auditPageWeight(const PageAudit& audit, const AuditLimits& limits) {
  std::vector<const FetchedResource*> fetched;
  auto failed = nlohmann::json::array();
  for (const FetchedResource* r : pageAndAssets(audit)) {
    if (received(*r)) {
      fetched.push_back(r);
    } else {
      failed.push_back({{"url", r->url}, {"error", r->error.empty() ? "no response" : r->error}});
    }
  }
  std::uint64_t total = 0;
  std::map<std::string, std::uint64_t> by_kind;
  for (const FetchedResource* r : fetched) {
    total += r->bytes;
    by_kind[resourceKindName(r->kind)] += r->bytes;
  }
  if (total <= limits.page_weight_limit) return std::nullopt;

  std::stable_sort(
      fetched.begin(), fetched.end(),
      [](const FetchedResource* a, const FetchedResource* b) { return a->bytes > b->bytes; });
  auto largest = nlohmann::json::array();
  for (std::size_t i = 0; i < fetched.size() && i < 5; ++i)
    largest.push_back({{"url", fetched[i]->url},
                       {"kind", resourceKindName(fetched[i]->kind)},
                       {"bytes", fetched[i]->bytes}});

  Finding f = pageFinding(audit, ids::kPageWeight);
  f.saving_bytes = total - limits.page_weight_limit;
  f.summary = pageName(audit) + " weighs " + formatBytes(total) + " (the page and " +
              count(fetched.size() - 1, "asset", "assets") + "), " + formatBytes(f.saving_bytes) +
              " over the " + formatBytes(limits.page_weight_limit) + " limit";
  f.evidence = {{"total_bytes", total},          {"limit_bytes", limits.page_weight_limit},
                {"requests", fetched.size()},    {"bytes_by_kind", by_kind},
                {"largest", std::move(largest)}, {"failed", std::move(failed)},
                {"not_fetched", audit.skipped_assets}};  // other hosts: the weight is at least this
  return f;
}

std::optional<Finding> auditCookiesOnStatic(const PageAudit& audit) {
  auto assets = nlohmann::json::array();
  std::set<std::string> all_names;
  std::uint64_t header_bytes = 0;
  for (const auto& a : audit.assets) {
    if (!successful(a) || !isStaticAsset(a)) continue;
    const auto names = cookieNames(a);
    if (names.empty()) continue;
    // The bytes are counted, the values never leave this loop: they may be session secrets.
    for (const auto value : headerValues(a, "set-cookie")) header_bytes += value.size() + 14;
    all_names.insert(names.begin(), names.end());
    assets.push_back({{"url", a.url}, {"kind", resourceKindName(a.kind)}, {"cookies", names}});
  }
  if (assets.empty()) return std::nullopt;
  std::string name_list;
  for (const auto& n : all_names) name_list += (name_list.empty() ? "" : ", ") + n;
  Finding f = pageFinding(audit, ids::kCookiesOnStatic);
  f.saving_bytes = header_bytes;
  f.summary = count(assets.size(), "static asset", "static assets") + " on " + pageName(audit) +
              (assets.size() == 1 ? " sets" : " set") + " cookies (" + name_list +
              "), so CDNs and shared caches will not store " + (assets.size() == 1 ? "it" : "them");
  f.evidence = {{"assets", std::move(assets)},
                {"cookie_names", all_names},
                {"set_cookie_header_bytes", header_bytes}};
  return f;
}

std::optional<Finding> auditLargeImages(const PageAudit& audit, const AuditLimits& limits) {
  auto images = nlohmann::json::array();
  std::uint64_t total = 0;
  std::uint64_t excess = 0;
  for (const auto& a : audit.assets) {
    if (!successful(a) || !isImage(a) || a.bytes <= limits.image_limit) continue;
    total += a.bytes;
    excess += a.bytes - limits.image_limit;
    images.push_back({{"url", a.url},
                      {"content_type", mediaType(a)},
                      {"bytes", a.bytes},
                      {"excess_bytes", a.bytes - limits.image_limit}});
  }
  if (images.empty()) return std::nullopt;
  Finding f = pageFinding(audit, ids::kLargeImage);
  f.saving_bytes = excess;
  f.summary = count(images.size(), "image", "images") + " on " + pageName(audit) +
              (images.size() == 1 ? " is" : " are") + " over " + formatBytes(limits.image_limit) +
              " (" + formatBytes(total) + " in all, ~" + formatBytes(excess) + " to save)";
  f.evidence = {
      {"images", std::move(images)}, {"total_bytes", total}, {"limit_bytes", limits.image_limit}};
  return f;
}

}  // namespace detail

std::vector<Finding> auditPage(const PageAudit& audit, const AuditLimits& limits) {
  std::vector<Finding> out;
  auto add = [&out](std::optional<Finding> f) {
    if (f) out.push_back(std::move(*f));
  };
  add(detail::auditCertificate(audit, limits));
  // Without a response there is nothing to judge but the certificate.
  if (!detail::received(audit.page)) return out;
  add(detail::auditCompression(audit, limits));
  add(detail::auditCacheHeaders(audit, limits));
  add(detail::auditPageWeight(audit, limits));
  add(detail::auditCookiesOnStatic(audit));
  add(detail::auditLargeImages(audit, limits));
  add(detail::auditHttp2(audit, limits));
  add(detail::auditRedirects(audit));
  add(detail::auditSlowTls(audit, limits));
  add(detail::auditTlsResumption(audit, limits));
  return out;
}

}  // namespace shopwatch::agent::insights
