// `shopwatch backlog rebuild -c FILE`: when the database is lost (or was replaced), restores the
// incident → issue mapping from the trackers themselves: every Jira issue with a `shopwatch-<hash>`
// label, and every Redmine issue whose fingerprint field holds one ([D2]), whose fingerprint belongs
// to a rule (or SLO) and target of this config gets its incident row and ticket back. Restored
// incidents are recorded as resolved: the alert state went with the database, so nothing is firing
// yet; when the alert fires again the sink finds the issue through the mapping and adopts (still
// open), reopens (within reopen_window) or replaces it.
//
// It writes through a store opened read-write, like the agent; SQLite lets it run beside a running
// agent (the writes are one short transaction), but the agent's planner may then create the same
// incident first — the rebuild re-reads inside its transaction and never overwrites a recorded one.
#include <cstdio>
#include <future>
#include <map>
#include <string>
#include <vector>

#include "cli.h"
#include "command_config.h"
#include "shopwatch/agent/backlog/http_client.h"
#include "shopwatch/agent/backlog/incident_planner.h"
#include "shopwatch/agent/backlog/incident_store.h"
#include "shopwatch/agent/backlog/jira_sink.h"
#include "shopwatch/agent/backlog/redmine_sink.h"
#include "shopwatch/agent/config/rule_set.h"
#include "shopwatch/agent/persistence/alert_state_store.h"
#include "shopwatch/agent/persistence/maintenance_store.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/storage/sqlite_result_store.h"

namespace shopwatch::cli {
namespace {

namespace backlog = agent::backlog;

/// What an incident of a rule (or SLO) and target looks like, by fingerprint.
struct Identity {
  std::string rule;
  rules::Target target;
  rules::Severity severity = rules::Severity::Warning;
  std::string expr;
  double threshold = 0;
  std::vector<std::string> sinks;
};

std::map<std::string, Identity> identitiesOf(const agent::AgentConfig& config) {
  backlog::PlannerConfig planner;
  planner.client = config.agent.client;
  planner.sinks = config.backlog.sinkNames();
  planner.notify = config.notify;
  const rules::RuleSet set = agent::ruleSetOf(config);
  std::map<std::string, Identity> out;
  auto add = [&](const std::string& name, const rules::TargetPattern& pattern, rules::Severity severity,
                 const std::string& expr, double threshold) {
    for (const auto& target : agent::targetsOf(set, pattern)) {
      out[backlog::incidentFingerprint(config.agent.client, name, target)] =
          Identity{name, target, severity, expr, threshold, backlog::IncidentPlanner::sinksFor(planner, name, target)};
    }
  };
  for (const auto& rule : set.rules) add(rule.name, rule.target, rule.severity, rule.expr.text, rule.expr.threshold);
  for (const auto& slo : set.slos) add(slo.name, slo.target, rules::Severity::Warning, "", 0);
  return out;
}

std::string targetText(const rules::Target& target) {
  return target.str() + " (" + target.key.env + ")";
}

struct Match {
  backlog::FoundTicket found;
  Identity identity;
  std::string sink;  ///< "jira" | "redmine"
};

/// A tracker's name in the output: "Jira", "Redmine".
std::string trackerName(const std::string& sink) { return sink == "redmine" ? "Redmine" : "Jira"; }

/// How the write went, and what the committed attempt did.
struct RebuildOutcome {
  core::Status status;
  std::vector<std::string> lines;
  std::size_t restored = 0;
};

/// Writes the matched tickets; re-reads inside the transaction, so an incident recorded meanwhile is
/// kept as it is. An attempt rolled back with its batch starts over (lines cleared).
class RebuildJob final : public storage::WriteJob {
 public:
  RebuildJob(std::vector<Match> matches, core::SystemTime now, std::promise<RebuildOutcome> done)
      : matches_(std::move(matches)), now_(now), done_(std::move(done)) {}

  core::Status apply(storage::Db& db) override {
    lines_.clear();
    restored_ = 0;
    auto tickets = backlog::loadTickets(db);
    if (!tickets) return tickets.error();
    for (const Match& m : matches_) {
      auto existing = backlog::loadIncident(db, m.found.fingerprint);
      if (!existing) return existing.error();
      const std::string what = m.found.ticket.key + "  " + m.identity.rule + "  " +
                               targetText(m.identity.target);
      std::int64_t incident_id = 0;
      if (*existing) {
        incident_id = (*existing)->id;
        const backlog::IncidentTicket* recorded = nullptr;
        for (const auto& t : *tickets) {
          if (t.incident_id == incident_id && t.sink == m.sink) recorded = &t;
        }
        if (recorded) {
          lines_.push_back("known     " + what + "  already recorded" +
                           (recorded->ticket.key == m.found.ticket.key
                                ? std::string()
                                : " as " + recorded->ticket.key + " (kept)"));
          continue;
        }
      } else {
        backlog::Incident inc;
        inc.fingerprint = m.found.fingerprint;
        inc.rule = m.identity.rule;
        inc.target = m.identity.target;
        inc.severity = m.identity.severity;
        inc.state = backlog::IncidentState::Resolved;
        inc.episode = std::max<std::int64_t>(1, m.found.ticket.episode);
        inc.opened_at = now_;
        inc.resolved_at = now_;
        inc.expr = m.identity.expr;
        inc.threshold = m.identity.threshold;
        inc.sinks = m.identity.sinks;
        auto id = backlog::saveIncident(db, inc);
        if (!id) return id.error();
        incident_id = *id;
      }
      backlog::Ticket ticket = m.found.ticket;
      ticket.episode = std::max<std::int64_t>(1, ticket.episode);
      // The same row outbox_jobs.cpp writes when the worker records a ticket.
      auto s = db.statement(
          "INSERT OR REPLACE INTO incident_ticket(incident_id,sink,ticket_key,ticket_id,url,episode) "
          "VALUES(?1,?2,?3,?4,?5,?6)");
      if (!s) return s.error();
      storage::Statement::ResetOnExit reset(**s);
      (*s)->bind(1, incident_id)
          .bind(2, std::string_view(m.sink))
          .bind(3, std::string_view(ticket.key))
          .bind(4, std::string_view(ticket.id))
          .bind(5, std::string_view(ticket.url))
          .bind(6, ticket.episode);
      if (auto st = (*s)->run(); !st) return st;
      ++restored_;
      lines_.push_back("restored  " + what + "  episode " + std::to_string(ticket.episode) +
                       (m.found.done ? "  (done in " + trackerName(m.sink) + ")"
                                     : "  (still open in " + trackerName(m.sink) +
                                           ": adopted when the alert fires again, else close it by "
                                           "hand)"));
    }
    return {};
  }

