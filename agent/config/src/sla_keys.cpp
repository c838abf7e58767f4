// `sla:` — contract terms: `{shops, target, checks, maintenance, unmonitored, apdex_t}`. The ratio
// grammar is the rules' (rules::parseRatioText); shops and checks are checked against the loaded
// shops once the whole file is read (finalizeSla).
#include "sla_keys.h"

#include <algorithm>
#include <array>
#include <set>

#include "key_suggestion.h"
#include "load_state.h"
#include "shopwatch/rules/expr.h"
#include "shopwatch/rules/target.h"

namespace shopwatch::agent {

std::string_view slaMaintenanceName(SlaMaintenance m) {
  switch (m) {
    case SlaMaintenance::CountAsDowntime:
      return "count_as_downtime";
    case SlaMaintenance::Exclude:
      break;
  }
  return "exclude";
}

std::string_view slaUnmonitoredName(SlaUnmonitored u) {
  switch (u) {
    case SlaUnmonitored::Up:
      return "up";
    case SlaUnmonitored::Down:
      return "down";
    case SlaUnmonitored::Exclude:
      break;
  }
  return "exclude";
}

}  // namespace shopwatch::agent

namespace shopwatch::agent::detail {

/// An SLA entry being read.
struct SlaEntry {
  SlaTerms terms;
  std::vector<Place> shops;   ///< parallel to terms.shops
  std::vector<Place> checks;  ///< parallel to terms.checks
};

namespace {

constexpr std::array<std::string_view, 2> kMaintenanceNames = {"exclude", "count_as_downtime"};
constexpr std::array<std::string_view, 3> kUnmonitoredNames = {"exclude", "up", "down"};
constexpr core::Micros kMinApdexT = std::chrono::milliseconds{1};
constexpr core::Micros kMaxApdexT = std::chrono::minutes{10};

void applySlaShops(ParseContext& ctx, const MapEntry& e, SlaEntry& d) {
  if (!e.value.IsSequence() || e.value.size() == 0) {
    ctx.report(e.value, e.path, "expected a non-empty list of shop names (`[acme]`)");
    return;
  }
  for (std::size_t i = 0; i < e.value.size(); ++i) {
    const YAML::Node item = e.value[i];
    const std::string path = ParseContext::index(e.path, i);
    auto name = ctx.name(item, path);
    if (!name) continue;
    if (std::find(d.terms.shops.begin(), d.terms.shops.end(), *name) != d.terms.shops.end()) {
      ctx.report(item, path, "shop `" + *name + "` is listed twice");
      continue;
    }
    d.terms.shops.push_back(*name);
    d.shops.push_back(Place{item, path});
  }
}

// `99.9%` or `0.999`, in (0, 100%]: an SLA may promise 100 %.
void applySlaTarget(ParseContext& ctx, const MapEntry& e, SlaEntry& d) {
  auto raw = ctx.scalar(e.value, e.path, "a ratio (`99.9%` or `0.999`)");
  if (!raw) return;
  const auto parsed = rules::parseRatioText(*raw);
  if (!parsed) {
    ctx.report(e.value, e.path, "expected a ratio such as `99.9%` or `0.999`, got `" + *raw + "`");
    return;
  }
  if (!parsed->percent && parsed->value > 1) {
    ctx.report(e.value, e.path,
               "target `" + *raw + "` is not a ratio: write `" + *raw + "%` or a number up to 1");
    return;
  }
  if (parsed->value <= 0 || parsed->value > 1) {
    ctx.report(e.value, e.path,
               "target must be above 0% and at most 100% (e.g. 99.9%), got `" + *raw + "`");
    return;
  }
  d.terms.target = parsed->value;
  d.terms.target_text = *raw;
}

void applySlaChecks(ParseContext& ctx, const MapEntry& e, SlaEntry& d) {
  if (!e.value.IsSequence() || e.value.size() == 0) {
    ctx.report(e.value, e.path,
               "expected a non-empty list of `shop/check` names (leave `checks` out to measure "
               "every check of the entry's shops)");
    return;
  }
  for (std::size_t i = 0; i < e.value.size(); ++i) {
    const YAML::Node item = e.value[i];
    const std::string path = ParseContext::index(e.path, i);
    auto raw = ctx.scalar(item, path, "a check (`shop/check`)");
    if (!raw) continue;
    auto pattern = rules::parseTargetPattern(*raw);
    if (!pattern) {
      ctx.report(item, path, pattern.error().message);
      continue;
    }
    if (pattern->wildcard() || !pattern->step.empty()) {
      ctx.report(item, path,
                 "expected a check `shop/check`, got `" + *raw +
                     "` (an SLA measures whole checks and journeys; leave `checks` out for every "
                     "check)");
      continue;
    }
    const std::string name = pattern->shop + "/" + pattern->check;
    if (std::find(d.terms.checks.begin(), d.terms.checks.end(), name) != d.terms.checks.end()) {
      ctx.report(item, path, "check `" + name + "` is listed twice");
      continue;
    }
    d.terms.checks.push_back(name);
    d.checks.push_back(Place{item, path});
  }
}

template <std::size_t N, typename Enum>
std::optional<Enum> readChoice(ParseContext& ctx, const MapEntry& e,
                               const std::array<std::string_view, N>& names,
                               std::string_view (*name_of)(Enum)) {
  auto raw = ctx.scalar(e.value, e.path, "one of " + quoteList(names));
  if (!raw) return std::nullopt;
  for (std::size_t i = 0; i < N; ++i) {
    const auto value = static_cast<Enum>(i);
    if (name_of(value) == *raw) return value;
  }
  ctx.report(e.value, e.path,
             "invalid " + std::string(e.key) + " `" + *raw + "` (use " + quoteList(names) + ")");
  return std::nullopt;
}

void applySlaMaintenance(ParseContext& ctx, const MapEntry& e, SlaEntry& d) {
  if (auto v = readChoice(ctx, e, kMaintenanceNames, slaMaintenanceName)) d.terms.maintenance = *v;
}

void applySlaUnmonitored(ParseContext& ctx, const MapEntry& e, SlaEntry& d) {
  if (auto v = readChoice(ctx, e, kUnmonitoredNames, slaUnmonitoredName)) d.terms.unmonitored = *v;
}

void applyApdexT(ParseContext& ctx, const MapEntry& e, SlaEntry& d) {
  if (auto v = boundedDuration(ctx, e.value, e.path, kMinApdexT, kMaxApdexT)) d.terms.apdex_t = *v;
}

constexpr std::array<KeyRow<SlaEntry>, 6> kSlaRows = {{
    {"shops", applySlaShops,
     "required; the shops these terms cover, `[acme, ...]` (a shop has at most one SLA)"},
    {"target", applySlaTarget,
     "the availability promised per calendar month, `99.9%` or `0.999`, up to 100% (default "
     "99.9%)"},
    {"checks", applySlaChecks,
     "[shop/check, ...]: the checks and journeys measured (default every check of the shops)"},
    {"maintenance", applySlaMaintenance,
     "`exclude` (maintenance leaves the month, default) or `count_as_downtime`"},
    {"unmonitored", applySlaUnmonitored,
     "time no run covered: `exclude` (default), `up` or `down`"},
    {"apdex_t", applyApdexT, "the reports' Apdex threshold T, 1ms-10m (default 500ms)"},
}};

// Each `static_cast<Enum>(i)` of readChoice names the i-th entry of its list.
static_assert(static_cast<int>(SlaMaintenance::Exclude) == 0 &&
              static_cast<int>(SlaMaintenance::CountAsDowntime) == 1);
static_assert(static_cast<int>(SlaUnmonitored::Exclude) == 0 &&
              static_cast<int>(SlaUnmonitored::Up) == 1 &&
              static_cast<int>(SlaUnmonitored::Down) == 2);

void parseSlaEntry(LoadState& state, const YAML::Node& node, const std::string& path) {
  ParseContext& ctx = state.ctx;
  const std::size_t errors_before = ctx.errorCount();
  auto entries = slaKeyTable().entries(ctx, node, path);
  if (!entries) return;
  SlaEntry d;
  d.terms.line = node.Mark().is_null() ? 0 : node.Mark().line + 1;
  slaKeyTable().apply(ctx, *entries, d);
  requireKeys(ctx, node, path, *entries, {{"shops", "e.g. `[acme]`"}});
  for (std::size_t i = 0; i < d.terms.shops.size(); ++i) {
    const std::string& shop = d.terms.shops[i];
    auto [it, inserted] = state.sla.shop_positions.emplace(shop, position(d.shops[i].node));
    if (!inserted) {
      ctx.report(d.shops[i].node, d.shops[i].path,
                 "shop `" + shop + "` already has SLA terms (its `sla` entry at " + it->second +
                     "): a shop is measured against one SLA");
    }
  }
  if (ctx.errorCount() != errors_before) return;
  state.sla.entries.push_back(
      SlaPlaces{state.config.sla.size(), std::move(d.shops), std::move(d.checks)});
  state.config.sla.push_back(std::move(d.terms));
}

std::string withSuggestion(std::string message, std::string_view wanted,
                           const std::vector<std::string>& known) {
  std::vector<std::string_view> candidates(known.begin(), known.end());
  if (auto suggestion = suggestKey(wanted, candidates))
    message += "; did you mean `" + *suggestion + "`?";
  return message;
}

std::string shopList(const std::vector<std::string>& shops) {
  std::string out;
  for (const auto& shop : shops) out += (out.empty() ? "`" : ", `") + shop + "`";
  return out;
}

}  // namespace

const KeyTable<SlaEntry>& slaKeyTable() {
  static const KeyTable<SlaEntry> table("sla[]", kSlaRows);
  return table;
}

void applySla(ParseContext& ctx, const MapEntry& section, LoadState& state) {
  if (section.value.IsNull()) return;
  if (!section.value.IsSequence()) {
    ctx.report(section.value, section.path, "expected a list of SLA terms (`- shops: [acme]`)");
    return;
  }
  for (std::size_t i = 0; i < section.value.size(); ++i) {
    parseSlaEntry(state, section.value[i], ParseContext::index(section.path, i));
  }
}

void finalizeSla(LoadState& state) {
  ParseContext& ctx = state.ctx;
  // Shops by name, in any env; a shop that was named but has errors of its own counts as known
  // (its errors are reported already).
  std::set<std::string> shops;
  for (const auto& [key, at] : state.shop_positions) shops.insert(key.substr(0, key.find('\n')));
  for (const auto& shop : state.config.shops) shops.insert(shop.name);
  const std::vector<std::string> shop_names(shops.begin(), shops.end());
  for (const SlaPlaces& places : state.sla.entries) {
    const SlaTerms& terms = state.config.sla[places.index];
    for (std::size_t i = 0; i < terms.shops.size(); ++i) {
      if (shops.count(terms.shops[i])) continue;
      ctx.report(places.shops[i].node, places.shops[i].path,
                 withSuggestion("no shop `" + terms.shops[i] + "` in this config", terms.shops[i],
                                shop_names));
    }
    std::vector<std::string> known;  // `shop/check` of the entry's shops, once each, file order
    for (const auto& check : state.config.checks) {
      if (std::find(terms.shops.begin(), terms.shops.end(), check->key.shop) == terms.shops.end())
        continue;
      const std::string name = check->key.shop + "/" + check->key.check;
      if (std::find(known.begin(), known.end(), name) == known.end()) known.push_back(name);
    }
    for (std::size_t i = 0; i < terms.checks.size(); ++i) {
      const std::string& name = terms.checks[i];
      const Place& at = places.checks[i];
      const std::string shop = name.substr(0, name.find('/'));
      if (!shops.count(shop)) continue;  // reported at the shop (or not in `shops` either)
      if (std::find(terms.shops.begin(), terms.shops.end(), shop) == terms.shops.end()) {
        ctx.report(at.node, at.path,
                   "`" + name + "` is not a check of this entry's shops (" + shopList(terms.shops) +
                       "): add `" + shop + "` to `shops` or remove it");
        continue;
      }
      if (std::find(known.begin(), known.end(), name) != known.end()) continue;
      if (state.rules.declared_checks.count(declaredKey(shop, name.substr(shop.size() + 1))))
        continue;  // the check has errors of its own
      ctx.report(at.node, at.path,
                 withSuggestion("no check `" + name + "` in this config", name, known));
    }
  }
}

}  // namespace shopwatch::agent::detail
