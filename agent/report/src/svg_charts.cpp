#include "svg_charts.h"

#include <date/tz.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "html_text.h"
#include "shopwatch/core/clock.h"

namespace shopwatch::agent::report::html {

namespace {

constexpr const char* kOk = "#1a7f37";
constexpr const char* kBad = "#c62828";
constexpr const char* kWarn = "#e0a100";
constexpr const char* kNone = "#c9d1d9";

/// An SVG coordinate with one decimal ("12.5", "-0.3"): thousands per page, so no printf.
std::string num(double v) {
  if (!std::isfinite(v)) return "0";
  const long long tenths = std::llround(v * 10);
  const unsigned long long a = tenths < 0 ? 0ULL - static_cast<unsigned long long>(tenths)
                                          : static_cast<unsigned long long>(tenths);
  std::string out = tenths < 0 ? "-" : "";
  out += std::to_string(a / 10);
  out += '.';
  out += static_cast<char>('0' + a % 10);
  return out;
}

/// "HH:MM" of an hour in `zone`: every check's 24 h strip labels the same hours, so they are
/// formatted once per thread and zone (a zoned date::format costs microseconds).
const std::string& hourLabel(core::SystemTime hour, const std::string& zone) {
  thread_local std::string cached_zone;
  thread_local std::unordered_map<std::int64_t, std::string> labels;
  if (zone != cached_zone || labels.size() > 4096) {
    labels.clear();
    cached_zone = zone;
  }
  const std::int64_t key = core::toMicros(hour);
  auto it = labels.find(key);
  if (it == labels.end()) it = labels.emplace(key, localTime(hour, zone, "%H:%M")).first;
  return it->second;
}

/// The opening tag with the accessibility attributes and the <title>.
std::string open(std::string_view kind, int width, int height, std::string_view label) {
  const std::string l = escape(label);
  return "<svg class=\"chart chart-" + std::string(kind) + "\" viewBox=\"0 0 " +
         std::to_string(width) + " " + std::to_string(height) + "\" width=\"" +
         std::to_string(width) + "\" height=\"" + std::to_string(height) +
         "\" role=\"img\" aria-label=\"" + l + "\" preserveAspectRatio=\"xMinYMin meet\"><title>" +
         l + "</title>";
}

std::string text(double x, double y, std::string_view body, std::string_view anchor = "start",
                 std::string_view extra = "") {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + std::string(anchor) +
         "\"" + (extra.empty() ? "" : " " + std::string(extra)) + ">" + escape(body) + "</text>";
}

std::string rect(double x, double y, double w, double h, std::string_view fill,
                 std::string_view tip = "") {
  std::string r = "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" +
                  num(std::max(w, 0.0)) + "\" height=\"" + num(std::max(h, 0.0)) + "\" fill=\"" +
                  std::string(fill) + "\"";
  if (tip.empty()) return r + "/>";
  return r + "><title>" + escape(tip) + "</title></rect>";
}

std::string line(double x1, double y1, double x2, double y2, std::string_view stroke,
                 std::string_view extra = "") {
  return "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" +
         num(y2) + "\" stroke=\"" + std::string(stroke) + "\"" +
         (extra.empty() ? "" : " " + std::string(extra)) + "/>";
}

double seconds(core::Micros d) { return static_cast<double>(d.count()) / 1e6; }

/// The lowest y-axis value that shows every figure: the largest of 99.9 %, 99 %, 95 %, 90 %, 50 %,
/// 0 at or below all of them.
double availabilityFloor(double lowest) {
  for (const double f : {0.999, 0.99, 0.95, 0.9, 0.5}) {
    if (lowest >= f) return f;
  }
  return 0.0;
}

/// A round axis maximum at or above `v` (1, 2, 5 × 10^n).
double niceMax(double v) {
  if (v <= 0) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    if (v <= m * p) return m * p;
  }
  return 10 * p;
}

}  // namespace

