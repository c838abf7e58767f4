// The "What to improve next" block of reportText and section of reportHtml.
#include "report_improvements.h"

#include <cstdio>

#include "html_text.h"
#include "shopwatch/core/text.h"

namespace shopwatch::agent::report::detail {
namespace {



/// The badge class of a priority: one of the three known ones (anything else shows as info).
std::string priorityClass(const std::string& priority) {
  if (priority == "critical" || priority == "warning") return priority;
  return "info";
}

}  // namespace

std::string improvementTarget(const ReportImprovement& i) {
  std::string t = i.shop + "/" + i.check;
  if (!i.step.empty()) t += "/" + i.step;
  if (!i.env.empty() && i.env != "production") t += " (" + i.env + ")";
  return t;
}

std::string improvementSaving(const ReportImprovement& i) {
  std::string out = core::shortSeconds(i.saving_seconds);
  if (i.saving_bytes > 0) out += ", " + core::shortBytes(i.saving_bytes);
  return out;
}

std::string improvementsText(const std::vector<ReportImprovement>& improvements) {
  if (improvements.empty()) return {};
  std::string out = "What to improve next (performance findings when this report was generated):\n";
  std::size_t n = 0;
  for (const auto& i : improvements) {
    char head[48];
    std::snprintf(head, sizeof head, "  %2zu. %-8s ", ++n, i.priority.substr(0, 16).c_str());
    out += head + i.finding + "  " + improvementTarget(i) + ": " + i.summary + " (saves ~" +
           improvementSaving(i) + ")\n";
  }
  return out;
}

std::string improvementsHtml(const std::vector<ReportImprovement>& improvements) {
  if (improvements.empty()) return {};
  std::string s =
      "<section id=\"improve\" class=\"improve\"><h2>What to improve next</h2><p class=\"muted\">"
      "The performance findings when this report was generated, most important first. Savings are "
      "estimates per page view.</p><ol>";
  for (const auto& i : improvements) {
    const std::string cls = priorityClass(i.priority);
    s += "<li><span class=\"prio prio-" + cls + "\">" + html::escape(i.priority) + "</span> <b>" +
         html::escape(improvementTarget(i)) + "</b> <code>" + html::escape(i.finding) + "</code>: " +
         html::escape(i.summary) + " <i>(saves ~" + html::escape(improvementSaving(i)) + ")</i></li>";
  }
  return s + "</ol></section>";
}

}  // namespace shopwatch::agent::report::detail
