#include "insight_tickets.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "backlog_runtime.h"
#include "shopwatch/agent/backlog/incident.h"
#include "shopwatch/agent/backlog/incident_planner.h"
#include "shopwatch/agent/backlog/incident_store.h"
#include "shopwatch/agent/backlog/sink.h"
#include "shopwatch/core/text.h"
#include "shopwatch/storage/sqlite_result_store.h"

namespace shopwatch::agent::runtime {

namespace {

using storage::Db;

constexpr std::size_t kEvidenceLinesMax = 60;

// What a ticket says about a finding, kept per open item so that its closing speaks of it too.
struct ItemText {
  std::string summary;
  std::string saving_text;
  std::string evidence_text;
  core::SystemTime last_seen{};
};

struct Row {
  ItemText text;
  core::SystemTime first_seen{};
};


// Decimal units in tickets (what the issue trackers' readers expect next to "per page view").
std::string bytesText(std::uint64_t b) {
  char buf[32];
  if (b >= 1'000'000) {
    std::snprintf(buf, sizeof(buf), "%.1f MB", static_cast<double>(b) / 1e6);
  } else if (b >= 1'000) {
    std::snprintf(buf, sizeof(buf), "%.0f KB", static_cast<double>(b) / 1e3);
  } else {
    std::snprintf(buf, sizeof(buf), "%" PRIu64 " bytes", b);
  }
  return buf;
}

std::string savingText(const insights::Finding& f) {
  std::string out;
  if (f.saving_seconds > 0) out = "about " + core::shortSeconds(f.saving_seconds);
  if (f.saving_bytes > 0) out += (out.empty() ? "" : ", ") + bytesText(f.saving_bytes) + " less";
  if (!out.empty()) out += " per page view";
  return out;
}

// The evidence as "key: value" lines (nested keys joined with '.', list items numbered), which
// reads well in any tracker's code block.
void flatten(const nlohmann::json& j, const std::string& prefix, std::vector<std::string>& out) {
  if (out.size() > kEvidenceLinesMax) return;
  if (j.is_object() && !j.empty()) {
    for (const auto& [key, value] : j.items()) {
      flatten(value, prefix.empty() ? key : prefix + "." + key, out);
    }
    return;
  }
  if (j.is_array() && !j.empty()) {
    bool scalars = true;
    for (const auto& v : j) scalars = scalars && !v.is_structured();
    if (scalars) {
      std::string line;
      for (const auto& v : j) {
        line += (line.empty() ? "" : ", ") + (v.is_string() ? v.get<std::string>() : v.dump());
      }
      out.push_back(prefix + ": " + line);
      return;
    }
    for (std::size_t i = 0; i < j.size(); ++i) flatten(j[i], prefix + "[" + std::to_string(i + 1) + "]", out);
    return;
  }
  const std::string value = j.is_string() ? j.get<std::string>()
                                          : j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out.push_back(prefix.empty() ? value : prefix + ": " + value);
}

std::string evidenceText(const nlohmann::json& evidence) {
  std::vector<std::string> lines;
  flatten(evidence, "", lines);
  std::string out;
  for (std::size_t i = 0; i < lines.size() && i < kEvidenceLinesMax; ++i) {
    out += lines[i] + "\n";
  }
  if (lines.size() > kEvidenceLinesMax) out += "…\n";
  if (!out.empty()) out.pop_back();
  return out;
}

std::string closeAfterText(core::Micros d) {
  constexpr std::int64_t kDay = 86'400'000'000;
  if (d.count() > 0 && d.count() % kDay == 0) {
    const auto days = d.count() / kDay;
    return std::to_string(days) + (days == 1 ? " day" : " days");
  }
  return core::formatDuration(d);
}

core::Result<std::map<std::string, Row>> loadRows(Db& db) {
  auto s = db.statement(
      "SELECT fingerprint,summary,saving_text,evidence_text,first_seen,last_seen FROM insight_ticket");
  if (!s) return s.error();
  storage::Statement::ResetOnExit reset(**s);
  std::map<std::string, Row> out;
  for (;;) {
    auto more = (*s)->step();
    if (!more) return more.error();
    if (!*more) break;
    Row r;
    r.text.summary = (*s)->text(1);
    r.text.saving_text = (*s)->text(2);
    r.text.evidence_text = (*s)->text(3);
    r.first_seen = core::fromMicros((*s)->i64(4));
    r.text.last_seen = core::fromMicros((*s)->i64(5));
    out.emplace((*s)->text(0), std::move(r));
  }
  return out;
}

core::Status saveRow(Db& db, const std::string& fingerprint, const Row& r) {
  auto s = db.statement(
      "INSERT INTO insight_ticket(fingerprint,summary,saving_text,evidence_text,first_seen,last_seen) "
      "VALUES(?1,?2,?3,?4,?5,?6) ON CONFLICT(fingerprint) DO UPDATE SET summary=excluded.summary,"
      "saving_text=excluded.saving_text,evidence_text=excluded.evidence_text,"
      "first_seen=excluded.first_seen,last_seen=excluded.last_seen");
  if (!s) return s.error();
  return (*s)
      ->bind(1, fingerprint)
      .bind(2, r.text.summary)
      .bind(3, r.text.saving_text)
      .bind(4, r.text.evidence_text)
      .bind(5, core::toMicros(r.first_seen))
      .bind(6, core::toMicros(r.text.last_seen))
      .run();
}

core::Status deleteRow(Db& db, const std::string& fingerprint) {
  auto s = db.statement("DELETE FROM insight_ticket WHERE fingerprint=?1");
  if (!s) return s.error();
  return (*s)->bind(1, fingerprint).run();
}

rules::AlertTransition filing(const std::string& rule, const rules::Target& target,
                              rules::Severity priority, const std::string& summary,
                              core::SystemTime now) {
  rules::AlertTransition t;
  t.at = now;
  t.from = rules::AlertState::Ok;
  t.from_severity = priority;
  auto& r = t.alert;
  r.rule = rule;
  r.target = target;
  r.severity = priority;
  r.state = rules::AlertState::Firing;
  r.since = now;
  r.fired_at = now;
  r.breach_since = now;
  r.expr = summary;
  return t;
}

rules::AlertTransition closing(const backlog::Incident& inc, const ItemText& text,
                               core::SystemTime now) {
  rules::AlertTransition t;
  t.at = now;
  t.from = rules::AlertState::Firing;
  t.from_severity = inc.severity;
  auto& r = t.alert;
  r.rule = inc.rule;
  r.target = inc.target;
  r.severity = inc.severity;
  r.state = rules::AlertState::Ok;
  r.since = now;
  r.fired_at = inc.opened_at;
  r.resolved_at = now;
  r.healthy_since = text.last_seen;
  r.expr = text.summary.empty() ? inc.expr : text.summary;
  return t;
}

struct Finding {
  std::string rule;
  rules::Target target;
  rules::Severity priority = rules::Severity::Info;
  ItemText text;
};

// One reconcile, decided and written on the store's writer (see the header). Holds only its input,
// so an attempt rolled back and run again decides the same.
class ReconcileJob final : public storage::WriteJob {
 public:
  ReconcileJob(BacklogRuntime& backlog, InsightTicketsSettings settings, std::vector<Finding> findings,
               core::SystemTime now)
      : backlog_(backlog), settings_(std::move(settings)), findings_(std::move(findings)), now_(now) {}

