#pragma once
/// Text shared by the HTML renderers (report_html, status_page, svg_charts): escaping, number and
/// duration formatting, times in a time zone. Internal to shopwatch_agent_report.

#include <optional>
#include <string>
#include <string_view>

#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"

namespace shopwatch::agent::report::html {

/// Escapes `& < > " '` for element text and double- or single-quoted attribute values.
std::string escape(std::string_view text);

/// A ratio as a percentage with `decimals` decimals, rounded DOWN (never overstates):
/// 0.99949 → "99.9490"; float noise below 1e-9 of the ratio is ignored (0.999 → "99.9000").
std::string percentDown(double ratio, int decimals = 4);
/// As percentDown with the shortest form that keeps up to `decimals` decimals: 0.999 → "99.9".
std::string percentShort(double ratio, int decimals = 4);

/// `value` with `decimals` decimals (rounded to nearest), "C" locale.
std::string fixed(double value, int decimals);

/// A duration in human units with at most two parts: "0 s", "45 s", "43 min", "2 h 5 min", "3 d 4
/// h". Under a minute whole seconds; under an hour whole minutes (rounded up: 30 s of downtime is
/// "1 min").
std::string humanDuration(core::Micros d);

/// A latency: "85 ms", "1.24 s".
std::string latency(core::Micros d);
std::string latencySeconds(double seconds);

/// An IANA time zone name that the tz database knows, else "UTC".
std::string knownZone(const std::string& zone);
/// `t` in `zone` (IANA; unknown zones fall back to UTC) as `format` (date::format, e.g.
/// "%Y-%m-%d %H:%M %Z").
std::string localTime(core::SystemTime t, const std::string& zone,
                      const char* format = "%Y-%m-%d %H:%M %Z");

/// Whether `url` is a plain http(s) link that may go into an `<a href>` (no javascript:, data:, …).
bool isLinkable(std::string_view url);

/// Inline CSS shared by the report and the status page (screen, phone and print rules).
std::string_view baseCss();

}  // namespace shopwatch::agent::report::html
