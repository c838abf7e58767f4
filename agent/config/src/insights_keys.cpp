// `insights:` — `{asset_hosts, backlog, issue_type, min_priority, checkout_weight, weights,
// audit_interval, max_assets, max_asset_bytes, page_weight_limit, image_limit, close_after}`. Sizes
// and durations use the loader's grammar (ParseContext::size, ::duration); `backlog` and the
// `weights` names are checked against the whole file by finalizeInsights().
#include "insights_keys.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>

#include "backlog_draft.h"
#include "key_suggestion.h"
#include "load_state.h"
#include "shopwatch/core/text.h"
#include "shopwatch/rules/severity.h"
#include "shopwatch/rules/target.h"

namespace shopwatch::agent::detail {
namespace {

// Alertmanager raises alerts; an improvement item needs a sink that keeps issues.
constexpr std::array<std::string_view, 3> kFilingSinks = {"jira", "redmine", "webhook"};
constexpr std::array<std::string_view, 3> kSeverities = {"info", "warning", "critical"};
constexpr core::Micros kMinAuditInterval = std::chrono::minutes{1};
constexpr std::int64_t kMaxAssets = 1000;

std::string withSuggestion(std::string message, std::string_view wanted,
                           const std::vector<std::string>& known) {
  std::vector<std::string_view> candidates(known.begin(), known.end());
  if (auto suggestion = suggestKey(wanted, candidates))
    message += "; did you mean `" + *suggestion + "`?";
  return message;
}

std::string quoted(const std::vector<std::string>& names) {
  std::vector<std::string_view> views(names.begin(), names.end());
  return quoteList(views);
}

bool hostLabelChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

// Why `host` (lower-cased) is not a DNS host name, or nothing when it is one.
std::optional<std::string> hostProblem(const std::string& host) {
  if (host.empty()) return "must not be empty";
  if (host.size() > 253) return "is longer than 253 characters";
  std::size_t start = 0;
  while (start <= host.size()) {
    const std::size_t end = std::min(host.find('.', start), host.size());
    const std::string_view label(host.data() + start, end - start);
    if (label.empty()) return "has an empty label (`..`, or a leading or trailing `.`)";
    if (label.size() > 63) return "has a label longer than 63 characters";
    if (!std::all_of(label.begin(), label.end(), hostLabelChar))
      return "may hold only letters, digits, `-` and `.`";
    if (label.front() == '-' || label.back() == '-')
      return "has a label that starts or ends with `-`";
    start = end + 1;
  }
  return std::nullopt;
}

void applyAssetHosts(ParseContext& ctx, const MapEntry& e, InsightsEntry& d) {
  if (!e.value.IsSequence()) {
    ctx.report(e.value, e.path, "expected a list of host names (`[cdn.acme.example]`)");
    return;
  }
  for (std::size_t i = 0; i < e.value.size(); ++i) {
    const YAML::Node item = e.value[i];
    const std::string path = ParseContext::index(e.path, i);
    auto raw = ctx.scalar(item, path, "a host name (`cdn.acme.example`)");
    if (!raw) continue;
    const std::string host = core::asciiLower(*raw);
    if (const auto scheme = host.find("://"); scheme != std::string::npos) {
      const std::string rest = raw->substr(scheme + 3);
      ctx.report(item, path,
                 "`" + *raw + "` has a scheme: write the host name alone (`" +
                     rest.substr(0, rest.find_first_of("/:?#")) + "`)");
      continue;
    }
    if (host.find_first_of("/?#") != std::string::npos) {
      ctx.report(item, path,
                 "`" + *raw + "` has a path: write the host name alone (`" +
                     raw->substr(0, raw->find_first_of("/?#")) + "`)");
      continue;
    }
    if (host.find(':') != std::string::npos) {
      ctx.report(item, path,
                 "`" + *raw + "` has a port: write the host name alone (`" +
                     raw->substr(0, raw->find(':')) + "`; every port of the host counts)");
      continue;
    }
    if (auto problem = hostProblem(host)) {
      ctx.report(item, path, "host name `" + *raw + "` " + *problem);
      continue;
    }
    auto& hosts = d.settings.asset_hosts;
    if (std::find(hosts.begin(), hosts.end(), host) != hosts.end()) {
      ctx.report(item, path, "host `" + host + "` is listed twice");
      continue;
    }
    hosts.push_back(host);
  }
}

void applyBacklogSink(ParseContext& ctx, const MapEntry& e, InsightsEntry& d) {
  auto raw = ctx.scalar(e.value, e.path, "a backlog sink (" + quoteList(kFilingSinks) + ")");
  if (!raw) return;
  if (*raw == "alertmanager") {
    ctx.report(e.value, e.path,
               "alertmanager raises alerts and keeps no issues: file findings into " +
                   quoteList(kFilingSinks));
    return;
  }
  if (std::find(kFilingSinks.begin(), kFilingSinks.end(), *raw) == kFilingSinks.end()) {
    std::string message = "unknown sink `" + *raw + "`";
    if (auto suggestion = suggestKey(*raw, kFilingSinks)) {
      message += "; did you mean `" + *suggestion + "`?";
    } else {
      message += " (sinks: " + quoteList(kFilingSinks) + ")";
    }
    ctx.report(e.value, e.path, std::move(message));
    return;
  }
  d.settings.backlog = *raw;
  d.draft->backlog = Place{e.value, e.path};
}

void applyIssueType(ParseContext& ctx, const MapEntry& e, InsightsEntry& d) {
  if (auto v = nonEmpty(ctx, e)) d.settings.issue_type = *v;
}

void applyMinPriority(ParseContext& ctx, const MapEntry& e, InsightsEntry& d) {
  auto raw = ctx.scalar(e.value, e.path, "a priority (" + quoteList(kSeverities) + ")");
  if (!raw) return;
  auto severity = rules::parseSeverity(*raw);
  if (!severity) {
    ctx.report(e.value, e.path,
               "invalid min_priority `" + *raw + "` (use " + quoteList(kSeverities) + ")");
    return;
  }
  d.settings.min_priority = *severity;
}

std::optional<double> positiveWeight(ParseContext& ctx, const YAML::Node& node,
                                     const std::string& path) {
  auto v = ctx.number(node, path);
  if (!v) return std::nullopt;
  if (*v <= 0) {
    ctx.report(node, path, "a weight must be greater than 0, got `" + node.Scalar() + "`");
    return std::nullopt;
  }
  return v;
}

void applyCheckoutWeight(ParseContext& ctx, const MapEntry& e, InsightsEntry& d) {
  if (auto v = positiveWeight(ctx, e.value, e.path)) d.settings.checkout_weight = *v;
}

void applyWeights(ParseContext& ctx, const MapEntry& e, InsightsEntry& d) {
  if (e.value.IsNull()) return;
  if (!e.value.IsMap()) {
    ctx.report(e.value, e.path,
               "expected a map of `shop/check` or `shop/check/step` to a weight "
               "(`{acme/checkout: 3}`)");
    return;
  }
  for (const auto& pair : e.value) {
    const YAML::Node& key = pair.first;
    if (!key.IsScalar() || key.Scalar().empty()) {
      ctx.report(key, e.path, "a weight's name must be `shop/check` or `shop/check/step`");
      continue;
    }
    const std::string name = key.Scalar();
    const std::string path = ParseContext::child(e.path, name);
    auto pattern = rules::parseTargetPattern(name);
    if (!pattern) {
      ctx.report(key, path, pattern.error().message);
      continue;
    }
    if (pattern->wildcard()) {
      ctx.report(key, path,
                 "a weight names one check or step (`shop/check` or `shop/check/step`), not `" +
                     name + "`");
      continue;
    }
    auto& weights = d.settings.weights;
    if (std::any_of(weights.begin(), weights.end(),
                    [&](const auto& w) { return w.first == name; })) {
      ctx.report(key, path, "`" + name + "` is weighted twice");
      continue;
    }
    auto weight = positiveWeight(ctx, pair.second, path);
    if (!weight) continue;
    weights.emplace_back(name, *weight);
    d.draft->weights.push_back(Place{key, path});
  }
}

void applyAuditInterval(ParseContext& ctx, const MapEntry& e, InsightsEntry& d) {
  // `0` reads as "off" without a unit; any other number needs one (the duration grammar).
  if (e.value.IsScalar() && e.value.Scalar() == "0") {
    d.settings.audit_interval = core::Micros{0};
    return;
  }
  auto v = ctx.duration(e.value, e.path, true);
  if (!v) return;
  if (v->count() != 0 && *v < kMinAuditInterval) {
    ctx.report(e.value, e.path,
               "must be 0 (no audits) or at least " + core::formatDuration(kMinAuditInterval) +
                   ", got `" + e.value.Scalar() + "`");
    return;
  }
  d.settings.audit_interval = *v;
}

void applyMaxAssets(ParseContext& ctx, const MapEntry& e, InsightsEntry& d) {
  if (auto v = ctx.integer(e.value, e.path, 0, kMaxAssets))
    d.settings.max_assets = static_cast<int>(*v);
}

void applyMaxAssetBytes(ParseContext& ctx, const MapEntry& e, InsightsEntry& d) {
  if (auto v = ctx.size(e.value, e.path)) d.settings.max_asset_bytes = *v;
}

void applyPageWeightLimit(ParseContext& ctx, const MapEntry& e, InsightsEntry& d) {
  if (auto v = ctx.size(e.value, e.path)) d.settings.page_weight_limit = *v;
}

void applyImageLimit(ParseContext& ctx, const MapEntry& e, InsightsEntry& d) {
  if (auto v = ctx.size(e.value, e.path)) d.settings.image_limit = *v;
}

void applyCloseAfter(ParseContext& ctx, const MapEntry& e, InsightsEntry& d) {
  if (auto v = ctx.duration(e.value, e.path)) d.settings.close_after = *v;
}

constexpr std::array<KeyRow<InsightsEntry>, 12> kInsightsRows = {{
    {"asset_hosts", applyAssetHosts,
     "[host, ...]: hosts besides each page's own whose assets are audited (a CDN); names only"},
    {"backlog", applyBacklogSink,
     "jira, redmine or webhook (configured under `backlog:`): findings are filed there (default: "
     "not filed)"},
    {"issue_type", applyIssueType,
     "the filed items' Jira issue type / Redmine tracker (default the sink's own)"},
    {"min_priority", applyMinPriority,
     "info, warning or critical: findings below it are not filed (default warning)"},
    {"checkout_weight", applyCheckoutWeight,
     "weight of checks and steps named checkout, cart, basket, payment or order (default 3)"},
    {"weights", applyWeights,
     "{shop/check: N, shop/check/step: N}: a weight > 0 per check or step (default 1)"},
    {"audit_interval", applyAuditInterval,
     "how often the agent audits pages and assets, at least 1m; 0 never (default 6h)"},
    {"max_assets", applyMaxAssets, "assets fetched per audited page, 0-1000 (default 60)"},
    {"max_asset_bytes", applyMaxAssetBytes, "the largest asset body read (default 10MiB)"},
    {"page_weight_limit", applyPageWeightLimit,
     "page + assets above it is a page-weight finding (default 3MiB)"},
    {"image_limit", applyImageLimit, "an image above it is a large-image finding (default 300KiB)"},
    {"close_after", applyCloseAfter,
     "a filed item whose finding has been gone this long is closed (default 7d)"},
}};

/// The loaded checks as weights name them: `shop/check` in file order, and the steps of journeys.
struct WeightIndex {
  std::vector<std::string> checks;
  std::map<std::string, std::vector<std::string>> steps_of;  ///< journey → `shop/check/step`
};

WeightIndex indexOf(const AgentConfig& config) {
  WeightIndex index;
  for (const auto& check : config.checks) {
    const std::string name = check->key.shop + "/" + check->key.check;
    if (std::find(index.checks.begin(), index.checks.end(), name) == index.checks.end())
      index.checks.push_back(name);
    const core::JourneyProbe* journey = check->journey();
    if (!journey) continue;
    auto& steps = index.steps_of[name];
    auto add = [&](const core::JourneyStep& step) {
      const std::string target = name + "/" + step.name;
      if (std::find(steps.begin(), steps.end(), target) == steps.end()) steps.push_back(target);
    };
    for (const auto& step : journey->steps) add(step);
    for (const auto& step : journey->cleanup) add(step);
  }
  return index;
}

void checkBacklog(LoadState& state) {
  const auto& at = state.insights.backlog;
  if (!at) return;
  const std::string& sink = state.config.insights.backlog;
  std::vector<std::string> configured;
  for (const auto& name : state.config.backlog.sinkNames()) {
    if (std::find(kFilingSinks.begin(), kFilingSinks.end(), name) != kFilingSinks.end())
      configured.push_back(name);
  }
  if (std::find(configured.begin(), configured.end(), sink) != configured.end()) return;
  const auto& declared = state.backlog.declared;
  if (std::find(declared.begin(), declared.end(), sink) != declared.end()) return;  // own errors
  state.ctx.report(at->node, at->path,
                   "sink `" + sink + "` is not configured under `backlog:` (" +
                       (configured.empty() ? std::string("no filing sink is configured")
                                           : "configured: " + quoted(configured)) +
                       ")");
}

void checkWeights(LoadState& state) {
  const WeightIndex index = indexOf(state.config);
  const auto& weights = state.config.insights.weights;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const std::string& name = weights[i].first;
    const Place& at = state.insights.weights[i];
    auto pattern = rules::parseTargetPattern(name);
    if (!pattern) continue;  // reported when read
    const std::string check = pattern->shop + "/" + pattern->check;
    if (std::find(index.checks.begin(), index.checks.end(), check) == index.checks.end()) {
      if (state.rules.declared_checks.count(declaredKey(pattern->shop, pattern->check)))
        continue;  // the check has errors of its own
      state.ctx.report(
          at.node, at.path,
          withSuggestion("no check `" + check + "` in this config", check, index.checks));
      continue;
    }
    if (pattern->step.empty()) continue;
    auto steps = index.steps_of.find(check);
    if (steps == index.steps_of.end()) {
      state.ctx.report(
          at.node, at.path,
          "`" + check + "` is not a journey, so it has no step `" + pattern->step + "`");
      continue;
    }
    if (std::find(steps->second.begin(), steps->second.end(), name) != steps->second.end())
      continue;
    state.ctx.report(at.node, at.path,
                     withSuggestion("journey `" + check + "` has no step `" + pattern->step + "`",
                                    name, steps->second));
  }
}

}  // namespace

const KeyTable<InsightsEntry>& insightsKeyTable() {
  static const KeyTable<InsightsEntry> table("insights", kInsightsRows);
  return table;
}

void applyInsights(ParseContext& ctx, const MapEntry& section, LoadState& state) {
  auto entries = insightsKeyTable().entries(ctx, section.value, section.path, true);
  if (!entries) return;
  state.insights = InsightsDraft{};
  InsightsEntry d{InsightsSettings{}, &state.insights};
  d.settings.line = section.key_node.Mark().is_null() ? 0 : section.key_node.Mark().line + 1;
  insightsKeyTable().apply(ctx, *entries, d);
  state.config.insights = std::move(d.settings);
}

void finalizeInsights(LoadState& state) {
  checkBacklog(state);
  checkWeights(state);
}

}  // namespace shopwatch::agent::detail