std::string dailyAvailabilityChart(const CheckReport& check, std::optional<double> target,
                                   std::string_view label) {
  constexpr int kW = 720, kH = 200, kLeft = 56, kRight = 8, kTop = 10, kBottom = 28;
  const double goal = target.value_or(1.0);
  double lowest = target.value_or(1.0);
  for (const auto& d : check.days)
    if (d.availability) lowest = std::min(lowest, *d.availability);
  const double lo = availabilityFloor(lowest);
  const double plot_w = kW - kLeft - kRight;
  const double plot_h = kH - kTop - kBottom;
  const auto y_of = [&](double a) { return kTop + plot_h * (1.0 - (a - lo) / (1.0 - lo)); };
  std::string s = open("daily-availability", kW, kH, label);
  for (const double a : {lo, (lo + 1.0) / 2, 1.0}) {
    s += line(kLeft, y_of(a), kW - kRight, y_of(a), "#e5e9ef");
    s += text(kLeft - 4, y_of(a) + 4, percentShort(a, 3) + " %", "end");
  }
  const std::size_t n = std::max<std::size_t>(check.days.size(), 1);
  const double slot = plot_w / static_cast<double>(n);
  for (std::size_t i = 0; i < check.days.size(); ++i) {
    const DayFigures& d = check.days[i];
    const double x = kLeft + slot * static_cast<double>(i) + slot * 0.12;
    const double w = slot * 0.76;
    if (!d.availability) {
      s += rect(x, kTop + plot_h - 3, w, 3, kNone, d.date + ": not monitored");
    } else {
      const double a = std::clamp(*d.availability, lo, 1.0);
      const double y = y_of(a);
      const double h = std::max(kTop + plot_h - y, 1.5);
      std::string tip = d.date + ": " + percentDown(*d.availability) + " %";
      if (d.downtime.count() > 0) tip += ", downtime " + humanDuration(d.downtime);
      s += rect(x, kTop + plot_h - h, w, h, *d.availability >= goal ? kOk : kBad, tip);
    }
    if (i % 7 == 0 || (i + 1 == check.days.size() && i % 7 >= 3)) {
      const std::string day = d.date.size() >= 10 ? d.date.substr(8, 2) : d.date;
      s += text(x + w / 2, kH - 10, day, "middle");
    }
  }
  if (target) {
    s += line(kLeft, y_of(goal), kW - kRight, y_of(goal), "#444", "stroke-dasharray=\"5 4\"");
    s += text(kW - kRight, y_of(goal) - 3, "target " + percentShort(goal, 3) + " %", "end");
  }
  return s + "</svg>";
}

std::string latencyPercentilesChart(const CheckReport& check, std::string_view label) {
  constexpr int kW = 720, kH = 200, kLeft = 56, kRight = 8, kTop = 22, kBottom = 28;
  double top = 0;
  for (const auto& d : check.days)
    for (const auto& p : {d.p50, d.p95, d.p99})
      if (p) top = std::max(top, seconds(*p));
  const double ymax = niceMax(top * 1.05);
  const double plot_w = kW - kLeft - kRight;
  const double plot_h = kH - kTop - kBottom;
  const std::size_t n = std::max<std::size_t>(check.days.size(), 1);
  const double slot = plot_w / static_cast<double>(n);
  const auto x_of = [&](std::size_t i) { return kLeft + slot * (static_cast<double>(i) + 0.5); };
  const auto y_of = [&](double v) { return kTop + plot_h * (1.0 - v / ymax); };
  std::string s = open("latency-percentiles", kW, kH, label);
  for (const double v : {0.0, ymax / 2, ymax}) {
    s += line(kLeft, y_of(v), kW - kRight, y_of(v), "#e5e9ef");
    s += text(kLeft - 4, y_of(v) + 4, latencySeconds(v), "end");
  }
  struct Series {
    const char* name;
    const char* color;
    std::optional<core::Micros> DayFigures::*field;
  };
  const std::array<Series, 3> series{{{"p50", "#2f81f7", &DayFigures::p50},
                                      {"p95", "#e0a100", &DayFigures::p95},
                                      {"p99", "#c62828", &DayFigures::p99}}};
  double legend_x = kLeft;
  for (const Series& ser : series) {
    std::string points;
    const auto flush = [&] {
      if (!points.empty())
        s += "<polyline fill=\"none\" stroke=\"" + std::string(ser.color) +
             "\" stroke-width=\"2\" points=\"" + points + "\"/>";
      points.clear();
    };
    for (std::size_t i = 0; i < check.days.size(); ++i) {
      const auto& v = check.days[i].*ser.field;
      if (!v) {
        flush();
        continue;
      }
      points += num(x_of(i)) + "," + num(y_of(seconds(*v))) + " ";
      s += "<circle cx=\"" + num(x_of(i)) + "\" cy=\"" + num(y_of(seconds(*v))) +
           "\" r=\"2\" fill=\"" + ser.color + "\"><title>" +
           escape(check.days[i].date + " " + ser.name + ": " + latency(*v)) + "</title></circle>";
    }
    flush();
    s += rect(legend_x, 6, 12, 4, ser.color) + text(legend_x + 16, 12, ser.name);
    legend_x += 60;
  }
  for (std::size_t i = 0; i < check.days.size(); i += 7) {
    const std::string& date = check.days[i].date;
    s += text(x_of(i), kH - 10, date.size() >= 10 ? date.substr(8, 2) : date, "middle");
  }
  if (top == 0)
    s += text(kW / 2.0, kTop + plot_h / 2, "no passing runs with latency this month", "middle");
  return s + "</svg>";
}

