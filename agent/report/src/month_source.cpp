#include "shopwatch/agent/report/month_source.h"

#include <optional>

#include "shopwatch/agent/report/frozen_reports.h"
#include "shopwatch/agent/report/report_formats.h"
#include "shopwatch/storage/sqlite_result_store.h"

namespace shopwatch::agent::report {

core::Result<MonthReport> monthReport(const AgentConfig& config, storage::SqliteResultStore& store,
                                      const ReportRequest& request) {
  std::optional<FrozenReport> frozen;
  const auto read = store.read([&](storage::Db& db) -> core::Status {
    auto loaded = loadFrozenReport(db, request.month.str());
    if (!loaded) return loaded.error();
    frozen = std::move(loaded.value());
    return {};
  });
  // A database that was never frozen into (no table yet, an older agent) simply has no frozen copy;
  // any other read error is one.
  if (!read && read.error().code != core::ErrorCode::NotFound) return read.error();
  if (!frozen) return buildMonthReport(config, store, request);
  auto parsed = reportFromJson(frozen->report_json);
  if (!parsed) {
    return core::makeError(parsed.error().code, "the frozen copy of " + request.month.str() +
                                                    " cannot be read: " + parsed.error().message);
  }
  parsed->frozen = true;
  parsed->frozen_at = frozen->frozen_at;
  if (request.shop) return filterShop(std::move(parsed.value()), *request.shop);
  return parsed;
}

}  // namespace shopwatch::agent::report
