#include "shopwatch/storage/aggregate.h"

#include <chrono>

#include "shopwatch/storage/result_store.h"

namespace shopwatch::storage {

std::optional<double> Aggregate::availability(UnmonitoredPolicy policy) const {
  auto covered_us = covered.count();
  auto down_us = downtime.count();
  if (policy != UnmonitoredPolicy::Exclude) covered_us += unmonitored.count();
  if (policy == UnmonitoredPolicy::Down) down_us += unmonitored.count();
  auto denominator = covered_us - maintenance.count();
  if (denominator <= 0) return std::nullopt;
  return static_cast<double>(denominator - down_us) / static_cast<double>(denominator);
}

std::pair<core::SystemTime, core::SystemTime> monthWindow(int year, unsigned month) {
  using namespace std::chrono;
  auto first = year_month_day{std::chrono::year{year} / std::chrono::month{month} / 1};
  auto next = year_month_day{first.year() / first.month() / 1} + months{1};
  auto from = time_point_cast<microseconds>(sys_days{first});
  auto to = time_point_cast<microseconds>(sys_days{year_month_day{next.year() / next.month() / 1}});
  return {core::SystemTime{from.time_since_epoch()}, core::SystemTime{to.time_since_epoch()}};
}

}  // namespace shopwatch::storage
