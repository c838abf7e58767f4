#include "html_text.h"

#include <date/tz.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <sstream>

#include "shopwatch/core/text.h"

namespace shopwatch::agent::report::html {

std::string escape(std::string_view text) { return core::htmlEscape(text); }

std::string percentDown(double ratio, int decimals) {
  if (!std::isfinite(ratio)) return "-";
  if (decimals < 0) decimals = 0;
  if (decimals > 6) decimals = 6;
  // Ratio in units of 1e-9 first (drops float noise such as 0.999 = 0.99899999…), then floor to the
  // requested precision: percent with `decimals` decimals is a ratio step of 10^-(decimals + 2).
  const auto nano = static_cast<std::int64_t>(std::llround(ratio * 1e9));
  std::int64_t step = 1;
  for (int i = 0; i < 7 - decimals; ++i) step *= 10;
  std::int64_t units = nano / step;
  if (nano < 0 && nano % step != 0) --units;  // floor for negatives too
  std::int64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  const bool negative = units < 0;
  const std::int64_t abs_units = negative ? -units : units;
  std::string out = (negative ? "-" : "") + std::to_string(abs_units / scale);
  if (decimals > 0) {
    std::string frac = std::to_string(abs_units % scale);
    out += "." + std::string(static_cast<std::size_t>(decimals) - frac.size(), '0') + frac;
  }
  return out;
}

std::string percentShort(double ratio, int decimals) {
  std::string s = percentDown(ratio, decimals);
  if (s.find('.') == std::string::npos) return s;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string humanDuration(core::Micros d) {
  using std::chrono::duration_cast;
  std::int64_t us = d.count();
  if (us <= 0) return "0 s";
  constexpr std::int64_t kSecond = 1'000'000;
  constexpr std::int64_t kMinute = 60 * kSecond;
  constexpr std::int64_t kHour = 60 * kMinute;
  constexpr std::int64_t kDay = 24 * kHour;
  if (us < kMinute) return std::to_string((us + kSecond - 1) / kSecond) + " s";
  const std::int64_t minutes =
      (us + kMinute - 1) / kMinute;  // rounded up: never understate downtime
  if (minutes < 60) return std::to_string(minutes) + " min";
  if (minutes < 24 * 60) {
    const std::int64_t h = minutes / 60;
    const std::int64_t m = minutes % 60;
    return std::to_string(h) + " h" + (m != 0 ? " " + std::to_string(m) + " min" : "");
  }
  const std::int64_t hours = (us + kHour - 1) / kHour;
  const std::int64_t days = hours / 24;
  const std::int64_t h = hours % 24;
  (void)kDay;
  return std::to_string(days) + " d" + (h != 0 ? " " + std::to_string(h) + " h" : "");
}

std::string latencySeconds(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "-";
  if (seconds < 1.0)
    return std::to_string(static_cast<long long>(std::llround(seconds * 1000))) + " ms";
  return fixed(seconds, 2) + " s";
}

std::string latency(core::Micros d) { return latencySeconds(static_cast<double>(d.count()) / 1e6); }

namespace {

/// nullptr for UTC or an unknown zone. Exceptions of the tz library stay here.
const date::time_zone* lookup(const std::string& zone) {
  if (zone.empty() || zone == "UTC") return nullptr;
  try {
    const date::time_zone* z = date::locate_zone(zone);
    (void)z->get_info(date::sys_seconds{});
    return z;
  } catch (...) {
    return nullptr;
  }
}

}  // namespace

std::string knownZone(const std::string& zone) { return lookup(zone) == nullptr ? "UTC" : zone; }

std::string localTime(core::SystemTime t, const std::string& zone, const char* format) {
  const auto secs = std::chrono::time_point_cast<std::chrono::seconds>(t);
  try {
    const date::time_zone* z = lookup(zone);
    if (z == nullptr) {
      std::string f = format;
      // date::format on a sys_time prints %Z as "UTC".
      return date::format(f, secs);
    }
    return date::format(format, date::make_zoned(z, secs));
  } catch (...) {
    return date::format("%Y-%m-%d %H:%M UTC", secs);
  }
}

bool isLinkable(std::string_view url) {
  const auto starts = [&](std::string_view p) {
    if (url.size() < p.size()) return false;
    for (std::size_t i = 0; i < p.size(); ++i) {
      char c = url[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != p[i]) return false;
    }
    return true;
  };
  return starts("https://") || starts("http://");
}

std::string_view baseCss() {
  static constexpr std::string_view kCss = R"CSS(
:root{--ok:#1a7f37;--bad:#c62828;--warn:#b26a00;--muted:#5f6b7a;--line:#d9dee5;--bg:#f6f8fa;--maint:#1f5fbf}
*{box-sizing:border-box}
body{margin:0;font-family:-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2328;
background:#fff;line-height:1.45;font-size:16px}
main{max-width:1100px;margin:0 auto;padding:16px}
h1{font-size:1.7em;margin:.3em 0}h2{font-size:1.3em;margin:1.4em 0 .5em;border-bottom:1px solid var(--line)}
h3{font-size:1.08em;margin:1em 0 .4em}
.muted{color:var(--muted)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:12px}
.card{border:1px solid var(--line);border-radius:8px;padding:12px 14px;background:var(--bg)}
.verdict{font-size:1.6em;font-weight:700;margin:.1em 0}
.verdict.met,.state-up{color:var(--ok)}.verdict.missed,.state-down{color:var(--bad)}
.verdict.unknown,.state-pending{color:var(--muted)}.state-maintenance{color:var(--maint)}
.big{font-size:1.25em;font-weight:600}
table{border-collapse:collapse;width:100%;margin:.4em 0 1em;font-size:.93em}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
th{background:var(--bg)}td.num,th.num{text-align:right;white-space:nowrap}
.scroll{overflow-x:auto}
svg.chart{display:block;width:100%;height:auto;max-width:100%;margin:.3em 0 1em}
svg.chart text{font-size:11px;fill:#1f2328}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.85em;font-weight:600;color:#fff}
.badge.up{background:var(--ok)}.badge.down{background:var(--bad)}.badge.pending{background:var(--muted)}
.badge.maintenance{background:var(--maint)}
.prio{display:inline-block;padding:0 6px;border-radius:4px;font-size:.85em;font-weight:600;color:#fff;
background:var(--muted)}.prio-critical{background:var(--bad)}.prio-warning{background:var(--warn)}
.improve ol{padding-left:1.8em;margin:.4em 0 1em}.improve li{margin:.3em 0}.improve code{overflow-wrap:anywhere}
a{color:#0b57d0}
@media (max-width:600px){body{font-size:15px}main{padding:10px}h1{font-size:1.35em}
th,td{padding:4px 5px}.scroll>svg.chart{min-width:560px}}
@media print{body{font-size:10pt}main{max-width:none;padding:0}.scroll{overflow:visible}.card{break-inside:avoid}
svg.chart,table,tr{break-inside:avoid}a{color:inherit;text-decoration:none}h2{break-after:avoid}}
)CSS";
  return kCss;
}

}  // namespace shopwatch::agent::report::html
