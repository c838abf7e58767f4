#pragma once
/// A rule's expression: `KPI OPERATOR THRESHOLD` (`p95 > 800ms`, `availability < 99.9%`,
/// `apdex(500ms) < 0.9`, `failure_streak >= 3`). One grammar, parsed here; the config loader reports its
/// errors at the rule's file:line.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "shopwatch/core/duration.h"
#include "shopwatch/core/result.h"

namespace shopwatch::rules {

enum class Kpi {
  Availability,   ///< ratio 0..1: time-weighted as DESIGN.md "Accounting" (covered − down) / covered
  ErrorRate,      ///< ratio 0..1: failed decided runs / decided runs in the window
  P50, P90, P95, P99,  ///< seconds: nearest-rank duration of passing runs (latency samples)
  TtfbP95,        ///< seconds: p95 of the processing phase of passing runs
  Apdex,          ///< 0..1 with parameter T (Expr::apdex_t); failed runs are frustrated
  CertDays,       ///< days until the earliest certificate expiry seen by the latest run
  FailureStreak,  ///< consecutive failed decided runs, newest back
  SuccessStreak,  ///< consecutive passing decided runs, newest back
  NoData,         ///< seconds since the latest run's scheduled start (no window needed)
};

enum class CompareOp { Less, LessEqual, Greater, GreaterEqual };

/// A parsed expression. `threshold` is in the KPI's unit: ratios as 0..1 (`99.5%` → 0.995, `0.995`
/// also accepted), durations in seconds (`800ms` → 0.8), days for cert_days, counts for streaks.
struct Expr {
  Kpi kpi = Kpi::Availability;
  core::Micros apdex_t{0};  ///< Apdex only
  CompareOp op = CompareOp::Less;
  double threshold = 0;
  std::string text;  ///< as written (normalised spacing), shown in the API and incidents

  /// Whether `value` (in the KPI's unit) breaches: `value op threshold`.
  bool breached(double value) const;
};

/// Parses an expression. On failure the error (ErrorCode::Invalid) names the bad token (`"fast" is not a
/// threshold: ...`) and, when `error_column` is given, it receives the 0-based byte offset of that token
/// (the config loader turns it into file:line:col).
core::Result<Expr> parseExpr(std::string_view text, std::size_t* error_column = nullptr);

/// A ratio as users write it in thresholds and SLO objectives: `99.5%` (→ 0.995) or a plain decimal
/// `0.995`. Exact decimal parsing (so `99.9%` and `0.999` are the same number); no range check — the
/// caller says what range it needs. Empty when the text is neither form.
struct RatioText {
  double value = 0;
  bool percent = false;  ///< written with `%`
};
std::optional<RatioText> parseRatioText(std::string_view text);

/// The KPI's name as written in expressions (`availability`, `p95`, `apdex`, ...).
std::string_view kpiName(Kpi kpi);
/// Formats a value in the KPI's unit as users write it: `99.5%`, `812ms`, `3`, `12d`.
std::string formatKpiValue(Kpi kpi, double value);

}  // namespace shopwatch::rules