std::string phaseBreakdownChart(const std::vector<PhaseRow>& rows, std::string_view label) {
  constexpr int kW = 720, kLeft = 170, kRight = 80, kRow = 24, kTop = 26;
  const int height = kTop + kRow * static_cast<int>(std::max<std::size_t>(rows.size(), 1)) + 8;
  static constexpr std::array<const char*, 5> kNames{"DNS", "connect", "TLS", "server processing",
                                                     "transfer"};
  static constexpr std::array<const char*, 5> kColors{"#8250df", "#2f81f7", "#1a7f37", "#e0a100",
                                                      "#cf222e"};
  const auto parts = [](const PhaseBreakdown& p) {
    return std::array<double, 5>{seconds(p.resolve), seconds(p.connect), seconds(p.tls),
                                 seconds(p.processing), seconds(p.transfer)};
  };
  double top = 0;
  for (const auto& r : rows) {
    if (r.phases == nullptr) continue;
    double sum = 0;
    for (const double v : parts(*r.phases)) sum += v;
    top = std::max(top, sum);
  }
  if (top <= 0) top = 1;
  std::string s = open("phase-breakdown", kW, height, label);
  double lx = 0;
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    s += rect(lx, 6, 12, 10, kColors[i]) + text(lx + 16, 15, kNames[i]);
    lx += 30 + 7.0 * static_cast<double>(std::string_view(kNames[i]).size());
  }
  const double plot_w = kW - kLeft - kRight;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const double y = kTop + kRow * static_cast<double>(r);
    std::string name = rows[r].name;
    if (name.size() > 26) name = name.substr(0, 25) + "…";
    s += text(kLeft - 6, y + 15, name, "end");
    if (rows[r].phases == nullptr || rows[r].phases->samples == 0) {
      s += text(kLeft, y + 15, "no samples", "start", "fill=\"#5f6b7a\"");
      continue;
    }
    double x = kLeft;
    double sum = 0;
    const auto values = parts(*rows[r].phases);
    for (std::size_t i = 0; i < values.size(); ++i) {
      const double w = plot_w * values[i] / top;
      s += rect(x, y + 4, w, kRow - 8, kColors[i],
                rows[r].name + " " + kNames[i] + ": " + latencySeconds(values[i]));
      x += w;
      sum += values[i];
    }
    s += text(x + 4, y + 15, latencySeconds(sum));
  }
  return s + "</svg>";
}

