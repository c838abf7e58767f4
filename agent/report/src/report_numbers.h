#pragma once
// Shared number and time formatting of the report formats (JSON, CSV, text): percent rounding, seconds
// from µs, RFC 3339 times. Private to agent/report.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/core/time_format.h"

namespace shopwatch::agent::report::detail {

/// A ratio in percent, rounded to 6 decimals (what JSON and CSV carry).
inline double percent6(double ratio) { return std::round(ratio * 100.0 * 1e6) / 1e6; }

/// A percent as JSON/CSV write it back from a parsed value: the ratio it stands for.
inline double ratioFromPercent(double percent) { return percent / 100.0; }

/// µs as seconds (a double).
inline double seconds(core::Micros us) { return static_cast<double>(us.count()) / 1e6; }

/// Seconds back to µs (rounded to the nearest µs).
inline core::Micros microsFromSeconds(double s) { return core::Micros{std::llround(s * 1e6)}; }

/// RFC 3339 UTC with "Z": whole seconds, or with the µs fraction when there is one (so a parsed
/// report writes the same text again).
inline std::string timeText(core::SystemTime t) {
  return core::formatRfc3339(t, core::toMicros(t) % 1000000 != 0);
}

/// A ratio in percent with 4 decimals, ROUNDED DOWN (a report never overstates availability:
/// 0.9989996 shows "99.8999"). The tiny tolerance keeps an exact 0.999312 from showing 99.9311
/// through binary rounding.
inline std::string percentFloor4(double ratio) {
  const double scaled = std::floor(ratio * 1e6 + 1e-6);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", scaled / 1e4);
  return buf;
}

/// A number of seconds without trailing zeros ("12", "0.5", "1.234567").
inline std::string secondsText(core::Micros us) {
  const std::int64_t v = us.count();
  const bool neg = v < 0;
  const std::uint64_t a = neg ? static_cast<std::uint64_t>(-(v + 1)) + 1 : static_cast<std::uint64_t>(v);
  std::string out = (neg ? "-" : "") + std::to_string(a / 1000000);
  std::uint64_t frac = a % 1000000;
  if (frac != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%06llu", static_cast<unsigned long long>(frac));
    std::string f = buf;
    while (!f.empty() && f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out;
}

/// A percent (already rounded) as text without trailing zeros ("99.9", "100").
inline std::string percentText(double ratio) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6f", percent6(ratio));
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace shopwatch::agent::report::detail
