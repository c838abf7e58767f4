#pragma once
/// Calendar arithmetic of a Recurrence on local days (private to shopwatch::rules: maintenance.cpp
/// turns these days into UTC instants in the spec's time zone).

#include <date/date.h>

#include <optional>

#include "shopwatch/rules/maintenance.h"

namespace shopwatch::rules::detail {

/// The latest local day ≤ `day` on which `r` has an occurrence (a `day 31` recurrence skips months
/// without a 31st). Empty only when none exists within a year before `day`, which no valid
/// recurrence produces.
std::optional<date::local_days> latestOccurrenceDay(const Recurrence& r, date::local_days day);

}  // namespace shopwatch::rules::detail
