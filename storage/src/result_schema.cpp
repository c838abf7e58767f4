#include "result_schema.h"

namespace shopwatch::storage::detail {

StorageComponent resultsComponent() {
  return StorageComponent{
      "results",
      {
          R"sql(
CREATE TABLE series(
  id INTEGER PRIMARY KEY,
  shop TEXT NOT NULL, env TEXT NOT NULL, check_name TEXT NOT NULL, step TEXT NOT NULL,
  UNIQUE(shop, env, check_name, step));
CREATE TABLE message(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
CREATE TABLE raw(
  series INTEGER NOT NULL,
  ts INTEGER NOT NULL,          -- µs; scheduled start (confirm rows: actual start)
  run_id INTEGER NOT NULL,
  flags INTEGER NOT NULL,       -- confirm 1, confirm_pending 2, maintenance 4, success 8, down 16, superseded 32
  reason INTEGER NOT NULL,      -- core::FailureReason
  message INTEGER,              -- message.id, failures only
  status INTEGER NOT NULL,
  interval_ms INTEGER NOT NULL,
  lag INTEGER NOT NULL,         -- µs from scheduled to actual start
  duration INTEGER NOT NULL,    -- µs; then the phases in µs
  resolve INTEGER NOT NULL, connect INTEGER NOT NULL, tls INTEGER NOT NULL,
  processing INTEGER NOT NULL, transfer INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  http_version INTEGER NOT NULL, -- 10, 11, 20, 30; 0 none
  cert_expiry INTEGER,           -- unix seconds
  covered INTEGER,               -- µs; NULL while this is the open last run
  PRIMARY KEY(series, ts)) WITHOUT ROWID;
CREATE TABLE rollup(
  series INTEGER NOT NULL,
  hour INTEGER NOT NULL,         -- unix hours
  runs INTEGER NOT NULL, failed INTEGER NOT NULL, down_runs INTEGER NOT NULL, confirm_runs INTEGER NOT NULL,
  r1 INTEGER NOT NULL, r2 INTEGER NOT NULL, r3 INTEGER NOT NULL, r4 INTEGER NOT NULL, r5 INTEGER NOT NULL,
  r6 INTEGER NOT NULL, r7 INTEGER NOT NULL, r8 INTEGER NOT NULL, r9 INTEGER NOT NULL, r10 INTEGER NOT NULL,
  r11 INTEGER NOT NULL,
  covered INTEGER NOT NULL, maintenance INTEGER NOT NULL, downtime INTEGER NOT NULL,
  unmonitored INTEGER NOT NULL,  -- µs
  hist BLOB NOT NULL,            -- LatencyHistogram::encode() of passing scheduled runs
  PRIMARY KEY(series, hour)) WITHOUT ROWID;
)sql",
          // v2: retention deletes messages no raw row references any more. The partial index makes
          // "is this message still used?" one probe while indexing only failure rows; the DELETE
          // removes what v1's retention left behind.
          R"sql(
CREATE INDEX raw_message ON raw(message) WHERE message IS NOT NULL;
DELETE FROM message WHERE NOT EXISTS (SELECT 1 FROM raw WHERE raw.message = message.id);
)sql",
          // v3: per-hour sums (µs) of the latency samples' timing phases — the runs `hist` counts —
          // for reports' phase breakdowns ([E]). Hours written before v3 read as zero.
          R"sql(
ALTER TABLE rollup ADD COLUMN resolve_sum INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup ADD COLUMN connect_sum INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup ADD COLUMN tls_sum INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup ADD COLUMN processing_sum INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollup ADD COLUMN transfer_sum INTEGER NOT NULL DEFAULT 0;
)sql",
      }};
}

const std::string& rollupCols() {
  static const std::string cols = [] {
    std::string c = "runs,failed,down_runs,confirm_runs";
    for (const auto& r : kReasonColumns) c += "," + std::string(r.column);
    c += ",covered,maintenance,downtime,unmonitored,hist";
    for (auto p : kPhaseSumColumns) c += "," + std::string(p);
    return c;
  }();
  return cols;
}

int httpVersionCode(const std::string& v) {
  if (v == "1.0") return 10;
  if (v == "1.1") return 11;
  if (v == "2" || v == "2.0") return 20;
  if (v == "3" || v == "3.0") return 30;
  return 0;
}

std::string httpVersionText(std::int64_t code) {
  switch (code) {
    case 10:
      return "1.0";
    case 11:
      return "1.1";
    case 20:
      return "2";
    case 30:
      return "3";
    default:
      return "";
  }
}

RawRow rawRowAt(const Statement& s, int col) {
  RawRow r;
  r.ts = s.i64(col + kRawTs);
  r.flags = s.i64(col + kRawFlags);
  r.reason = static_cast<int>(s.i64(col + kRawReason));
  r.interval_us = s.i64(col + kRawIntervalMs) * 1000;
  r.duration_us = s.i64(col + kRawDuration);
  r.covered_us = s.optI64(col + kRawCovered);
  return r;
}

StoredResult storedResultAt(const Statement& s, int col, SeriesKey series, std::string message) {
  StoredResult r;
  r.series = std::move(series);
  auto ts = s.i64(col + kRawTs);
  r.run_id = s.i64(col + kRawRunId);
  auto flags = s.i64(col + kRawFlags);
  r.confirm = (flags & kFlagConfirm) != 0;
  r.confirm_pending = (flags & kFlagConfirmPending) != 0;
  r.in_maintenance = (flags & kFlagMaintenance) != 0;
  r.counted_down = (flags & kFlagDown) != 0;
  r.result.success = (flags & kFlagSuccess) != 0;
  r.result.saturated = (flags & kFlagSaturated) != 0;
  r.result.failure = static_cast<core::FailureReason>(s.i64(col + kRawReason));
  r.result.message = std::move(message);
  r.result.status_code = static_cast<int>(s.i64(col + kRawStatus));
  r.interval = core::Micros{s.i64(col + kRawIntervalMs) * 1000};
  r.scheduled = core::fromMicros(ts);
  r.result.started = core::fromMicros(ts + s.i64(col + kRawLag));
  r.result.duration = core::Micros{s.i64(col + kRawDuration)};
  r.result.phases =
      core::Phases{core::Micros{s.i64(col + kRawResolve)}, core::Micros{s.i64(col + kRawConnect)},
                   core::Micros{s.i64(col + kRawTls)}, core::Micros{s.i64(col + kRawProcessing)},
                   core::Micros{s.i64(col + kRawTransfer)}};
  r.result.bytes = static_cast<std::uint64_t>(s.i64(col + kRawBytes));
  r.result.http_version = httpVersionText(s.i64(col + kRawHttpVersion));
  if (auto cert = s.optI64(col + kRawCertExpiry)) {
    r.result.cert_not_after = core::fromMicros(*cert * 1'000'000);
  }
  if (auto covered = s.optI64(col + kRawCovered)) r.covered = core::Micros{*covered};
  return r;
}

}  // namespace shopwatch::storage::detail
