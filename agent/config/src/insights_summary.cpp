#include "shopwatch/agent/config/insights_summary.h"

#include <array>
#include <cstdio>

namespace shopwatch::agent {
namespace {

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string formatWeight(double weight) {
  std::array<char, 32> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%g", weight);
  return buffer.data();
}

}  // namespace

std::string formatByteSize(std::uint64_t bytes) {
  struct Unit {
    std::uint64_t size;
    const char* name;
  };
  // Binary units first: the defaults are binary, and `1MiB` reads better than `1048576B`.
  static constexpr std::array<Unit, 6> kUnits = {{{1ull << 30, "GiB"},
                                                  {1ull << 20, "MiB"},
                                                  {1ull << 10, "KiB"},
                                                  {1'000'000'000, "GB"},
                                                  {1'000'000, "MB"},
                                                  {1'000, "KB"}}};
  for (const auto& unit : kUnits) {
    if (bytes >= unit.size && bytes % unit.size == 0)
      return std::to_string(bytes / unit.size) + unit.name;
  }
  return std::to_string(bytes) + "B";
}

std::vector<std::string> insightsSummary(const AgentConfig& config) {
  const InsightsSettings& s = config.insights;
  std::vector<std::string> out;
  if (s.line == 0) return out;
  out.push_back("asset hosts  " + (s.asset_hosts.empty() ? std::string("each page's own host only")
                                                         : joined(s.asset_hosts)));
  if (s.audit_interval.count() == 0) {
    out.emplace_back("audits off");
  } else {
    out.push_back("audits every " + core::formatDuration(s.audit_interval) + "  max " +
                  std::to_string(s.max_assets) + " assets, each up to " +
                  formatByteSize(s.max_asset_bytes) + "  page weight limit " +
                  formatByteSize(s.page_weight_limit) + "  image limit " +
                  formatByteSize(s.image_limit));
  }
  if (s.backlog.empty()) {
    out.emplace_back("not filed (no insights.backlog)");
  } else {
    const auto priority = rules::severityName(s.min_priority);
    out.push_back("filed into " + s.backlog + "  issue type " +
                  (s.issue_type.empty() ? std::string("(the sink's own)") : s.issue_type) +
                  "  from " + std::string(priority) + "  closed " +
                  core::formatDuration(s.close_after) + " after the finding is gone");
  }
  std::vector<std::string> weights;
  for (const auto& [name, weight] : s.weights) weights.push_back(name + " " + formatWeight(weight));
  out.push_back("weights  checkout " + formatWeight(s.checkout_weight) +
                (weights.empty() ? std::string() : "  " + joined(weights)));
  return out;
}

}  // namespace shopwatch::agent
