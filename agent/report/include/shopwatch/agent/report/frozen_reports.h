#pragma once
/// Frozen months (`shopwatch report --freeze`): the month's report JSON and the SLA terms used, stored
/// in the agent's database (component "reports"), so billed figures never change after retention,
/// renames or config edits.

#include <optional>
#include <string>

#include "shopwatch/core/clock.h"
#include "shopwatch/core/result.h"
#include "shopwatch/storage/database.h"

namespace shopwatch::agent::report {

storage::StorageComponent frozenReportsComponent();

struct FrozenReport {
  std::string month;        ///< "YYYY-MM"
  core::SystemTime frozen_at{};
  std::string terms_json;   ///< the `sla:` terms and time zone used, as JSON
  std::string report_json;  ///< reportJson() of the whole month (every shop)
};

/// The frozen copy of `month`, if any. A database without the table (never frozen into, an older
/// agent): nullopt, not an error.
core::Result<std::optional<FrozenReport>> loadFrozenReport(storage::Db& db, const std::string& month);
/// Stores `frozen` (one transaction). AlreadyExists-style error (Invalid, "month YYYY-MM is already
/// frozen (at …)") when the month has a copy: a frozen month is never overwritten.
core::Status saveFrozenReport(storage::Db& db, const FrozenReport& frozen);

}  // namespace shopwatch::agent::report
