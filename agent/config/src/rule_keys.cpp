// `rules:` — a list of KPI rules: `{name, check, expr, window, for, clear_for, severity}`. Targets
// are checked against the loaded checks later (rules_finalize.cpp): `rules:` may come before
// `shops:`.
#include <array>

#include "backlog_draft.h"
#include "load_state.h"
#include "shopwatch/rules/expr.h"
#include "shopwatch/rules/rule_spec.h"
#include "shopwatch/rules/severity.h"
#include "shopwatch/rules/target.h"

namespace shopwatch::agent::detail {

/// A rule being read.
struct RuleEntry {
  rules::RuleSpec spec;
  std::optional<Place> name;
  std::optional<Place> check;
  std::optional<Place> window;
  std::optional<NotifyList> notify;  ///< `notify:`, when written
};

namespace {

constexpr core::Micros kMinWindow = std::chrono::seconds{1};
constexpr core::Micros kMaxWindow = std::chrono::hours{24 * 7};

void applyRuleName(ParseContext& ctx, const MapEntry& e, RuleEntry& d) {
  readIdentity(ctx, e, d.spec.name, d.name);
}

void applyRuleCheck(ParseContext& ctx, const MapEntry& e, RuleEntry& d) {
  readTarget(ctx, e, d.spec.target, d.check);
}

// The parser gives the bad token's offset in the text; the error points at it in the file. A
// quoted scalar's mark is its opening quote.
void applyRuleExpr(ParseContext& ctx, const MapEntry& e, RuleEntry& d) {
  auto raw = ctx.scalar(e.value, e.path, "an expression (e.g. `p95 > 800ms`)");
  if (!raw) return;
  std::size_t column = 0;
  auto expr = rules::parseExpr(*raw, &column);
  if (!expr) {
    YAML::Mark mark = e.value.Mark();
    if (!mark.is_null()) {
      const bool quoted = e.value.Tag() == "!";
      mark.column += static_cast<int>(column) + (quoted ? 1 : 0);
    }
    ctx.reportAtMark(mark, e.path, expr.error().message);
    return;
  }
  d.spec.expr = std::move(*expr);
}

void applyRuleWindow(ParseContext& ctx, const MapEntry& e, RuleEntry& d) {
  if (auto v = boundedDuration(ctx, e.value, e.path, kMinWindow, kMaxWindow)) {
    d.spec.window = *v;
    d.window = Place{e.value, e.path};
  }
}

void applyRuleFor(ParseContext& ctx, const MapEntry& e, RuleEntry& d) {
  if (auto v = boundedDuration(ctx, e.value, e.path, core::Micros{0}, kMaxWindow))
    d.spec.for_duration = *v;
}

void applyRuleClearFor(ParseContext& ctx, const MapEntry& e, RuleEntry& d) {
  if (auto v = boundedDuration(ctx, e.value, e.path, core::Micros{0}, kMaxWindow))
    d.spec.clear_for = *v;
}

void applyRuleSeverity(ParseContext& ctx, const MapEntry& e, RuleEntry& d) {
  auto raw = ctx.scalar(e.value, e.path, "a severity");
  if (!raw) return;
  if (auto severity = rules::parseSeverity(*raw)) {
    d.spec.severity = *severity;
  } else {
    ctx.report(e.value, e.path,
               "invalid severity `" + *raw + "` (use `info`, `warning` or `critical`)");
  }
}

void applyRuleNotify(ParseContext& ctx, const MapEntry& e, RuleEntry& d) {
  d.notify = readNotify(ctx, e);
}

constexpr std::array<KeyRow<RuleEntry>, 8> kRuleRows = {{
    {"name", applyRuleName,
     "required; identity, lowercase [a-z0-9._-], unique among rules and SLOs"},
    {"check", applyRuleCheck,
     "required; `shop/check`, a journey step `shop/check/step`, or `shop/*` (each check)"},
    {"expr", applyRuleExpr,
     "required; `KPI OP THRESHOLD`, e.g. `p95 > 800ms`, `availability < 99.9%`"},
    {"window", applyRuleWindow, "the KPI's sliding window, 1s-7d (default 15m)"},
    {"for", applyRuleFor, "breached this long before firing (default 2 x the check's interval)"},
    {"clear_for", applyRuleClearFor,
     "healthy this long before resolving (default max(2 x interval, 5m))"},
    {"severity", applyRuleSeverity, "info, warning or critical (default warning)"},
    {"notify", applyRuleNotify,
     "[SINK, ...]: the backlog sinks its incidents go to (default every sink; [] none)"},
}};

void parseRule(LoadState& state, const YAML::Node& node, const std::string& path) {
  ParseContext& ctx = state.ctx;
  const std::size_t errors_before = ctx.errorCount();
  auto entries = ruleKeyTable().entries(ctx, node, path);
  if (!entries) return;
  RuleEntry d;
  ruleKeyTable().apply(ctx, *entries, d);
  requireKeys(ctx, node, path, *entries,
              {{"name", "e.g. `home-slow`"},
               {"check", "e.g. `acme/home`"},
               {"expr", "e.g. `p95 > 800ms`"}});
  if (d.name) claimRuleName(ctx, state, d.spec.name, "rule", *d.name);
  if (ctx.errorCount() != errors_before || !d.check) return;
  state.rules.rules.push_back(RulePlaces{state.config.rules.size(), *d.check, d.window});
  if (d.notify) state.backlog.notify.push_back(NotifyRef{d.spec.name, std::move(*d.notify)});
  state.config.rules.push_back(std::move(d.spec));
}

}  // namespace

const KeyTable<RuleEntry>& ruleKeyTable() {
  static const KeyTable<RuleEntry> table("rules[]", kRuleRows);
  return table;
}

void applyRules(ParseContext& ctx, const MapEntry& section, LoadState& state) {
  if (section.value.IsNull()) return;
  if (!section.value.IsSequence()) {
    ctx.report(section.value, section.path, "expected a list of rules (`- name: ...`)");
    return;
  }
  for (std::size_t i = 0; i < section.value.size(); ++i) {
    parseRule(state, section.value[i], ParseContext::index(section.path, i));
  }
}

}  // namespace shopwatch::agent::detail
