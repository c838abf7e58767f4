// `slos:` — service level objectives: `{name, check, objective, period, latency: {threshold}}`.
#include <array>

#include "backlog_draft.h"
#include "load_state.h"
#include "shopwatch/rules/expr.h"
#include "shopwatch/rules/rule_spec.h"
#include "shopwatch/rules/target.h"

namespace shopwatch::agent::detail {

/// An SLO being read.
struct SloEntry {
  rules::SloSpec spec;
  std::optional<Place> name;
  std::optional<Place> check;
  std::optional<NotifyList> notify;  ///< `notify:`, when written
};

namespace {

constexpr core::Micros kMinPeriod = std::chrono::hours{1};
constexpr core::Micros kMaxPeriod = std::chrono::hours{24 * 400};

void applySloName(ParseContext& ctx, const MapEntry& e, SloEntry& d) {
  readIdentity(ctx, e, d.spec.name, d.name);
}

void applySloCheck(ParseContext& ctx, const MapEntry& e, SloEntry& d) {
  readTarget(ctx, e, d.spec.target, d.check);
}

// `99.5%` or `0.995`: a bare number above 1 is a forgotten `%`, not a ratio.
void applyObjective(ParseContext& ctx, const MapEntry& e, SloEntry& d) {
  auto raw = ctx.scalar(e.value, e.path, "a ratio (`99.5%` or `0.995`)");
  if (!raw) return;
  // The same ratio grammar as rule thresholds (rules::parseRatioText).
  const auto parsed_ratio = rules::parseRatioText(*raw);
  if (!parsed_ratio) {
    ctx.report(e.value, e.path, "expected a ratio such as `99.5%` or `0.995`, got `" + *raw + "`");
    return;
  }
  if (!parsed_ratio->percent && parsed_ratio->value > 1) {
    ctx.report(
        e.value, e.path,
        "objective `" + *raw + "` is not a ratio: write `" + *raw + "%` or a number below 1");
    return;
  }
  const double ratio = parsed_ratio->value;
  if (ratio >= 1) {
    ctx.report(e.value, e.path,
               "objective `" + *raw +
                   "` leaves no error budget: an SLO must allow some failure (use less than "
                   "100%, e.g. 99.9%)");
    return;
  }
  if (ratio <= 0) {
    ctx.report(e.value, e.path, "objective must be above 0% (e.g. 99.5%), got `" + *raw + "`");
    return;
  }
  d.spec.objective = ratio;
}

void applyPeriod(ParseContext& ctx, const MapEntry& e, SloEntry& d) {
  if (auto v = boundedDuration(ctx, e.value, e.path, kMinPeriod, kMaxPeriod)) d.spec.period = *v;
}

void applyLatency(ParseContext& ctx, const MapEntry& e, SloEntry& d) {
  auto entries = sloLatencyKeyTable().entries(ctx, e.value, e.path);
  if (!entries) return;
  sloLatencyKeyTable().apply(ctx, *entries, d);
  requireKeys(ctx, e.value, e.path, *entries, {{"threshold", "e.g. `2s`"}});
}

void applyThreshold(ParseContext& ctx, const MapEntry& e, SloEntry& d) {
  if (auto v = ctx.duration(e.value, e.path)) d.spec.latency_threshold = *v;
}

void applySloNotify(ParseContext& ctx, const MapEntry& e, SloEntry& d) {
  d.notify = readNotify(ctx, e);
}

constexpr std::array<KeyRow<SloEntry>, 6> kSloRows = {{
    {"name", applySloName,
     "required; identity, lowercase [a-z0-9._-], unique among rules and SLOs"},
    {"check", applySloCheck, "required; `shop/check`, `shop/check/step` or `shop/*` (each check)"},
    {"objective", applyObjective, "required; the good share, `99.5%` or `0.995`, below 100%"},
    {"period", applyPeriod, "the budget's rolling period, 1h-400d (default 30d)"},
    {"latency", applyLatency, "{threshold: DURATION}: a passing run slower than this is bad too"},
    {"notify", applySloNotify,
     "[SINK, ...]: the backlog sinks its incidents go to (default every sink; [] none)"},
}};

constexpr std::array<KeyRow<SloEntry>, 1> kLatencyRows = {{
    {"threshold", applyThreshold, "required; a passing run slower than this counts as bad"},
}};

void parseSlo(LoadState& state, const YAML::Node& node, const std::string& path) {
  ParseContext& ctx = state.ctx;
  const std::size_t errors_before = ctx.errorCount();
  auto entries = sloKeyTable().entries(ctx, node, path);
  if (!entries) return;
  SloEntry d;
  sloKeyTable().apply(ctx, *entries, d);
  requireKeys(ctx, node, path, *entries,
              {{"name", "e.g. `checkout-availability`"},
               {"check", "e.g. `acme/checkout`"},
               {"objective", "e.g. `99.5%`"}});
  if (d.name) claimRuleName(ctx, state, d.spec.name, "SLO", *d.name);
  if (ctx.errorCount() != errors_before || !d.check) return;
  state.rules.slos.push_back(SloPlaces{state.config.slos.size(), *d.check});
  if (d.notify) state.backlog.notify.push_back(NotifyRef{d.spec.name, std::move(*d.notify)});
  state.config.slos.push_back(std::move(d.spec));
}

}  // namespace

const KeyTable<SloEntry>& sloKeyTable() {
  static const KeyTable<SloEntry> table("slos[]", kSloRows);
  return table;
}

const KeyTable<SloEntry>& sloLatencyKeyTable() {
  static const KeyTable<SloEntry> table("slos[].latency", kLatencyRows);
  return table;
}

void applySlos(ParseContext& ctx, const MapEntry& section, LoadState& state) {
  if (section.value.IsNull()) return;
  if (!section.value.IsSequence()) {
    ctx.report(section.value, section.path, "expected a list of SLOs (`- name: ...`)");
    return;
  }
  for (std::size_t i = 0; i < section.value.size(); ++i) {
    parseSlo(state, section.value[i], ParseContext::index(section.path, i));
  }
}

}  // namespace shopwatch::agent::detail
