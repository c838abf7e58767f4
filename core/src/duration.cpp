#include "shopwatch/core/duration.h"

#include <cctype>
#include <cstdint>
#include <limits>

namespace shopwatch::core {
namespace {

bool readNumber(std::string_view text, std::size_t& pos, double& out) {
  std::size_t start = pos;
  std::uint64_t whole = 0;
  bool digits = false;
  while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
    if (whole > std::numeric_limits<std::uint64_t>::max() / 20) return false;
    whole = whole * 10 + static_cast<std::uint64_t>(text[pos] - '0');
    ++pos;
    digits = true;
  }
  double value = static_cast<double>(whole);
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    double scale = 0.1;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      value += scale * (text[pos] - '0');
      scale /= 10;
      ++pos;
      digits = true;
    }
  }
  out = value;
  return digits && pos > start;
}

}  // namespace

Result<Micros> parseDuration(std::string_view text) {
  if (text.empty()) return makeError(ErrorCode::Invalid, "empty duration");
  std::size_t pos = 0;
  double total_us = 0;
  while (pos < text.size()) {
    double number = 0;
    if (!readNumber(text, pos, number)) {
      return makeError(ErrorCode::Invalid, "invalid duration \"" + std::string(text) +
                                               "\" (expected e.g. 250ms, 30s, 5m, 1h, 7d)");
    }
    std::size_t unit_start = pos;
    while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos]))) ++pos;
    std::string_view unit = text.substr(unit_start, pos - unit_start);
    double factor = 0;
    if (unit == "us") factor = 1;
    else if (unit == "ms") factor = 1e3;
    else if (unit == "s") factor = 1e6;
    else if (unit == "m") factor = 60e6;
    else if (unit == "h") factor = 3600e6;
    else if (unit == "d") factor = 86400e6;
    else {
      return makeError(ErrorCode::Invalid,
                       "invalid duration \"" + std::string(text) + "\": " +
                           (unit.empty() ? std::string("missing unit") : "unknown unit \"" + std::string(unit) + "\"") +
                           " (use us, ms, s, m, h or d)");
    }
    total_us += number * factor;
  }
  if (total_us > 1e15) return makeError(ErrorCode::Invalid, "duration \"" + std::string(text) + "\" is too large");
  return Micros{static_cast<std::int64_t>(total_us + 0.5)};
}

std::string formatDuration(Micros d) {
  const std::int64_t us = d.count();
  struct Unit { std::int64_t size; const char* name; };
  static constexpr Unit kUnits[] = {{86'400'000'000, "d"}, {3'600'000'000, "h"}, {60'000'000, "m"},
                                    {1'000'000, "s"},      {1'000, "ms"},        {1, "us"}};
  if (us == 0) return "0s";
  for (const auto& u : kUnits) {
    if (us % u.size == 0) return std::to_string(us / u.size) + u.name;
  }
  return std::to_string(us) + "us";
}

Result<std::uint64_t> parseSize(std::string_view text) {
  std::size_t pos = 0;
  double number = 0;
  if (!readNumber(text, pos, number)) {
    return makeError(ErrorCode::Invalid, "invalid size \"" + std::string(text) + "\" (expected e.g. 64KiB, 10MiB)");
  }
  std::string_view unit = text.substr(pos);
  double factor = 0;
  if (unit.empty() || unit == "B") factor = 1;
  else if (unit == "KiB") factor = 1024.0;
  else if (unit == "MiB") factor = 1024.0 * 1024;
  else if (unit == "GiB") factor = 1024.0 * 1024 * 1024;
  else if (unit == "KB" || unit == "kB") factor = 1e3;
  else if (unit == "MB") factor = 1e6;
  else if (unit == "GB") factor = 1e9;
  else {
    return makeError(ErrorCode::Invalid, "invalid size \"" + std::string(text) + "\": unknown unit \"" +
                                             std::string(unit) + "\" (use B, KiB, MiB, GiB, KB, MB or GB)");
  }
  double bytes = number * factor;
  if (bytes > 1e15) return makeError(ErrorCode::Invalid, "size \"" + std::string(text) + "\" is too large");
  return static_cast<std::uint64_t>(bytes + 0.5);
}

}  // namespace shopwatch::core
