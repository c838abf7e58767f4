#include "shopwatch/rules/expr.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <vector>

namespace shopwatch::rules {
namespace {

struct KpiName {
  Kpi kpi;
  std::string_view name;
};

constexpr KpiName kKpis[] = {
    {Kpi::Availability, "availability"},
    {Kpi::ErrorRate, "error_rate"},
    {Kpi::P50, "p50"},
    {Kpi::P90, "p90"},
    {Kpi::P95, "p95"},
    {Kpi::P99, "p99"},
    {Kpi::TtfbP95, "ttfb_p95"},
    {Kpi::Apdex, "apdex"},
    {Kpi::CertDays, "cert_days"},
    {Kpi::FailureStreak, "failure_streak"},
    {Kpi::SuccessStreak, "success_streak"},
    {Kpi::NoData, "no_data"},
};

constexpr std::string_view kKpiList =
    "availability, error_rate, p50, p90, p95, p99, ttfb_p95, apdex(T), cert_days, failure_streak, "
    "success_streak, no_data";
constexpr std::string_view kOperators = "expected <, <=, > or >=";

enum class Unit { Ratio, Seconds, Days, Count };

Unit unitOf(Kpi kpi) {
  switch (kpi) {
    case Kpi::Availability:
    case Kpi::ErrorRate:
    case Kpi::Apdex:
      return Unit::Ratio;
    case Kpi::P50:
    case Kpi::P90:
    case Kpi::P95:
    case Kpi::P99:
    case Kpi::TtfbP95:
    case Kpi::NoData:
      return Unit::Seconds;
    case Kpi::CertDays:
      return Unit::Days;
    case Kpi::FailureStreak:
    case Kpi::SuccessStreak:
      return Unit::Count;
  }
  return Unit::Ratio;
}

/// What a KPI's threshold looks like, for error messages ("p95 takes a duration such as 800ms").
std::string takes(Kpi kpi) {
  std::string name(kpiName(kpi));
  switch (unitOf(kpi)) {
    case Unit::Ratio:
      return name + " takes a percentage such as 99.5% or a ratio between 0 and 1";
    case Unit::Seconds:
      return name + " takes a duration such as " + (kpi == Kpi::NoData ? "5m" : "800ms");
    case Unit::Days:
      return name + " takes a number of days such as 14 or 14d";
    case Unit::Count:
      return name + " takes a whole number such as 3";
  }
  return name;
}

bool isSpace(char c) { return c == ' ' || c == '\t'; }
bool isOperatorChar(char c) { return c == '<' || c == '>' || c == '=' || c == '!'; }

std::optional<CompareOp> operatorOf(std::string_view token) {
  if (token == "<") return CompareOp::Less;
  if (token == "<=") return CompareOp::LessEqual;
  if (token == ">") return CompareOp::Greater;
  if (token == ">=") return CompareOp::GreaterEqual;
  return std::nullopt;
}

std::string quoted(std::string_view token) { return "\"" + std::string(token) + "\""; }

/// A plain decimal `digits[.digits]` as mantissa / 10^scale (exact integers, so dividing them once
/// gives the double nearest to what was written: `99.9%` and `0.999` parse to the same value).
struct Decimal {
  std::uint64_t mantissa = 0;
  int scale = 0;
  double value(int extra_scale = 0) const {
    return static_cast<double>(mantissa) / std::pow(10.0, scale + extra_scale);
  }
};

std::optional<Decimal> parseDecimal(std::string_view s) {
  Decimal d;
  std::size_t i = 0;
  int digits = 0;
  bool before_point = false;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    d.mantissa = d.mantissa * 10 + static_cast<std::uint64_t>(s[i] - '0');
    ++i;
    ++digits;
    before_point = true;
  }
  if (!before_point) return std::nullopt;
  if (i < s.size() && s[i] == '.') {
    ++i;
    bool after_point = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      d.mantissa = d.mantissa * 10 + static_cast<std::uint64_t>(s[i] - '0');
      ++d.scale;
      ++i;
      ++digits;
      after_point = true;
    }
    if (!after_point) return std::nullopt;
  }
  if (i != s.size() || digits > 15) return std::nullopt;
  return d;
}

std::size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

/// The KPI name closest to an unknown one: a name it begins (`avail`, `ttfb`), else the nearest by
/// edit distance when that is small (`availabilty`, `p96`).
std::optional<std::string_view> closestKpi(std::string_view token) {
  std::string lower(token);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (lower.size() >= 2) {
    for (const auto& k : kKpis) {
      if (k.name.substr(0, lower.size()) == lower) return k.name;
    }
  }
  std::optional<std::string_view> best;
  std::size_t best_distance = 0;
  for (const auto& k : kKpis) {
    const auto d = editDistance(lower, k.name);
    if (!best || d < best_distance) {
      best = k.name;
      best_distance = d;
    }
  }
  if (best && best_distance <= std::max<std::size_t>(2, lower.size() / 3)) return best;
  return std::nullopt;
}

