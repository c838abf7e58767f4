#include "state_restore.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "shopwatch/storage/result_record.h"
#include "shopwatch/storage/result_store.h"

namespace shopwatch::agent::runtime {

namespace {

// Enough rows for the last deciding run: a scheduled failure, its confirm, and the run before them.
constexpr std::size_t kRowsPerSeries = 4;

}  // namespace

core::Result<std::vector<core::RunRecord>> loadLatestRuns(
    storage::ResultReader& reader, const std::vector<std::shared_ptr<const core::Check>>& checks) {
  std::map<core::CheckKey, const core::Check*> wanted;
  for (const auto& c : checks) {
    if (c) wanted.emplace(c->key, c.get());
  }
  auto rows = reader.latestPerSeries(kRowsPerSeries);
  if (!rows) return rows.error();
  std::vector<core::RunRecord> out;
  out.reserve(rows->size());
  // Step rows go back into their journey run's result, in the journey's step order.
  std::map<std::tuple<core::CheckKey, std::int64_t, bool>, std::map<std::string, core::ProbeResult>> steps;
  for (auto& row : *rows) {
    auto it = wanted.find(row.series.key);
    if (it == wanted.end()) continue;
    if (!row.series.step.empty()) {
      steps[{row.series.key, row.run_id, row.confirm}][row.series.step] = std::move(row.result);
      continue;
    }
    core::RunRecord r = storage::toRunRecord(row);
    // The store keeps no TLS flag or Content-Length; the check's URL tells whether TLS was used.
    if (const core::HttpProbe* http = it->second->http()) {
      r.result.ssl = http->request.url.rfind("https://", 0) == 0;
    }
    out.push_back(std::move(r));
  }
  for (auto& r : out) {
    const core::JourneyProbe* journey = wanted[r.key]->journey();
    auto found = steps.find({r.key, r.run_id, r.confirm});
    if (journey == nullptr || found == steps.end()) continue;
    auto add = [&](const std::vector<core::JourneyStep>& list, bool cleanup) {
      for (const auto& step : list) {
        auto s = found->second.find(step.name);
        if (s == found->second.end()) continue;
        r.result.steps.push_back(core::StepResult{step.name, false, cleanup, std::move(s->second)});
      }
    };
    add(journey->steps, false);
    add(journey->cleanup, true);
  }
  std::stable_sort(out.begin(), out.end(), [](const core::RunRecord& a, const core::RunRecord& b) {
    if (a.key != b.key) return a.key < b.key;
    return a.result.started < b.result.started;
  });
  return out;
}

}  // namespace shopwatch::agent::runtime
