#include "shopwatch/agent/backlog/incident_planner.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "shopwatch/agent/backlog/incident_store.h"
#include "shopwatch/rules/expr.h"

namespace shopwatch::agent::backlog {

namespace {

// A value in the rule's KPI unit as users write it ("93.3%", "812ms"); plain digits when the
// expression does not parse (an SLO's burn tier, a hand-edited row).
std::string valueText(const std::optional<rules::Expr>& expr, std::optional<double> value) {
  if (!value) return {};
  if (expr) return rules::formatKpiValue(expr->kpi, *value);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", *value);
  return buf;
}

core::Status queue(storage::Db& db, const Incident& inc, ActionKind kind,
                   const IncidentFacts& facts, core::SystemTime at) {
  const auto json = factsToJson(facts);
  for (const auto& sink : inc.sinks) {
    OutboxAction a;
    a.incident_id = inc.id;
    a.sink = sink;
    a.kind = kind;
    a.facts_json = json;
    a.created_at = at;
    a.next_attempt_at = at;
    if (auto id = appendAction(db, a); !id) return id.error();
  }
  return {};
}

// The facts of an action on an existing incident: the episode is the row's, not the record's.
IncidentFacts forIncident(IncidentFacts facts, const Incident& inc) {
  facts.episode = inc.episode;
  facts.since = inc.opened_at;
  return facts;
}

}  // namespace

IncidentPlanner::IncidentPlanner(FactsProvider facts) : provider_(std::move(facts)) {}

void IncidentPlanner::configure(PlannerConfig config) {
  std::lock_guard lk(mu_);
  config_ = std::move(config);
}

PlannerConfig IncidentPlanner::config() const {
  std::lock_guard lk(mu_);
  return config_;
}

std::vector<std::string> IncidentPlanner::sinksFor(const PlannerConfig& config,
                                                   const std::string& rule,
                                                   const rules::Target& target) {
  auto it = config.notify.find(rule);
  const bool about_a_sink = rule == kSinkPausedRule;
  std::vector<std::string> out;
  // In the configured order, each once: jira, redmine, webhook, alertmanager.
  for (const auto& sink : config.sinks) {
    if (it != config.notify.end() &&
        std::find(it->second.begin(), it->second.end(), sink) == it->second.end())
      continue;
    if (about_a_sink && sink == target.key.check) continue;
    out.push_back(sink);
  }
  return out;
}

IncidentFacts IncidentPlanner::facts(const rules::AlertRecord& record, core::SystemTime at) const {
  return buildFacts(config(), record, at);
}

IncidentFacts IncidentPlanner::buildFacts(const PlannerConfig& config, const rules::AlertRecord& r,
                                          core::SystemTime at, const FilingOverride* filing) const {
  IncidentFacts f;
  f.client = config.client;
  f.fingerprint = incidentFingerprint(config.client, r.rule, r.target);
  f.rule = r.rule;
  f.shop = r.target.key.shop;
  f.env = r.target.key.env;
  f.check = r.target.key.check;
  f.step = r.target.step;
  f.severity = std::string(rules::severityName(r.severity));
  f.expr = r.expr;
  std::optional<rules::Expr> expr;
  if (auto parsed = rules::parseExpr(r.expr)) expr = std::move(*parsed);
  f.value_text = valueText(expr, r.value);
  f.threshold_text = valueText(expr, r.threshold);
  f.peak_text = valueText(expr, r.peak);
  f.since = r.fired_at.value_or(at);
  f.at = at;
  if (r.state == rules::AlertState::Ok && r.resolved_at) f.resolved_at = r.resolved_at;
  if (filing) {
    if (filing->facts) filing->facts(r, f);
  } else if (provider_) {
    provider_(r, f);
  }
  return f;
}

core::Status IncidentPlanner::apply(storage::Db& db,
                                    const std::vector<rules::AlertTransition>& transitions) const {
  return applyAll(db, transitions, nullptr);
}

core::Status IncidentPlanner::apply(storage::Db& db,
                                    const std::vector<rules::AlertTransition>& transitions,
                                    const FilingOverride& filing) const {
  return applyAll(db, transitions, &filing);
}

core::Status IncidentPlanner::applyAll(storage::Db& db,
                                       const std::vector<rules::AlertTransition>& transitions,
                                       const FilingOverride* filing) const {
  const auto config = this->config();
  for (const auto& t : transitions) {
    if (auto st = applyOne(db, config, t, filing); !st) return st;
  }
  return {};
}

core::Status IncidentPlanner::applyOne(storage::Db& db, const PlannerConfig& config,
                                       const rules::AlertTransition& t,
                                       const FilingOverride* filing) const {
  using rules::AlertState;
  const auto& r = t.alert;
  const auto fingerprint = incidentFingerprint(config.client, r.rule, r.target);
  auto loaded = loadIncident(db, fingerprint);
  if (!loaded) return loaded.error();
  std::optional<Incident> existing = std::move(*loaded);
  const bool open = existing && existing->state == IncidentState::Open;

  // Ends the open incident with a resolve or retire action per sink.
  auto close = [&](ActionKind kind, core::SystemTime resolved_at) -> core::Status {
    Incident inc = *existing;
    inc.state = IncidentState::Resolved;
    inc.resolved_at = resolved_at;
    if (r.peak) inc.peak = r.peak;
    if (auto id = saveIncident(db, inc); !id) return id.error();
    auto f = forIncident(buildFacts(config, r, t.at, filing), inc);
    f.resolved_at = resolved_at;
    return queue(db, inc, kind, f, t.at);
  };

  auto escalate = [&]() -> core::Status {
    Incident inc = *existing;
    const auto previous = inc.severity;
    inc.severity = r.severity;
    inc.peak = r.peak ? r.peak : inc.peak;
    inc.expr = r.expr;
    inc.threshold = r.threshold;
    if (auto id = saveIncident(db, inc); !id) return id.error();
    auto f = forIncident(buildFacts(config, r, t.at, filing), inc);
    f.previous_severity = std::string(rules::severityName(previous));
    return queue(db, inc, ActionKind::Escalate, f, t.at);
  };

  // A new episode: a new incident, or the next episode of a resolved (or unresolved, when its
  // resolve was never seen) one.
  auto openEpisode = [&]() -> core::Status {
    const auto fired_at = r.fired_at.value_or(t.at);
    if (open && existing->opened_at == fired_at) {
      // The same episode seen again (a restart replaying its transition): only a severity change.
      return existing->severity != r.severity ? escalate() : core::Status{};
    }
    std::vector<std::string> sinks;
    if (filing) {
      for (const auto& s : config.sinks) {
        if (std::find(filing->sinks.begin(), filing->sinks.end(), s) != filing->sinks.end())
          sinks.push_back(s);
      }
    } else {
      sinks = sinksFor(config, r.rule, r.target);
    }
    if (sinks.empty()) return {};  // notify: [] files nothing
    Incident inc;
    if (existing) {
      inc = *existing;
      inc.episode = existing->episode + 1;
    } else {
      inc.fingerprint = fingerprint;
      inc.episode = 1;
    }
    inc.rule = r.rule;
    inc.target = r.target;
    inc.severity = r.severity;
    inc.state = IncidentState::Open;
    inc.opened_at = fired_at;
    inc.resolved_at.reset();
    inc.peak = r.peak;
    inc.expr = r.expr;
    inc.threshold = r.threshold;
    inc.last_digest_at.reset();
    inc.sinks = sinks;
    auto id = saveIncident(db, inc);
    if (!id) return id.error();
    inc.id = *id;
    return queue(db, inc, ActionKind::Open, forIncident(buildFacts(config, r, t.at, filing), inc), t.at);
  };

  if (t.removed) return open ? close(ActionKind::Retire, t.at) : core::Status{};
  switch (r.state) {
    case AlertState::Firing:
      if (t.from != AlertState::Firing) return openEpisode();
      if (t.from_severity == r.severity) return {};
      return open ? escalate() : openEpisode();
    case AlertState::Ok:
      return open ? close(ActionKind::Resolve, r.resolved_at.value_or(t.at)) : core::Status{};
    case AlertState::Pending:
    case AlertState::Suppressed:
      return {};
  }
  return {};
}

}  // namespace shopwatch::agent::backlog