  void done(const core::Status& outcome) override {
    done_.set_value(RebuildOutcome{outcome, std::move(lines_), restored_});
  }

 private:
  std::vector<Match> matches_;
  core::SystemTime now_;
  std::promise<RebuildOutcome> done_;
  std::vector<std::string> lines_;
  std::size_t restored_ = 0;
};

}  // namespace

int backlogRebuildCommand(const std::string& config_path) {
  auto config = loadCommandConfig(config_path);
  if (!config) return kExitFailed;
  const agent::BacklogSettings& sinks = config->backlog;
  if (!sinks.jira && !sinks.redmine) {
    std::fprintf(stderr, "shopwatch: no backlog.jira configured (nor backlog.redmine) in %s\n",
                 config_path.c_str());
    return kExitFailed;
  }
  backlog::HttpClient http;
  std::vector<std::pair<std::string, backlog::FoundTicket>> found;  // sink, ticket; newest first per sink
  if (sinks.jira) {
    auto jira = backlog::findShopwatchTickets(*sinks.jira, http);
    if (!jira) {
      std::fprintf(stderr, "shopwatch: cannot search Jira: %s\n", jira.error().message.c_str());
      return kExitFailed;
    }
    for (auto& t : *jira) found.emplace_back("jira", std::move(t));
  }
  if (sinks.redmine) {
    auto redmine = backlog::findRedmineTickets(*sinks.redmine, http);
    if (!redmine) {
      std::fprintf(stderr, "shopwatch: cannot search Redmine: %s\n", redmine.error().message.c_str());
      return kExitFailed;
    }
    for (auto& t : *redmine) found.emplace_back("redmine", std::move(t));
  }
  const auto identities = identitiesOf(*config);
  std::vector<Match> matches;
  std::map<std::pair<std::string, std::string>, std::string> kept;  // sink, fingerprint → newest key
  std::vector<std::string> skipped;
  for (const auto& [sink, ticket] : found) {
    auto id = identities.find(ticket.fingerprint);
    if (id == identities.end()) {
      skipped.push_back("unmatched " + ticket.ticket.key + "  " + ticket.fingerprint +
                        ": no rule and target of this config has this fingerprint (removed, "
                        "renamed, or another agent.client)");
      continue;
    }
    if (auto k = kept.find({sink, ticket.fingerprint}); k != kept.end()) {
      skipped.push_back("older     " + ticket.ticket.key + "  " + id->second.rule + "  " +
                        targetText(id->second.target) + ": an earlier issue of the same incident (" +
                        k->second + " is newer)");
      continue;
    }
    kept.emplace(std::make_pair(sink, ticket.fingerprint), ticket.ticket.key);
    matches.push_back(Match{ticket, id->second, sink});
  }

  storage::StoreOptions options;
  options.path = config->agent.database;
  options.components = {agent::persistence::alertStateComponent(),
                        agent::persistence::maintenanceComponent(), backlog::incidentsComponent()};
  auto store = storage::SqliteResultStore::open(std::move(options));
  if (!store) {
    std::fprintf(stderr, "shopwatch: cannot open %s: %s\n", config->agent.database.c_str(),
                 store.error().message.c_str());
    return kExitFailed;
  }
  std::promise<RebuildOutcome> promise;
  std::future<RebuildOutcome> written = promise.get_future();
  if (!(*store)->submit(std::make_unique<RebuildJob>(
          std::move(matches), core::SystemClock::instance().now(), std::move(promise)))) {
    std::fprintf(stderr, "shopwatch: cannot write to %s\n", config->agent.database.c_str());
    return kExitFailed;
  }
  // done() runs on every path (written, failed, or the store stopping with the job unwritten).
  const RebuildOutcome outcome = written.get();
  (*store)->stop();
  if (!outcome.status) {
    std::fprintf(stderr, "shopwatch: cannot write to %s: %s\n", config->agent.database.c_str(),
                 outcome.status.error().message.c_str());
    return kExitFailed;
  }
  for (const auto& line : outcome.lines) std::printf("%s\n", line.c_str());
  for (const auto& line : skipped) std::printf("%s\n", line.c_str());
  std::printf("%zu issue%s found, %zu restored, %zu not matched\n", found.size(),
              found.size() == 1 ? "" : "s", outcome.restored, skipped.size());
  return kExitOk;
}

}  // namespace shopwatch::cli