  core::Status apply(Db& db) override {
    const backlog::IncidentPlanner& planner = backlog_.planner();
    const auto client = planner.config().client;
    filed_ = 0;
    auto rows = loadRows(db);
    if (!rows) return rows.error();
    auto open = backlog::loadIncidents(db, false);
    if (!open) return open.error();
    std::set<std::string> open_fps;
    for (const auto& inc : *open) open_fps.insert(inc.fingerprint);

    std::map<std::string, ItemText> texts;  // the items this pass files, refreshes or closes
    std::set<std::string> keep;             // rows of items open after this pass
    std::vector<rules::AlertTransition> transitions;
    for (const auto& f : findings_) {
      const auto fp = backlog::incidentFingerprint(client, f.rule, f.target);
      if (texts.count(fp) > 0) continue;
      const bool is_open = open_fps.count(fp) > 0;
      if (!is_open && f.priority < settings_.min_priority) continue;
      Row row;
      row.text = f.text;
      row.text.last_seen = now_;
      if (is_open) {
        auto it = rows->find(fp);
        row.first_seen = it != rows->end() ? it->second.first_seen : now_;
      } else {
        row.first_seen = now_;
        transitions.push_back(filing(f.rule, f.target, f.priority, f.text.summary, now_));
      }
      if (auto st = saveRow(db, fp, row); !st) return st;
      texts[fp] = row.text;
      keep.insert(fp);
    }
    for (const auto& inc : *open) {
      if (!backlog::isImprovementRule(inc.rule) || texts.count(inc.fingerprint) > 0) continue;
      auto it = rows->find(inc.fingerprint);
      ItemText text;
      if (it != rows->end()) {
        text = it->second.text;
      } else {
        text.last_seen = inc.opened_at;  // a row lost: count from the opening
        text.summary = inc.expr;
      }
      if (now_ - text.last_seen < settings_.close_after) {
        keep.insert(inc.fingerprint);
        continue;
      }
      transitions.push_back(closing(inc, text, now_));
      texts[inc.fingerprint] = text;
    }
    for (const auto& [fp, row] : *rows) {
      if (keep.count(fp) > 0) continue;
      if (auto st = deleteRow(db, fp); !st) return st;
    }
    if (transitions.empty()) return {};
    filed_ = transitions.size();

    backlog::FilingOverride how;
    how.sinks = {settings_.backlog};
    how.facts = [this, &texts](const rules::AlertRecord&, backlog::IncidentFacts& facts) {
      facts.kind = std::string(backlog::kImprovementKind);
      facts.issue_type = settings_.issue_type;
      facts.close_after_text = closeAfterText(settings_.close_after);
      auto it = texts.find(facts.fingerprint);
      if (it == texts.end()) return;
      facts.finding_summary = it->second.summary;
      facts.saving_text = it->second.saving_text;
      facts.evidence_text = it->second.evidence_text;
      facts.last_seen = it->second.last_seen;
    };
    return planner.apply(db, transitions, how);
  }

