#pragma once
/// How findings are ranked ([F] "priority from the estimated saving weighted by the step's
/// importance"): the one place that turns savings into a score and a priority.
///
/// - A byte saving costs time at the reference bandwidth (kReferenceBytesPerSecond, a good mobile
///   connection); a finding's saving_seconds is at least its bytes' time.
/// - weight: `insights.weights` (the most specific of `shop/check/step`, `shop/check` wins), else
///   `insights.checkout_weight` for a check or step whose name contains checkout, cart, basket,
///   payment or order, else 1.
/// - score = weight × saving_seconds; priority critical when score ≥ 1 s, warning when ≥ 0.2 s,
///   else info.
/// - One finding per identity (shop, env, check, step, finding id): when two analyses report the
///   same, the larger saving is kept.
/// - Order: score descending, then saving_bytes descending, then target and finding id (stable
///   across runs, so the backlog and the status page list the same order).

#include <vector>

#include "shopwatch/agent/config/insights_settings.h"
#include "shopwatch/agent/insights/finding.h"

namespace shopwatch::agent::insights {

inline constexpr double kReferenceBytesPerSecond = 1.5e6;  ///< 12 Mbit/s
inline constexpr double kCriticalScoreSeconds = 1.0;
inline constexpr double kWarningScoreSeconds = 0.2;

/// The importance of the finding's check or step (see above).
double findingWeight(const Finding& finding, const InsightsSettings& settings);
/// The priority a score earns.
rules::Severity priorityForScore(double score);
/// Fills saving_seconds (from bytes), score and priority of every finding, keeps one per
/// identity, then sorts them.
void rankFindings(std::vector<Finding>& findings, const InsightsSettings& settings);

}  // namespace shopwatch::agent::insights
