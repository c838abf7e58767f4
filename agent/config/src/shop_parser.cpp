// `shops[]`: a shop's identity and base URL, its `defaults:` and its checks.
#include <array>
#include <map>

#include "check_appliers.h"
#include "check_finalize.h"
#include "journey_parser.h"
#include "load_state.h"

namespace shopwatch::agent::detail {

/// A shop being read. `defaults` and `checks` are read after the shop's other keys, whatever their
/// order in the file, because they need the shop's name, env and base_url.
struct ShopDraft {
  ShopConfig shop;
  std::vector<std::string> secrets;
  bool identity_ok = true;
  const MapEntry* name = nullptr;
  const MapEntry* defaults = nullptr;
  const MapEntry* checks = nullptr;
};

namespace {

/// The shop of the agent's own checks (canary_checks.cpp).
constexpr std::string_view kAgentShop = "shopwatch";

void applyShopName(ParseContext& ctx, const MapEntry& e, ShopDraft& d) {
  d.name = &e;
  auto v = ctx.name(e.value, e.path);
  if (v && *v == kAgentShop) {
    ctx.report(e.value, e.path,
               "shop name `" + std::string(kAgentShop) +
                   "` is reserved for the agent's own checks (agent.canary); choose another");
    v.reset();
  }
  if (v)
    d.shop.name = *v;
  else
    d.identity_ok = false;
}

void applyShopEnv(ParseContext& ctx, const MapEntry& e, ShopDraft& d) {
  if (auto v = ctx.name(e.value, e.path))
    d.shop.env = *v;
  else
    d.identity_ok = false;
}

void applyBaseUrl(ParseContext& ctx, const MapEntry& e, ShopDraft& d) {
  auto v = ctx.string(e.value, e.path, &d.secrets);
  if (!v) return;
  std::string problem;
  if (validHttpUrl(*v, problem))
    d.shop.base_url = *v;
  else
    ctx.report(e.value, e.path, problem);
}

void applyPerHostConcurrency(ParseContext& ctx, const MapEntry& e, ShopDraft& d) {
  if (auto v = ctx.integer(e.value, e.path, 1, 1000))
    d.shop.per_host_concurrency = static_cast<int>(*v);
}

void keepDefaults(ParseContext&, const MapEntry& e, ShopDraft& d) { d.defaults = &e; }
void keepChecks(ParseContext&, const MapEntry& e, ShopDraft& d) { d.checks = &e; }

constexpr std::array<KeyRow<ShopDraft>, 6> kShopRows = {{
    {"name", applyShopName, "required; identity, lowercase [a-z0-9._-]"},
    {"env", applyShopEnv, "environment (default production); a shop is unique per env"},
    {"base_url", applyBaseUrl, "http(s) URL that relative check URLs are appended to"},
    {"defaults", keepDefaults, "check keys every check of the shop inherits (not name, url)"},
    {"checks", keepChecks, "the shop's checks"},
    {"per_host_concurrency", applyPerHostConcurrency,
     "runs in flight per host at once (default 4)"},
}};

void parseCheck(LoadState& state, const YAML::Node& node, const std::string& path,
                const ShopConfig& shop, const CheckDraft& base,
                std::map<std::string, std::string>& check_positions) {
  ParseContext& ctx = state.ctx;
  const std::size_t errors_before = ctx.errorCount();
  auto entries = checkKeyTable().entries(ctx, node, path);
  if (!entries) return;
  CheckDraft draft = base;
  const MapEntry* name = nullptr;
  const MapEntry* url = nullptr;
  bool journey = false;
  for (const auto& e : *entries) {
    if (e.key == "name") name = &e;
    if (e.key == "url") url = &e;
    if (e.key == "steps" || e.key == "cleanup") journey = true;
  }
  if (!name) {
    ctx.report(node, ParseContext::child(path, "name"), "missing required key `name`");
  } else if (auto v = ctx.name(name->value, name->path)) {
    draft.check.key.check = *v;
    state.rules.declared_checks.insert(declaredKey(shop.name, *v));
    auto [it, inserted] = check_positions.emplace(*v, position(name->value));
    if (!inserted) {
      ctx.report(name->value, name->path,
                 "duplicate check name `" + *v + "` in shop `" + shop.name + "` env `" + shop.env +
                     "` (first defined at " + it->second + ")");
    }
  }
  applyTracked(ctx, checkKeyTable(), *entries, draft);
  if (journey) {
    parseJourney(ctx, node, path, shop, *entries, draft);
  } else {
    if (!url) {
      ctx.report(node, ParseContext::child(path, "url"),
                 "missing required key `url` (a path relative to base_url, or an absolute URL) "
                 "or `steps` (a journey)");
    } else if (auto v = ctx.string(url->value, url->path, &draft.secrets())) {
      resolveUrl(ctx, *v, *url, shop, draft);
    }
    for (const auto& e : *entries) {
      if (e.key == "vars") {
        ctx.report(e.key_node, e.path,
                   "`vars` is for journeys (checks with `steps:`): a plain check has no variables");
      }
    }
    if (const KeyOrigin* origin = draft.origin("journey_timeout")) {
      ctx.report(origin->node, origin->path,
                 "`journey_timeout` is for journeys (checks with `steps:`); a plain check's limit "
                 "is `timeout`");
    }
    finalizeCheck(ctx, node, path, draft);
  }
  if (ctx.errorCount() == errors_before) {
    const KeyOrigin* at = draft.origin("depends_on");
    if (draft.depends_on && at) {
      state.rules.dependencies.push_back(DependencyRef{draft.check.key, draft.depends_on->shop,
                                                       draft.depends_on->check,
                                                       Place{at->node, at->path}});
    }
    state.config.sources[draft.check.key] = sourcesOf(draft);
    state.config.checks.push_back(std::make_shared<const core::Check>(std::move(draft.check)));
  }
}

void parseShop(LoadState& state, const YAML::Node& node, const std::string& path) {
  ParseContext& ctx = state.ctx;
  auto entries = shopKeyTable().entries(ctx, node, path);
  if (!entries) return;
  ShopDraft draft;
  shopKeyTable().apply(ctx, *entries, draft);
  ShopConfig& shop = draft.shop;
  if (!draft.name) {
    ctx.report(node, ParseContext::child(path, "name"), "missing required key `name`");
  } else if (draft.identity_ok) {
    auto [it, inserted] =
        state.shop_positions.emplace(shop.name + "\n" + shop.env, position(draft.name->value));
    if (!inserted) {
      ctx.report(draft.name->value, draft.name->path,
                 "duplicate shop `" + shop.name + "` in env `" + shop.env + "` (first defined at " +
                     it->second + ")");
    }
  }

  CheckDraft base;
  base.check.key.shop = shop.name;
  base.check.key.env = shop.env;
  base.check.per_host_limit = shop.per_host_concurrency;
  base.check.secrets = draft.secrets;
  if (draft.defaults) {
    // Read against the check keys so that `name`/`url` get a precise message, not a typo hint.
    if (auto d = checkKeyTable().entries(ctx, draft.defaults->value, draft.defaults->path, true)) {
      for (const auto& e : *d) {
        const CheckKeyRow* row = checkKeyTable().find(e.key);
        if (row && row->place == KeyPlace::CheckOnly) {
          ctx.report(e.key_node, e.path,
                     "`" + e.key + "` cannot be a default: each check sets its own");
        }
      }
      base.writing = ValueSource::FromDefaults;
      applyTracked(ctx, checkKeyTable(), *d, base);
      base.writing = ValueSource::Set;
    }
  }
  if (const MapEntry* checks = draft.checks) {
    if (!checks->value.IsNull() && !checks->value.IsSequence()) {
      ctx.report(checks->value, checks->path, "expected a list of checks (`- name: ...`)");
    } else {
      std::map<std::string, std::string> check_positions;
      for (std::size_t i = 0; i < checks->value.size(); ++i) {
        parseCheck(state, checks->value[i], ParseContext::index(checks->path, i), shop, base,
                   check_positions);
      }
    }
  }
  state.config.shops.push_back(std::move(shop));
}

}  // namespace

void resolveUrl(ParseContext& ctx, const std::string& url, const MapEntry& entry,
                const ShopConfig& shop, CheckDraft& draft) {
  if (!url.empty() && url.front() == '/') {
    if (shop.base_url.empty()) {
      ctx.report(
          entry.value, entry.path,
          "relative URL `" + url + "` needs the shop's `base_url` (or give an absolute URL)");
      return;
    }
    // Appended to the base URL's path, so a shop under https://host/de/ keeps its prefix.
    std::string base = shop.base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    draft.request().url = base + url;
  } else {
    std::string problem;
    if (!validHttpUrl(url, problem)) {
      ctx.report(entry.value, entry.path,
                 problem +
                     " (use a path starting with `/`, relative to base_url, or an absolute "
                     "http(s) URL)");
      return;
    }
    draft.request().url = url;
  }
  draft.origins["url"] = KeyOrigin{entry.value, entry.path, ValueSource::Set};
}

const KeyTable<ShopDraft>& shopKeyTable() {
  static const KeyTable<ShopDraft> table("shops[]", kShopRows);
  return table;
}

void applyShops(ParseContext& ctx, const MapEntry& section, LoadState& state) {
  if (section.value.IsNull()) return;
  if (!section.value.IsSequence()) {
    ctx.report(section.value, section.path, "expected a list of shops (`- name: ...`)");
    return;
  }
  for (std::size_t i = 0; i < section.value.size(); ++i) {
    parseShop(state, section.value[i], ParseContext::index(section.path, i));
  }
}

}  // namespace shopwatch::agent::detail