  void done(const core::Status& outcome) override {
    if (!outcome) {
      spdlog::error("insights: cannot file the findings into the backlog: {}", outcome.error().message);
      return;
    }
    if (filed_ > 0) backlog_.committed();
  }

 private:
  BacklogRuntime& backlog_;
  InsightTicketsSettings settings_;
  std::vector<Finding> findings_;
  core::SystemTime now_;
  std::size_t filed_ = 0;
};

}  // namespace

storage::StorageComponent insightTicketsComponent() {
  return storage::StorageComponent{"insight_tickets",
                                   {
                                       R"sql(
CREATE TABLE insight_ticket(
  fingerprint TEXT PRIMARY KEY,    -- the open item's incident (incident.fingerprint)
  summary TEXT NOT NULL,           -- the finding's latest words
  saving_text TEXT NOT NULL,
  evidence_text TEXT NOT NULL,
  first_seen INTEGER NOT NULL,     -- µs: the current episode's filing
  last_seen INTEGER NOT NULL       -- µs: the last pass that reported the finding
) WITHOUT ROWID;
)sql",
                                   }};
}

InsightTickets::InsightTickets(storage::SqliteResultStore& store, BacklogRuntime& backlog)
    : store_(store), backlog_(backlog) {}

void InsightTickets::configure(const AgentConfig& config) {
  InsightTicketsSettings s;
  s.backlog = config.insights.backlog;
  s.issue_type = config.insights.issue_type;
  s.min_priority = config.insights.min_priority;
  s.close_after = config.insights.close_after;
  s.configured_sinks = config.backlog.sinkNames();
  configure(std::move(s));
}

void InsightTickets::configure(InsightTicketsSettings settings) {
  const auto& sinks = settings.configured_sinks;
  const bool configured = std::find(sinks.begin(), sinks.end(), settings.backlog) != sinks.end();
  std::lock_guard lock(mu_);
  usable_ = !settings.backlog.empty() && configured;
  if (!settings.backlog.empty() && !configured) {
    std::string list;
    for (const auto& s : sinks) list += (list.empty() ? "" : ", ") + s;
    const std::string warning = "insights: insights.backlog names \"" + settings.backlog +
                                "\", which is not a configured backlog sink (configured: " +
                                (list.empty() ? "none" : list) + "); findings are not filed";
    if (warning != warned_) spdlog::warn("{}", warning);  // once per configuration, not per reload
    warned_ = warning;
  } else {
    warned_.clear();
  }
  settings_ = std::move(settings);
}

void InsightTickets::reconcile(const std::vector<insights::Finding>& findings, core::SystemTime now) {
  InsightTicketsSettings settings;
  {
    std::lock_guard lock(mu_);
    if (!usable_) return;
    settings = settings_;
  }
  std::vector<Finding> list;
  list.reserve(findings.size());
  for (const auto& f : findings) {
    Finding item;
    item.rule = std::string(backlog::kInsightsRulePrefix) + f.finding;
    item.target = rules::Target{f.key, f.step};
    item.priority = f.priority;
    item.text.summary = f.summary;
    item.text.saving_text = savingText(f);
    item.text.evidence_text = evidenceText(f.evidence);
    list.push_back(std::move(item));
  }
  if (!store_.submit(std::make_unique<ReconcileJob>(backlog_, std::move(settings), std::move(list), now))) {
    spdlog::error("insights: the store is not writable: findings are not filed into the backlog");
  }
}

}  // namespace shopwatch::agent::runtime
