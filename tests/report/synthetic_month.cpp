#include "synthetic_month.h"

#include <cstdio>

#include "shopwatch/storage/sqlite_result_store.h"

namespace shopwatch::report_test {

using namespace std::chrono_literals;

std::vector<SyntheticSeries> syntheticChecks(const std::string& shop, const std::string& env,
                                             std::size_t n) {
  std::vector<SyntheticSeries> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "check-%04zu", i);
    out.push_back(SyntheticSeries{core::CheckKey{shop, env, name}, ""});
  }
  return out;
}

core::RunRecord syntheticRecord(const SyntheticSeries& series, std::int64_t run_id, bool confirm,
                                bool confirm_pending, core::SystemTime scheduled,
                                core::Micros interval, const RunShape& shape) {
  core::RunRecord r;
  r.key = series.key;
  r.step = series.step;
  r.run_id = run_id;
  r.confirm = confirm;
  r.confirm_pending = confirm_pending;
  r.in_maintenance = shape.in_maintenance;
  r.interval = interval;
  r.scheduled = scheduled;
  const bool success = confirm ? !shape.confirmed : shape.success;
  r.result.started = scheduled;
  r.result.success = success;
  r.result.failure = success ? core::FailureReason::None : core::FailureReason::Timeout;
  r.result.message = success ? "" : "request timed out after 10s";
  r.result.status_code = success ? 200 : 0;
  r.result.duration = shape.duration;
  r.result.phases = core::Phases{1000us, 2000us, 3000us, shape.duration / 2, 4000us};
  r.result.http_version = "1.1";
  r.result.bytes = 4096;
  return r;
}

namespace {

core::Status put(storage::SqliteResultStore& store, core::RunRecord&& record,
                 std::int64_t& queued) {
  // Flush before the queue can fill (enqueue never blocks: a full queue drops).
  if (++queued % 20000 == 0) {
    if (core::Status s = store.flush(); !s) return s;
  }
  if (!store.enqueue(std::move(record))) {
    if (core::Status s = store.flush(); !s) return s;
    return core::makeError(core::ErrorCode::Internal, "synthetic month: the store refused a run");
  }
  return {};
}

}  // namespace

core::Result<std::int64_t> fillMonth(storage::SqliteResultStore& store,
                                     const SyntheticMonth& month) {
  std::int64_t scheduled_runs = 0;
  std::int64_t queued = 0;
  std::int64_t index = 0;
  for (core::SystemTime t = month.from; t < month.to; t += month.interval, ++index) {
    for (const SyntheticSeries& s : month.series) {
      const RunShape shape = month.shape ? month.shape(s, t, index) : RunShape{};
      if (shape.skip) continue;
      const std::int64_t run_id = index + 1;
      const bool pending = !shape.success && shape.confirm;
      if (core::Status st = put(
              store, syntheticRecord(s, run_id, false, pending, t, month.interval, shape), queued);
          !st) {
        return st.error();
      }
      ++scheduled_runs;
      if (pending) {
        if (core::Status st =
                put(store, syntheticRecord(s, run_id, true, false, t + 5s, month.interval, shape),
                    queued);
            !st) {
          return st.error();
        }
      }
    }
  }
  if (core::Status s = store.flush(); !s) return s.error();
  return scheduled_runs;
}

}  // namespace shopwatch::report_test
