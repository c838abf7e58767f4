// `notify:` of rules and SLOs (the sinks their incidents go to), and the backlog checks that need
// the whole file: notify names configured sinks, `projects:` envs have shops.
#include <algorithm>
#include <array>
#include <set>

#include "backlog_draft.h"
#include "key_suggestion.h"
#include "load_state.h"

namespace shopwatch::agent::detail {
namespace {

constexpr std::array<std::string_view, 4> kSinkNames = {"jira", "redmine", "webhook", "alertmanager"};

std::string quoted(const std::vector<std::string>& names) {
  std::vector<std::string_view> views(names.begin(), names.end());
  return quoteList(views);
}

void checkNotify(LoadState& state) {
  const std::vector<std::string> configured = state.config.backlog.sinkNames();
  for (const NotifyRef& ref : state.backlog.notify) {
    bool ok = true;
    for (std::size_t i = 0; i < ref.list.sinks.size(); ++i) {
      const std::string& sink = ref.list.sinks[i];
      if (std::find(configured.begin(), configured.end(), sink) != configured.end()) continue;
      ok = false;
      const auto& declared = state.backlog.declared;
      if (std::find(declared.begin(), declared.end(), sink) != declared.end()) continue;
      const Place& at = ref.list.items[i];
      state.ctx.report(at.node, at.path,
                       "sink `" + sink + "` is not configured under `backlog:` (" +
                           (configured.empty() ? std::string("no sink is configured")
                                               : "configured: " + quoted(configured)) +
                           ")");
    }
    if (ok) state.config.notify[ref.owner] = ref.list.sinks;
  }
}

void checkProjectEnvs(LoadState& state) {
  std::set<std::string> envs;
  for (const auto& shop : state.config.shops) envs.insert(shop.env);
  const std::vector<std::string> known(envs.begin(), envs.end());
  std::vector<std::string_view> candidates(known.begin(), known.end());
  for (const auto& [env, at] : state.backlog.project_envs) {
    if (envs.count(env)) continue;
    std::string message = "no shop has env `" + env + "`: this project is never used";
    if (auto suggestion = suggestKey(env, candidates)) {
      message += "; did you mean `" + *suggestion + "`?";
    } else if (!known.empty()) {
      message += " (envs: " + quoted(known) + ")";
    }
    state.ctx.warn(at.node, at.path, std::move(message));
  }
}

}  // namespace

std::optional<NotifyList> readNotify(ParseContext& ctx, const MapEntry& e) {
  if (!e.value.IsSequence()) {
    ctx.report(e.value, e.path,
               "expected a list of sink names (`[jira, webhook]`; `[]` files nothing)");
    return std::nullopt;
  }
  NotifyList list;
  bool ok = true;
  for (std::size_t i = 0; i < e.value.size(); ++i) {
    const YAML::Node& item = e.value[i];
    const std::string path = ParseContext::index(e.path, i);
    auto name = ctx.scalar(item, path, "a sink name");
    if (!name) {
      ok = false;
      continue;
    }
    if (std::find(kSinkNames.begin(), kSinkNames.end(), *name) == kSinkNames.end()) {
      std::string message = "unknown sink `" + *name + "`";
      if (auto suggestion = suggestKey(*name, kSinkNames)) {
        message += "; did you mean `" + *suggestion + "`?";
      } else {
        message += " (sinks: " + quoteList(kSinkNames) + ")";
      }
      ctx.report(item, path, std::move(message));
      ok = false;
      continue;
    }
    if (std::find(list.sinks.begin(), list.sinks.end(), *name) != list.sinks.end()) {
      ctx.report(item, path, "sink `" + *name + "` is listed twice");
      ok = false;
      continue;
    }
    list.sinks.push_back(*name);
    list.items.push_back(Place{item, path});
  }
  if (!ok) return std::nullopt;
  return list;
}

void finalizeBacklog(LoadState& state) {
  checkNotify(state);
  checkProjectEnvs(state);
}

}  // namespace shopwatch::agent::detail
