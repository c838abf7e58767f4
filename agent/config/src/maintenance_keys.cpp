// `maintenance:` — planned windows: `{name, shops, every | start, duration, timezone, reason}`. The
// calendar grammar and the time zones are rules' (maintenance.h); the shops are checked once every
// shop is loaded (rules_finalize.cpp).
#include <algorithm>
#include <array>

#include "load_state.h"
#include "shopwatch/core/time_format.h"
#include "shopwatch/rules/maintenance.h"

namespace shopwatch::agent::detail {

/// A maintenance window being read.
struct MaintenanceEntry {
  rules::MaintenanceSpec spec;
  std::optional<Place> name;
  std::vector<MaintenanceShopRef> shops;
  const MapEntry* every = nullptr;
  const MapEntry* start = nullptr;
};

namespace {

constexpr core::Micros kMinDuration = std::chrono::minutes{1};
constexpr core::Micros kMaxDuration = std::chrono::hours{24 * 31};

void applyWindowName(ParseContext& ctx, const MapEntry& e, MaintenanceEntry& d) {
  auto v = ctx.name(e.value, e.path);
  if (!v) return;
  // API windows are named `api-<id>` in the calendar; a config window must not look like one.
  if (v->starts_with("api-")) {
    ctx.report(e.value, e.path,
               "`api-` names are reserved for windows announced through the API; choose another");
    return;
  }
  d.spec.name = *v;
  d.name = Place{e.value, e.path};
}

void applyWindowShops(ParseContext& ctx, const MapEntry& e, MaintenanceEntry& d) {
  if (!e.value.IsSequence() || e.value.size() == 0) {
    ctx.report(e.value, e.path,
               "expected a non-empty list of shop names (`[acme]`), or `[all]` for every shop");
    return;
  }
  bool all = false;
  std::vector<std::string> shops;
  for (std::size_t i = 0; i < e.value.size(); ++i) {
    const YAML::Node item = e.value[i];
    const std::string path = ParseContext::index(e.path, i);
    auto name = ctx.name(item, path);
    if (!name) continue;
    if (*name == "all") {
      all = true;
      if (e.value.size() > 1) {
        ctx.report(item, path, "`all` means every shop: it stands alone (`shops: [all]`)");
      }
      continue;
    }
    if (std::find(shops.begin(), shops.end(), *name) != shops.end()) {
      ctx.report(item, path, "shop `" + *name + "` is listed twice");
      continue;
    }
    shops.push_back(*name);
    d.shops.push_back(MaintenanceShopRef{*name, Place{item, path}});
  }
  d.spec.shops = all ? std::vector<std::string>{} : std::move(shops);
}

void applyEvery(ParseContext& ctx, const MapEntry& e, MaintenanceEntry& d) {
  d.every = &e;
  auto raw = ctx.scalar(e.value, e.path, "a recurrence (e.g. `sunday 02:00`)");
  if (!raw) return;
  auto recurrence = rules::parseRecurrence(*raw);
  if (!recurrence) {
    ctx.report(e.value, e.path, recurrence.error().message);
    return;
  }
  d.spec.every = *recurrence;
}

void applyStart(ParseContext& ctx, const MapEntry& e, MaintenanceEntry& d) {
  d.start = &e;
  auto raw = ctx.scalar(e.value, e.path, "an RFC 3339 time (e.g. 2026-03-01T02:00:00+01:00)");
  if (!raw) return;
  auto start = core::parseRfc3339(*raw);
  if (!start) {
    ctx.report(e.value, e.path,
               "invalid start `" + *raw +
                   "`: use RFC 3339 with a UTC offset, e.g. 2026-03-01T02:00:00+01:00 or "
                   "2026-03-01T01:00:00Z");
    return;
  }
  d.spec.start = *start;
}

void applyWindowDuration(ParseContext& ctx, const MapEntry& e, MaintenanceEntry& d) {
  if (auto v = boundedDuration(ctx, e.value, e.path, kMinDuration, kMaxDuration))
    d.spec.duration = *v;
}

void applyTimezone(ParseContext& ctx, const MapEntry& e, MaintenanceEntry& d) {
  auto raw = ctx.scalar(e.value, e.path, "an IANA time zone (e.g. Europe/Vienna)");
  if (!raw) return;
  auto status = rules::validateTimezone(*raw);
  if (!status) {
    ctx.report(e.value, e.path, status.error().message);
    return;
  }
  d.spec.timezone = *raw;
}

void applyReason(ParseContext& ctx, const MapEntry& e, MaintenanceEntry& d) {
  if (auto v = ctx.scalar(e.value, e.path, "a text")) d.spec.reason = *v;
}

constexpr std::array<KeyRow<MaintenanceEntry>, 7> kMaintenanceRows = {{
    {"name", applyWindowName, "required; identity, lowercase [a-z0-9._-], unique among windows"},
    {"shops", applyWindowShops, "required; the shops it covers, `[acme, ...]` or `[all]`"},
    {"every", applyEvery,
     "recurring: `daily 02:00`, `sunday 02:00`, `day 1 03:00`, `first monday 02:00`"},
    {"start", applyStart, "one-off: RFC 3339 with offset, e.g. 2026-03-01T02:00:00+01:00"},
    {"duration", applyWindowDuration, "required; how long each window lasts, 1m-31d"},
    {"timezone", applyTimezone, "IANA zone the `every` times are local to (default UTC)"},
    {"reason", applyReason, "text shown with the window (status page, reports)"},
}};

void parseWindow(LoadState& state, const YAML::Node& node, const std::string& path) {
  ParseContext& ctx = state.ctx;
  const std::size_t errors_before = ctx.errorCount();
  auto entries = maintenanceKeyTable().entries(ctx, node, path);
  if (!entries) return;
  MaintenanceEntry d;
  maintenanceKeyTable().apply(ctx, *entries, d);
  requireKeys(ctx, node, path, *entries,
              {{"name", "e.g. `weekly-updates`"},
               {"shops", "e.g. `[acme]` or `[all]`"},
               {"duration", "e.g. `2h`"}});
  if (d.every && d.start) {
    ctx.report(d.start->key_node, d.start->path,
               "`every` and `start` exclude each other: a window is recurring (`every`) or "
               "one-off (`start`)");
  } else if (!d.every && !d.start) {
    ctx.report(node, ParseContext::child(path, "every"),
               "missing `every` (recurring, e.g. `sunday 02:00`) or `start` (one-off, RFC 3339)");
  }
  if (d.name) {
    auto [it, inserted] =
        state.rules.maintenance_names.emplace(d.spec.name, position(d.name->node));
    if (!inserted) {
      ctx.report(d.name->node, d.name->path,
                 "duplicate maintenance window `" + d.spec.name + "` (first defined at " +
                     it->second + ")");
    }
  }
  if (ctx.errorCount() != errors_before) return;
  for (auto& ref : d.shops) state.rules.maintenance_shops.push_back(std::move(ref));
  state.config.maintenance.push_back(std::move(d.spec));
}

}  // namespace

const KeyTable<MaintenanceEntry>& maintenanceKeyTable() {
  static const KeyTable<MaintenanceEntry> table("maintenance[]", kMaintenanceRows);
  return table;
}

void applyMaintenance(ParseContext& ctx, const MapEntry& section, LoadState& state) {
  if (section.value.IsNull()) return;
  if (!section.value.IsSequence()) {
    ctx.report(section.value, section.path,
               "expected a list of maintenance windows (`- name: ...`)");
    return;
  }
  for (std::size_t i = 0; i < section.value.size(); ++i) {
    parseWindow(state, section.value[i], ParseContext::index(section.path, i));
  }
}

}  // namespace shopwatch::agent::detail
