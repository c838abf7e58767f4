#include "shopwatch/agent/runtime/report_improvements.h"

#include "shopwatch/rules/severity.h"

namespace shopwatch::agent::runtime {

std::vector<report::ReportImprovement> reportImprovements(const std::vector<insights::Finding>& findings,
                                                          std::size_t limit, const std::string& shop) {
  std::vector<report::ReportImprovement> out;
  for (const auto& f : findings) {
    if (out.size() >= limit) break;
    if (!shop.empty() && f.key.shop != shop) continue;
    report::ReportImprovement i;
    i.shop = f.key.shop;
    i.env = f.key.env;
    i.check = f.key.check;
    i.step = f.step;
    i.finding = f.finding;
    i.priority = std::string(rules::severityName(f.priority));
    i.summary = f.summary;
    i.saving_seconds = f.saving_seconds;
    i.saving_bytes = f.saving_bytes;
    out.push_back(std::move(i));
  }
  return out;
}

}  // namespace shopwatch::agent::runtime
