// fillLast24h: the status page's hourly availability and p95 from one pass over the hourly rollups.
#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <tuple>

#include "shopwatch/agent/report/status_page.h"
#include "shopwatch/storage/result_store.h"

namespace shopwatch::agent::report {

namespace {

using std::chrono::hours;

/// Sums of one hour (or the whole 24 h) of a check.
struct Sums {
  core::Micros covered{0}, maintenance{0}, downtime{0};
  void add(const storage::RollupHour& h) {
    covered += h.covered;
    maintenance += h.maintenance;
    downtime += h.downtime;
  }
  /// (covered − maintenance − downtime) / (covered − maintenance); empty when nothing was covered
  /// outside maintenance.
  std::optional<double> availability() const {
    const double base = static_cast<double>((covered - maintenance).count());
    if (base <= 0) return std::nullopt;
    const double up = base - static_cast<double>(downtime.count());
    return std::clamp(up / base, 0.0, 1.0);
  }
};

/// Nearest-rank p95 over (value, count) pairs.
std::optional<double> p95(const std::vector<std::pair<core::Micros, std::uint64_t>>& latency) {
  std::uint64_t total = 0;
  for (const auto& entry : latency) total += entry.second;
  if (total == 0) return std::nullopt;
  const auto rank = static_cast<std::uint64_t>(std::ceil(0.95 * static_cast<double>(total)));
  std::vector<std::pair<core::Micros, std::uint64_t>> sorted = latency;
  std::sort(sorted.begin(), sorted.end());
  std::uint64_t seen = 0;
  for (const auto& entry : sorted) {
    seen += entry.second;
    if (seen >= std::max<std::uint64_t>(rank, 1))
      return static_cast<double>(entry.first.count()) / 1e6;
  }
  return static_cast<double>(sorted.back().first.count()) / 1e6;
}

}  // namespace

core::Status fillLast24h(storage::ResultReader& reader, StatusPage& page) {
  const core::SystemTime last = std::chrono::floor<hours>(page.now);
  const core::SystemTime first = last - hours{23};
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> index;
  std::vector<std::vector<Sums>> sums(page.checks.size(), std::vector<Sums>(24));
  for (std::size_t i = 0; i < page.checks.size(); ++i) {
    StatusCheck& c = page.checks[i];
    index.emplace(std::make_tuple(c.shop, c.env, c.check), i);
    c.hours.assign(24, StatusHour{});
    for (int h = 0; h < 24; ++h) c.hours[static_cast<std::size_t>(h)].hour = first + hours{h};
    c.availability_24h.reset();
  }
  auto status =
      reader.scanRollups(page.now - hours{24}, page.now, [&](const storage::RollupHour& row) {
        if (!row.series.step.empty() || row.hour < first || row.hour > last) return true;
        const auto it = index.find(
            std::make_tuple(row.series.key.shop, row.series.key.env, row.series.key.check));
        if (it == index.end()) return true;
        const auto slot =
            static_cast<std::size_t>(std::chrono::duration_cast<hours>(row.hour - first).count());
        sums[it->second][slot].add(row);
        StatusHour& h = page.checks[it->second].hours[slot];
        h.p95_seconds = p95(row.latency);
        return true;
      });
  if (!status) return status;
  for (std::size_t i = 0; i < page.checks.size(); ++i) {
    Sums day;
    for (std::size_t h = 0; h < 24; ++h) {
      page.checks[i].hours[h].availability = sums[i][h].availability();
      day.covered += sums[i][h].covered;
      day.maintenance += sums[i][h].maintenance;
      day.downtime += sums[i][h].downtime;
    }
    page.checks[i].availability_24h = day.availability();
  }
  return {};
}

}  // namespace shopwatch::agent::report