class ExprParser {
 public:
  ExprParser(std::string_view text, std::size_t* error_column)
      : text_(text), error_column_(error_column) {}

  core::Result<Expr> parse() {
    Expr expr;
    skipSpace();
    if (atEnd()) {
      return fail(pos_, "empty expression (expected KPI OPERATOR THRESHOLD, e.g. p95 > 800ms)");
    }

    // KPI (and apdex's parameter).
    const std::size_t kpi_at = pos_;
    const auto kpi_token =
        readWhile([](char c) { return !isSpace(c) && !isOperatorChar(c) && c != '('; });
    if (kpi_token.empty()) {
      return fail(kpi_at, "missing KPI before " + quoted(peekToken()) + " (expected one of " +
                              std::string(kKpiList) + ")");
    }
    const auto kpi = lookupKpi(kpi_token);
    if (!kpi) {
      std::string message = quoted(kpi_token) + " is not a KPI";
      if (auto near = closestKpi(kpi_token)) message += " (did you mean " + quoted(*near) + "?)";
      return fail(kpi_at, message + "; expected one of " + std::string(kKpiList));
    }
    expr.kpi = *kpi;
    std::string kpi_text(kpi_token);
    if (*kpi == Kpi::Apdex) {
      auto t = parseApdexParameter(kpi_token);
      if (!t) return t.error();
      expr.apdex_t = t->first;
      kpi_text += "(" + t->second + ")";
    } else if (!atEnd() && text_[pos_] == '(') {
      return fail(pos_, quoted(peekToken()) + " is unexpected: " + std::string(kpi_token) +
                            " takes no parameter (only apdex does, as apdex(500ms))");
    }

    // Operator.
    skipSpace();
    if (atEnd()) {
      return fail(pos_, "missing operator after " + quoted(kpi_text) + " (" +
                            std::string(kOperators) + ")");
    }
    const std::size_t op_at = pos_;
    const auto op_token = isOperatorChar(text_[pos_]) ? readWhile(isOperatorChar) : readToken();
    const auto op = operatorOf(op_token);
    if (!op) {
      return fail(op_at,
                  quoted(op_token) + " is not an operator (" + std::string(kOperators) + ")");
    }
    expr.op = *op;

    // Threshold.
    skipSpace();
    if (atEnd()) {
      return fail(pos_, "missing threshold after " + quoted(op_token) + " (" + takes(*kpi) + ")");
    }
    const std::size_t threshold_at = pos_;
    const auto threshold_token = readToken();
    auto threshold = parseThreshold(*kpi, threshold_token);
    if (!threshold) return fail(threshold_at, threshold.error().message);
    expr.threshold = *threshold;

    skipSpace();
    if (!atEnd()) {
      const std::size_t garbage_at = pos_;
      return fail(garbage_at, "unexpected " + quoted(readToken()) + " after the threshold " +
                                  quoted(threshold_token) +
                                  " (an expression is KPI OPERATOR THRESHOLD, e.g. p95 > 800ms)");
    }
    expr.text = kpi_text + " " + std::string(op_token) + " " + std::string(threshold_token);
    return expr;
  }

