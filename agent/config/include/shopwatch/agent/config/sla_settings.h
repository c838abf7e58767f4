#pragma once
/// `sla:` — the contract terms a monthly report ([E]) measures against (DESIGN.md, "Accounting").

#include <string>
#include <string_view>
#include <vector>

#include "shopwatch/core/duration.h"

namespace shopwatch::agent {

/// `maintenance:` of an SLA entry. Exclude (default): maintenance time leaves the denominator.
/// CountAsDowntime: maintenance time counts as downtime (the client's contract does not exempt it).
enum class SlaMaintenance { Exclude, CountAsDowntime };
/// `unmonitored:` — time no run covered (agent stopped, host down). Exclude (default) | Up | Down.
enum class SlaUnmonitored { Exclude, Up, Down };

/// One `sla:` entry.
struct SlaTerms {
  std::vector<std::string> shops;       ///< shop names; each is a configured shop
  double target = 0.999;                ///< ratio in (0, 1]; `target: 99.9%` (rules' ratio grammar)
  std::string target_text = "99.9%";    ///< as written, for the report
  /// `shop/check` names the availability is computed over (each exists in one of `shops`);
  /// empty: every check of those shops.
  std::vector<std::string> checks;
  SlaMaintenance maintenance = SlaMaintenance::Exclude;
  SlaUnmonitored unmonitored = SlaUnmonitored::Exclude;
  /// `apdex_t:` Apdex threshold T (satisfied ≤ T, tolerating ≤ 4T); default 500ms.
  core::Micros apdex_t{500000};
  int line = 0;  ///< where the entry starts in the config file (1-based; 0 when built in code)
};

std::string_view slaMaintenanceName(SlaMaintenance m);  ///< "exclude" | "count_as_downtime"
std::string_view slaUnmonitoredName(SlaUnmonitored u);  ///< "exclude" | "up" | "down"

}  // namespace shopwatch::agent
