#pragma once
/// One performance finding ([F]): what to improve, where, the evidence, and what it would save.
/// Findings are computed from stored results (phase breakdown, slow phases, regressions);
/// insights_priority.h ranks them.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shopwatch/core/check.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/rules/severity.h"

namespace shopwatch::agent::insights {

/// The `finding` ids: stable, part of the JSON, the metrics' `finding` label and the backlog
/// fingerprint. Never rename one.
namespace ids {
inline constexpr const char* kSlowTtfb = "slow-ttfb";              ///< server time dominates a slow p95
inline constexpr const char* kSlowDns = "slow-dns";
inline constexpr const char* kSlowConnect = "slow-connect";
inline constexpr const char* kSlowTls = "slow-tls";                ///< TLS handshake p95 is slow
inline constexpr const char* kSlowTransfer = "slow-transfer";
inline constexpr const char* kRegression = "regression";           ///< p95 / TTFB p95 worse than baseline
// Response audits (audits.h); `slow-tls` above is shared with the audit fetch's TLS phase.
inline constexpr const char* kNoCompression = "no-compression";
inline constexpr const char* kNoCacheHeaders = "no-cache-headers";
inline constexpr const char* kNoHttp2 = "no-http2";
inline constexpr const char* kRedirectChain = "redirect-chain";
inline constexpr const char* kPageWeight = "page-weight";
inline constexpr const char* kCookiesOnStatic = "cookies-on-static";
inline constexpr const char* kLargeImage = "large-image";
inline constexpr const char* kCertChain = "cert-chain";
inline constexpr const char* kNoTlsResumption = "no-tls-resumption";
}  // namespace ids

struct Finding {
  core::CheckKey key;   ///< shop, env, check
  std::string step;     ///< journey step; "" for the check itself
  std::string finding;  ///< one of ids::
  /// One sentence in plain words ("server time is 82% of checkout/cart p95 (1.42 s)").
  std::string summary;
  /// Estimated saving per page view / run. A byte saving also has a time saving (insights_priority.h
  /// converts bytes at the reference bandwidth); either may be 0.
  double saving_seconds = 0;
  std::uint64_t saving_bytes = 0;
  /// Numbers and the responses they came from, as a JSON object (URLs, headers seen, sample counts,
  /// percentiles). Never secrets: URLs are the check's redacted ones.
  nlohmann::json evidence = nlohmann::json::object();
  /// Regressions: when the slowdown started (the first run of the changed level).
  std::optional<core::SystemTime> since;
  /// Set by rankFindings(): the step's weight × saving_seconds, and the priority derived from it.
  double score = 0;
  rules::Severity priority = rules::Severity::Info;
};

/// `shop/env/check[/step]`: how a finding's target is spelled in logs, the fingerprint and evidence.
std::string findingTarget(const Finding& f);

}  // namespace shopwatch::agent::insights
