#include <array>
#include <charconv>
#include <string>
#include <vector>

#include "recurrence_dates.h"
#include "shopwatch/core/text.h"
#include "shopwatch/rules/maintenance.h"

namespace shopwatch::rules {

namespace {

constexpr std::array<std::string_view, 7> kWeekdays{"sunday",   "monday", "tuesday", "wednesday",
                                                    "thursday", "friday", "saturday"};
constexpr std::array<std::string_view, 7> kWeekdayShort{"sun", "mon", "tue", "wed",
                                                        "thu", "fri", "sat"};
constexpr std::string_view kForms =
    R"(expected "daily HH:MM", "<weekday> HH:MM", "day N HH:MM" or "<first|second|third|fourth|last> <weekday> HH:MM")";

core::Error invalid(std::string message) {
  return core::makeError(core::ErrorCode::Invalid, std::move(message));
}

std::string quoted(std::string_view word) { return "\"" + std::string(word) + "\""; }

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    const std::size_t begin = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > begin) out.push_back(text.substr(begin, i - begin));
  }
  return out;
}

std::optional<unsigned> weekdayOf(std::string_view word) {
  const std::string lower = core::asciiLower(word);
  for (unsigned i = 0; i < kWeekdays.size(); ++i) {
    if (lower == kWeekdays[i] || lower == kWeekdayShort[i]) return i;
  }
  return std::nullopt;
}

std::optional<int> nthOf(std::string_view word) {
  const std::string lower = core::asciiLower(word);
  if (lower == "first") return 1;
  if (lower == "second") return 2;
  if (lower == "third") return 3;
  if (lower == "fourth") return 4;
  if (lower == "last") return -1;
  return std::nullopt;
}

core::Result<unsigned> parseWeekday(std::string_view word) {
  if (const auto wd = weekdayOf(word)) return *wd;
  return invalid(quoted(word) + " is not a weekday (sunday … saturday)");
}

bool twoDigits(std::string_view s) {
  return s.size() == 2 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9';
}

/// `HH:MM`, 00:00 … 23:59, as minutes after midnight.
core::Result<int> parseTime(std::string_view word) {
  const std::size_t colon = word.find(':');
  if (colon == std::string_view::npos || !twoDigits(word.substr(0, colon)) ||
      !twoDigits(word.substr(colon + 1))) {
    return invalid(quoted(word) + " is not a time of day (HH:MM, 00:00 … 23:59)");
  }
  const int hour = (word[0] - '0') * 10 + (word[1] - '0');
  const int minute = (word[3] - '0') * 10 + (word[4] - '0');
  if (hour > 23) return invalid(quoted(word) + ": the hour must be 00 … 23");
  if (minute > 59) return invalid(quoted(word) + ": the minute must be 00 … 59");
  return hour * 60 + minute;
}

core::Result<unsigned> parseMonthDay(std::string_view word) {
  unsigned day = 0;
  const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), day);
  if (ec != std::errc{} || end != word.data() + word.size() || day < 1 || day > 31) {
    return invalid(quoted(word) + " is not a day of the month (1 … 31)");
  }
  return day;
}

std::string joined(const std::vector<std::string_view>& w, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count && i < w.size(); ++i) {
    if (i > 0) out += ' ';
    out += w[i];
  }
  return out;
}

/// Checks the word count of a form: `needed` words, the form named as `form` in the error.
core::Status expectWords(const std::vector<std::string_view>& w, std::size_t needed,
                         std::string_view form) {
  if (w.size() < needed) {
    return invalid(quoted(joined(w, w.size())) + " needs a start time: \"" + std::string(form) +
                   "\"");
  }
  if (w.size() > needed) {
    return invalid("unexpected " + quoted(w[needed]) + " after " + quoted(joined(w, needed)));
  }
  return {};
}

}  // namespace

core::Result<Recurrence> parseRecurrence(std::string_view text) {
  const std::vector<std::string_view> w = words(text);
  if (w.empty()) return invalid("empty recurrence: " + std::string(kForms));
  Recurrence r;
  const std::string first = core::asciiLower(w[0]);

  if (first == "daily") {
    if (auto s = expectWords(w, 2, "daily HH:MM"); !s) return s.error();
    r.kind = Recurrence::Kind::Daily;
  } else if (first == "day") {
    if (w.size() < 2) return invalid(R"("day" needs a day of the month and a time: "day N HH:MM")");
    auto day = parseMonthDay(w[1]);
    if (!day) return day.error();
    if (auto s = expectWords(w, 3, "day N HH:MM"); !s) return s.error();
    r.kind = Recurrence::Kind::MonthDay;
    r.day = *day;
  } else if (const auto nth = nthOf(first)) {
    if (w.size() < 2) {
      return invalid(quoted(w[0]) + " needs a weekday and a time: \"" + std::string(w[0]) +
                     " <weekday> HH:MM\"");
    }
    auto wd = parseWeekday(w[1]);
    if (!wd) return wd.error();
    if (auto s = expectWords(w, 3, std::string(w[0]) + " <weekday> HH:MM"); !s) return s.error();
    r.kind = Recurrence::Kind::NthWeekday;
    r.nth = *nth;
    r.weekday = *wd;
  } else if (const auto wd = weekdayOf(first)) {
    if (auto s = expectWords(w, 2, "<weekday> HH:MM"); !s) return s.error();
    r.kind = Recurrence::Kind::Weekly;
    r.weekday = *wd;
  } else if (w.size() == 3) {
    return invalid(quoted(w[0]) + " is not first, second, third, fourth, last or day; " +
                   std::string(kForms));
  } else {
    return invalid(quoted(w[0]) + " is not a weekday (sunday … saturday)");
  }

  auto minutes = parseTime(w.back());
  if (!minutes) return minutes.error();
  r.minutes = *minutes;
  return r;
}

namespace detail {

namespace {

/// The occurrence day of an nth-weekday recurrence in one month.
date::local_days nthWeekdayIn(const Recurrence& r, date::year_month ym) {
  const date::weekday wd{r.weekday};
  if (r.nth < 0) return date::local_days{ym / wd[date::last]};
  return date::local_days{ym / wd[static_cast<unsigned>(r.nth)]};
}

}  // namespace

std::optional<date::local_days> latestOccurrenceDay(const Recurrence& r, date::local_days day) {
  switch (r.kind) {
    case Recurrence::Kind::Daily:
      return day;
    case Recurrence::Kind::Weekly: {
      const unsigned today = date::weekday{day}.c_encoding();
      return day - date::days{(today + 7 - r.weekday % 7) % 7};
    }
    case Recurrence::Kind::MonthDay: {
      const date::year_month_day ymd{day};
      date::year_month ym = ymd.year() / ymd.month();
      if (static_cast<unsigned>(ymd.day()) < r.day) ym -= date::months{1};
      for (int i = 0; i < 13; ++i, ym -= date::months{1}) {
        const date::year_month_day candidate = ym / date::day{r.day};
        if (candidate.ok()) return date::local_days{candidate};
      }
      return std::nullopt;
    }
    case Recurrence::Kind::NthWeekday: {
      const date::year_month_day ymd{day};
      date::year_month ym = ymd.year() / ymd.month();
      for (int i = 0; i < 2; ++i, ym -= date::months{1}) {
        const date::local_days candidate = nthWeekdayIn(r, ym);
        if (candidate <= day) return candidate;
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace detail

}  // namespace shopwatch::rules