std::string incidentTimelineChart(core::SystemTime from, core::SystemTime to,
                                  core::SystemTime open_until, const std::vector<TimelineRow>& rows,
                                  const std::string& zone, std::string_view label) {
  constexpr int kW = 720, kLeft = 170, kRight = 10, kRow = 22, kTop = 8, kAxis = 22;
  const int height = kTop + kRow * static_cast<int>(std::max<std::size_t>(rows.size(), 1)) + kAxis;
  const double span = std::max<double>(static_cast<double>((to - from).count()), 1.0);
  const double plot_w = kW - kLeft - kRight;
  const auto x_of = [&](core::SystemTime t) {
    const double f = static_cast<double>((std::clamp(t, from, to) - from).count()) / span;
    return kLeft + plot_w * f;
  };
  std::string s = open("incident-timeline", kW, height, label);
  const double axis_y = kTop + kRow * static_cast<double>(std::max<std::size_t>(rows.size(), 1));
  // Day ticks at local midnights of the contract zone (days are 23 or 25 h long across DST).
  const date::time_zone* z = nullptr;
  try {
    if (knownZone(zone) != "UTC") z = date::locate_zone(zone);
  } catch (...) {
    z = nullptr;
  }
  const auto local_day = [&](core::SystemTime t) {
    const auto secs = std::chrono::time_point_cast<std::chrono::seconds>(t);
    if (z == nullptr) return date::local_days{date::floor<date::days>(secs).time_since_epoch()};
    return date::floor<date::days>(z->to_local(secs));
  };
  const auto midnight = [&](date::local_days d) -> core::SystemTime {
    if (z == nullptr)
      return core::SystemTime{std::chrono::duration_cast<core::Micros>(d.time_since_epoch())};
    return std::chrono::time_point_cast<core::Micros>(z->to_sys(d, date::choose::earliest));
  };
  int day_index = 0;
  for (date::local_days d = local_day(from); midnight(d) < to && day_index < 40;
       d += date::days{1}, ++day_index) {
    const core::SystemTime m = midnight(d);
    if (m < from) continue;
    const double x = x_of(m);
    s += line(x, kTop, x, axis_y, "#eef1f4");
    const unsigned dom = static_cast<unsigned>(date::year_month_day{d}.day());
    if (dom == 1 || dom % 7 == 1) s += text(x + 2, axis_y + 14, std::to_string(dom));
  }
  s += line(kLeft, axis_y, kW - kRight, axis_y, "#8c959f");
  if (rows.empty()) s += text(kLeft + plot_w / 2, kTop + 15, "no incidents this month", "middle");
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const double y = kTop + kRow * static_cast<double>(r);
    std::string name = rows[r].name;
    if (name.size() > 26) name = name.substr(0, 25) + "…";
    s += text(kLeft - 6, y + 15, name, "end");
    if (rows[r].incidents == nullptr) continue;
    for (const ReportIncident& inc : *rows[r].incidents) {
      const core::SystemTime end = inc.end.value_or(open_until);
      const double x1 = x_of(inc.start);
      const double x2 = std::max(x_of(end), x1 + 3);
      const char* color = inc.severity == "critical"  ? kBad
                          : inc.severity == "warning" ? kWarn
                                                      : "#2f81f7";
      std::string tip = inc.rule + " (" + inc.severity + "): " + localTime(inc.start, zone) + ", " +
                        (inc.end ? humanDuration(inc.duration) : std::string("still open"));
      if (!inc.ticket.empty()) tip += ", ticket " + inc.ticket;
      s += rect(x1, y + 4, x2 - x1, kRow - 8, color, tip);
    }
  }
  return s + "</svg>";
}

std::string hourlyAvailabilityStrip(const std::vector<StatusHour>& hours, const std::string& zone,
                                    std::string_view label) {
  constexpr int kW = 240, kH = 22;
  const double cell = kW / static_cast<double>(std::max<std::size_t>(hours.size(), 1));
  std::string s = open("24h-availability", kW, kH, label);
  for (std::size_t i = 0; i < hours.size(); ++i) {
    const StatusHour& h = hours[i];
    const char* color = !h.availability           ? kNone
                        : *h.availability >= 1.0  ? kOk
                        : *h.availability >= 0.99 ? kWarn
                                                  : kBad;
    const std::string tip =
        hourLabel(h.hour, zone) + ": " +
        (h.availability ? percentShort(*h.availability, 2) + " %" : std::string("no data"));
    s += rect(cell * static_cast<double>(i) + 0.5, 1, cell - 1, kH - 2, color, tip);
  }
  return s + "</svg>";
}

std::string p95Sparkline(const std::vector<StatusHour>& hours, std::string_view label) {
  constexpr int kW = 240, kH = 30;
  double top = 0;
  for (const auto& h : hours)
    if (h.p95_seconds) top = std::max(top, *h.p95_seconds);
  const double ymax = top > 0 ? top * 1.1 : 1;
  const double cell = kW / static_cast<double>(std::max<std::size_t>(hours.size(), 1));
  std::string s = open("24h-p95", kW, kH, label);
  std::string points;
  const auto flush = [&] {
    if (!points.empty())
      s += "<polyline fill=\"none\" stroke=\"#2f81f7\" stroke-width=\"1.5\" points=\"" + points +
           "\"/>";
    points.clear();
  };
  for (std::size_t i = 0; i < hours.size(); ++i) {
    if (!hours[i].p95_seconds) {
      flush();
      continue;
    }
    const double x = cell * (static_cast<double>(i) + 0.5);
    const double y = 2 + (kH - 4) * (1.0 - *hours[i].p95_seconds / ymax);
    points += num(x) + "," + num(y) + " ";
    s += "<circle cx=\"" + num(x) + "\" cy=\"" + num(y) +
         "\" r=\"1.5\" fill=\"#2f81f7\"><title>p95 " +
         escape(latencySeconds(*hours[i].p95_seconds)) + "</title></circle>";
  }
  flush();
  if (top == 0) s += text(kW / 2.0, kH / 2.0 + 4, "no latency data", "middle", "fill=\"#5f6b7a\"");
  return s + "</svg>";
}

}  // namespace shopwatch::agent::report::html