 private:
  bool atEnd() const { return pos_ >= text_.size(); }
  void skipSpace() {
    while (!atEnd() && isSpace(text_[pos_])) ++pos_;
  }
  template <typename Pred>
  std::string_view readWhile(Pred pred) {
    const std::size_t start = pos_;
    while (!atEnd() && pred(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  std::string_view readToken() {
    return readWhile([](char c) { return !isSpace(c); });
  }
  std::string_view peekToken() const {
    std::size_t end = pos_;
    while (end < text_.size() && !isSpace(text_[end])) ++end;
    return text_.substr(pos_, end - pos_);
  }

  core::Error fail(std::size_t column, std::string message) const {
    if (error_column_) *error_column_ = column;
    return core::makeError(core::ErrorCode::Invalid, std::move(message));
  }

  static std::optional<Kpi> lookupKpi(std::string_view token) {
    for (const auto& k : kKpis) {
      if (k.name == token) return k.kpi;
    }
    return std::nullopt;
  }

  /// `(500ms)` right after `apdex`: T and its text as written (trimmed).
  core::Result<std::pair<core::Micros, std::string>> parseApdexParameter(
      std::string_view kpi_token) {
    if (atEnd() || text_[pos_] != '(') {
      return fail(pos_,
                  quoted(kpi_token) + " needs its threshold T in parentheses, e.g. apdex(500ms)");
    }
    const std::size_t open_at = pos_;
    const auto close = text_.find(')', open_at);
    if (close == std::string_view::npos) {
      return fail(open_at, "missing \")\" after " +
                               quoted(text_.substr(open_at - kpi_token.size())) +
                               " (apdex takes T in parentheses, e.g. apdex(500ms))");
    }
    std::size_t begin = open_at + 1;
    std::size_t end = close;
    while (begin < end && isSpace(text_[begin])) ++begin;
    while (end > begin && isSpace(text_[end - 1])) --end;
    const auto param = text_.substr(begin, end - begin);
    pos_ = close + 1;
    if (param.empty()) {
      return fail(begin,
                  "missing T in \"apdex()\" (apdex takes T as a duration such as apdex(500ms))");
    }
    auto t = core::parseDuration(param);
    if (!t) {
      return fail(
          begin,
          quoted(param) + " is not a duration (apdex takes T as a duration such as apdex(500ms))");
    }
    if (t->count() <= 0) {
      return fail(begin,
                  quoted(param) +
                      " is not a valid T: apdex's T must be greater than 0 (e.g. apdex(500ms))");
    }
    return std::pair{*t, std::string(param)};
  }

  static core::Result<double> parseThreshold(Kpi kpi, std::string_view token) {
    auto bad = [&](std::string_view noun) {
      return core::makeError(
          core::ErrorCode::Invalid,
          quoted(token) + " is not " + std::string(noun) + " (" + takes(kpi) + ")");
    };
    switch (unitOf(kpi)) {
      case Unit::Ratio: {
        const bool percent = !token.empty() && token.back() == '%';
        auto r = parseRatioText(token);
        if (!r) return bad(percent ? "a percentage" : "a ratio");
        if (r->value > 1.0) return bad(percent ? "a percentage between 0% and 100%" : "a ratio between 0 and 1");
        return r->value;
      }
      case Unit::Seconds: {
        auto d = core::parseDuration(token);
        if (!d) return bad("a duration");
        return static_cast<double>(d->count()) / 1e6;
      }
      case Unit::Days: {
        auto number = token;
        if (!number.empty() && number.back() == 'd') number.remove_suffix(1);
        auto d = parseDecimal(number);
        if (!d) return bad("a number of days");
        return d->value();
      }
      case Unit::Count: {
        auto d = parseDecimal(token);
        if (!d || d->scale != 0 || token.size() > 9) return bad("a whole number");
        return d->value();
      }
    }
    return bad("a threshold");
  }

  std::string_view text_;
  std::size_t* error_column_;
  std::size_t pos_ = 0;
};

/// `whole[.fraction]` of a value scaled to `decimals` places, trailing zeros dropped (12.50
/// → 12.5).
std::string fixedTrimmed(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  const long long scaled = std::llround(value * scale);
  const bool negative = scaled < 0;
  const unsigned long long magnitude =
      negative ? static_cast<unsigned long long>(-scaled) : static_cast<unsigned long long>(scaled);
  const auto unit = static_cast<unsigned long long>(scale);
  std::string out = (negative ? "-" : "") + std::to_string(magnitude / unit);
  std::string fraction = std::to_string(magnitude % unit);
  fraction.insert(0, static_cast<std::size_t>(decimals) - fraction.size(), '0');
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  if (!fraction.empty()) out += "." + fraction;
  return out;
}

}  // namespace

bool Expr::breached(double value) const {
  switch (op) {
    case CompareOp::Less:
      return value < threshold;
    case CompareOp::LessEqual:
      return value <= threshold;
    case CompareOp::Greater:
      return value > threshold;
    case CompareOp::GreaterEqual:
      return value >= threshold;
  }
  return false;
}

core::Result<Expr> parseExpr(std::string_view text, std::size_t* error_column) {
  return ExprParser(text, error_column).parse();
}

std::string_view kpiName(Kpi kpi) {
  for (const auto& k : kKpis) {
    if (k.kpi == kpi) return k.name;
  }
  return "availability";
}

std::string formatKpiValue(Kpi kpi, double value) {
  if (!std::isfinite(value)) return "n/a";
  switch (unitOf(kpi)) {
    case Unit::Ratio:
      return fixedTrimmed(value * 100.0, 3) + "%";
    case Unit::Seconds:
      return core::formatDuration(core::Micros{std::llround(value * 1e3) * 1000});
    case Unit::Days:
      return fixedTrimmed(value, 1) + "d";
    case Unit::Count:
      return std::to_string(std::llround(value));
  }
  return fixedTrimmed(value, 3);
}

std::optional<RatioText> parseRatioText(std::string_view text) {
  const bool percent = !text.empty() && text.back() == '%';
  auto d = parseDecimal(percent ? text.substr(0, text.size() - 1) : text);
  if (!d) return std::nullopt;
  return RatioText{d->value(percent ? 2 : 0), percent};
}

}  // namespace shopwatch::rules
