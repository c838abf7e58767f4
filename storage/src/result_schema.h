#pragma once
// The "results" component: its migrations, its column layouts and how a row maps to StoredResult.
// Column positions are named constants; the rollup's per-reason columns are tied to
// core::FailureReason at compile time, so a new reason cannot shift columns silently.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "accounting.h"
#include "shopwatch/core/failure_reason.h"
#include "shopwatch/core/probe_result.h"
#include "shopwatch/storage/database.h"
#include "shopwatch/storage/result_record.h"

namespace shopwatch::storage::detail {

// Schema v1, v2 and v3 (PRAGMA user_version), unchanged: migrations are history.
StorageComponent resultsComponent();

// ---- raw
// Column positions in kRawCols order.
enum RawCol : int {
  kRawTs = 0,
  kRawRunId,
  kRawFlags,
  kRawReason,
  kRawMessage,
  kRawStatus,
  kRawIntervalMs,
  kRawLag,
  kRawDuration,
  kRawResolve,
  kRawConnect,
  kRawTls,
  kRawProcessing,
  kRawTransfer,
  kRawBytes,
  kRawHttpVersion,
  kRawCertExpiry,
  kRawCovered,
  kRawColCount,
};
inline constexpr std::string_view kRawCols =
    "ts,run_id,flags,reason,message,status,interval_ms,lag,duration,resolve,connect,tls,processing,"
    "transfer,bytes,http_version,cert_expiry,covered";

// ---- rollup: per-reason columns
struct ReasonColumn {
  core::FailureReason reason;
  int stored;  // the value in raw.reason and the N of column rN — fixed forever
  std::string_view column;
};
inline constexpr std::array<ReasonColumn, 11> kReasonColumns{{
    {core::FailureReason::Dns, 1, "r1"},
    {core::FailureReason::Connect, 2, "r2"},
    {core::FailureReason::Tls, 3, "r3"},
    {core::FailureReason::Timeout, 4, "r4"},
    {core::FailureReason::HttpStatus, 5, "r5"},
    {core::FailureReason::Assertion, 6, "r6"},
    {core::FailureReason::Extraction, 7, "r7"},
    {core::FailureReason::BodyTooLarge, 8, "r8"},
    {core::FailureReason::Redirects, 9, "r9"},
    {core::FailureReason::Protocol, 10, "r10"},
    {core::FailureReason::Internal, 11, "r11"},
}};

constexpr bool columnNamed(std::string_view column, int n) {
  if (column.size() < 2 || column[0] != 'r') return false;
  int v = 0;
  for (std::size_t i = 1; i < column.size(); ++i) {
    if (column[i] < '0' || column[i] > '9') return false;
    v = v * 10 + (column[i] - '0');
  }
  return v == n;
}
constexpr bool reasonColumnsTied() {
  for (std::size_t i = 0; i < kReasonColumns.size(); ++i) {
    const auto& c = kReasonColumns[i];
    if (c.stored != static_cast<int>(i) + 1) return false;
    if (static_cast<int>(c.reason) != c.stored) return false;
    if (!columnNamed(c.column, c.stored)) return false;
  }
  return true;
}
static_assert(static_cast<int>(core::FailureReason::None) == 0,
              "raw.reason 0 means the run passed");
static_assert(core::kFailureReasonCount == kReasonColumns.size() + 1,
              "a new core::FailureReason needs its rollup column: append {reason, 12, \"r12\"} to "
              "kReasonColumns and add a results migration with ALTER TABLE rollup ADD COLUMN r12");
static_assert(
    reasonColumnsTied(),
    "core::FailureReason values are stored: reason N is raw.reason N and rollup column rN; "
    "never renumber a reason");

// Column positions of a rollup row in rollupCols() order.
inline constexpr int kRollRuns = 0;
inline constexpr int kRollFailed = 1;
inline constexpr int kRollDownRuns = 2;
inline constexpr int kRollConfirmRuns = 3;
inline constexpr int kRollFirstReason = 4;  // reason N at kRollFirstReason + N - 1
inline constexpr int kRollCovered = kRollFirstReason + static_cast<int>(kReasonColumns.size());
inline constexpr int kRollMaintenance = kRollCovered + 1;
inline constexpr int kRollDowntime = kRollCovered + 2;
inline constexpr int kRollUnmonitored = kRollCovered + 3;
inline constexpr int kRollHist = kRollCovered + 4;
// v3: the latency samples' phase sums, in core::Phases order (resolve, connect, tls, processing,
// transfer) — RollupHour::phase_sum's order.
inline constexpr int kRollFirstPhase = kRollHist + 1;
inline constexpr std::array<std::string_view, 5> kPhaseSumColumns{
    "resolve_sum", "connect_sum", "tls_sum", "processing_sum", "transfer_sum"};
inline constexpr int kRollColCount = kRollFirstPhase + static_cast<int>(kPhaseSumColumns.size());
static_assert(kRollCovered == 15 && kRollHist == 19, "rollup layout of schema v1");
static_assert(kRollColCount == 25, "rollup layout of schema v3");
constexpr int rollupReasonCol(const ReasonColumn& c) { return kRollFirstReason + c.stored - 1; }
constexpr int rollupPhaseCol(std::size_t phase) { return kRollFirstPhase + static_cast<int>(phase); }

// A run's phases in kPhaseSumColumns order.
inline std::array<std::int64_t, 5> phaseValues(const core::Phases& p) {
  return {p.resolve.count(), p.connect.count(), p.tls.count(), p.processing.count(),
          p.transfer.count()};
}

// "runs,failed,down_runs,confirm_runs,r1,…,r11,covered,maintenance,downtime,unmonitored,hist,
// resolve_sum,connect_sum,tls_sum,processing_sum,transfer_sum".
const std::string& rollupCols();

// ---- rows
int httpVersionCode(const std::string& v);
std::string httpVersionText(std::int64_t code);

// The accounting view of a raw row whose kRawCols start at column `col`.
RawRow rawRowAt(const Statement& s, int col);
// A StoredResult from a raw row whose kRawCols start at column `col`; message text as given.
StoredResult storedResultAt(const Statement& s, int col, SeriesKey series, std::string message);

}  // namespace shopwatch::storage::detail
