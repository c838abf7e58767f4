#include "state_restore.h"

#include <algorithm>
#include <map>

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
  for (auto& row : *rows) {
    if (!row.series.step.empty()) continue;
    auto it = wanted.find(row.series.key);
    if (it == wanted.end()) continue;
    core::RunRecord r;
    r.key = row.series.key;
    r.run_id = row.run_id;
    r.confirm = row.confirm;
    r.confirm_pending = row.confirm_pending;
    r.in_maintenance = row.in_maintenance;
    r.interval = row.interval;
    r.scheduled = row.scheduled;
    r.result = std::move(row.result);
    // The store keeps no TLS flag or Content-Length; the check's URL tells whether TLS was used.
    if (const core::HttpProbe* http = it->second->http()) {
      r.result.ssl = http->request.url.rfind("https://", 0) == 0;
    }
    out.push_back(std::move(r));
  }
  std::stable_sort(out.begin(), out.end(), [](const core::RunRecord& a, const core::RunRecord& b) {
    if (a.key != b.key) return a.key < b.key;
    return a.result.started < b.result.started;
  });
  return out;
}

}  // namespace shopwatch::agent::runtime
