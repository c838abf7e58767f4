#include "backlog_runtime.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "shopwatch/agent/backlog/alertmanager_sink.h"
#include "shopwatch/agent/backlog/backlog_metrics.h"
#include "shopwatch/agent/backlog/incident_store.h"
#include "shopwatch/agent/backlog/jira_sink.h"
#include "shopwatch/agent/backlog/redmine_sink.h"
#include "shopwatch/agent/backlog/webhook_sink.h"
#include "shopwatch/core/failure_reason.h"
#include "shopwatch/core/redact.h"
#include "shopwatch/core/time_format.h"
#include "shopwatch/storage/sqlite_result_store.h"

namespace shopwatch::agent::runtime {

namespace {

std::string ms(core::Micros d) { return std::to_string(d.count() / 1000) + "ms"; }

std::string phasesText(const core::Phases& p) {
  return "resolve " + ms(p.resolve) + ", connect " + ms(p.connect) + ", tls " + ms(p.tls) +
         ", processing " + ms(p.processing) + ", transfer " + ms(p.transfer);
}

}  // namespace

BacklogRuntime::BacklogRuntime(const core::Clock& clock, storage::SqliteResultStore& store,
                               const status::CheckStateTable& states, status::AlertBoard& board,
                               std::string status_base_url)
    : clock_(clock),
      store_(store),
      states_(states),
      board_(board),
      status_base_url_(std::move(status_base_url)),
      planner_([this](const rules::AlertRecord& r, backlog::IncidentFacts& f) { fillFacts(r, f); }),
      pauses_(std::make_unique<SinkPauseAlerts>(clock, store, board, hook(), [this] { committed(); })) {}

BacklogRuntime::~BacklogRuntime() { stop(); }

void BacklogRuntime::configure(const AgentConfig& config) {
  backlog::PlannerConfig pc;
  pc.client = config.agent.client;
  pc.sinks = config.backlog.sinkNames();
  pc.notify = config.notify;
  if (config.backlog.jira) {
    pc.comment_interval = config.backlog.jira->comment_interval;
  } else if (config.backlog.redmine) {
    pc.comment_interval = config.backlog.redmine->comment_interval;
  }
  planner_.configure(pc);
  pauses_->keepOnly(pc.sinks);

  std::unique_ptr<backlog::OutboxWorker> old;
  {
    std::lock_guard lock(mu_);
    old = std::move(worker_);
    secrets_ = config.secrets;
  }
  if (old) old->stop();  // the request in flight is recorded; the rest stays pending in the outbox
  old.reset();
  if (pc.sinks.empty()) return;

  backlog::OutboxWorkerOptions o;
  o.clock = &clock_;
  o.store = &store_;
  o.client = config.agent.client;
  o.comment_interval = pc.comment_interval;
  o.secrets = config.secrets;
  if (config.backlog.jira) {
    o.sinks.push_back(std::make_unique<backlog::JiraSink>(*config.backlog.jira, config.agent.client));
  }
  if (config.backlog.redmine) {
    o.sinks.push_back(std::make_unique<backlog::RedmineSink>(*config.backlog.redmine, config.agent.client,
                                                             nullptr, &clock_));
  }
  if (config.backlog.webhook) {
    o.sinks.push_back(std::make_unique<backlog::WebhookSink>(*config.backlog.webhook, config.agent.client,
                                                             nullptr, &clock_));
  }
  if (config.backlog.alertmanager) {
    o.sinks.push_back(std::make_unique<backlog::AlertmanagerSink>(*config.backlog.alertmanager,
                                                                  config.agent.client, nullptr, &clock_));
  }
  o.open_facts = [this] { return openFacts(); };
  o.on_pause_change = [this](const backlog::SinkStats& s) { pauses_->onChange(s); };
  auto worker = std::make_unique<backlog::OutboxWorker>(std::move(o));
  std::lock_guard lock(mu_);
  worker_ = std::move(worker);
}

void BacklogRuntime::stop() {
  std::unique_ptr<backlog::OutboxWorker> w;
  {
    std::lock_guard lock(mu_);
    w = std::move(worker_);
  }
  if (w) w->stop();
}

TransitionHook BacklogRuntime::hook() {
  return [this](storage::Db& db, const std::vector<rules::AlertTransition>& transitions) {
    return planner_.apply(db, transitions);
  };
}

void BacklogRuntime::committed() {
  std::lock_guard lock(mu_);
  if (worker_) worker_->wake();
}

bool BacklogRuntime::waitIdle(std::chrono::milliseconds timeout) {
  backlog::OutboxWorker* worker = nullptr;
  {
    // Not held while waiting: the writer thread takes mu_ in fillFacts().
    std::lock_guard lock(mu_);
    worker = worker_.get();
  }
  return worker == nullptr || worker->waitIdle(timeout);
}

void BacklogRuntime::fillFacts(const rules::AlertRecord& record, backlog::IncidentFacts& facts) const {
  facts.status_url = status_base_url_ + "/api/v1/checks";
  const auto snap = states_.find(record.target.key);
  if (!snap || !snap->last) return;
  std::vector<std::string> secrets;
  {
    std::lock_guard lock(mu_);
    secrets = secrets_;
  }
  const status::LastResult* last = &*snap->last;
  if (!record.target.step.empty()) {
    for (std::size_t i = 0; i < snap->steps.size() && i < snap->meta->steps.size(); ++i) {
      if (snap->meta->steps[i].name == record.target.step && snap->steps[i].last) {
        last = &*snap->steps[i].last;
      }
    }
  }
  if (!last->success) facts.failure = std::string(core::toString(last->failure));
  facts.status_code = last->status_code;
  facts.phases = phasesText(last->phases);
  if (const auto& full = snap->result) {
    facts.failed_step = full->failed_step;
    if (!full->success) facts.message = core::redact(full->message, secrets);
    if (full->evidence) facts.body_snippet = core::redact(full->evidence->body_snippet, secrets);
  }
}

std::vector<backlog::IncidentFacts> BacklogRuntime::openFacts() const {
  std::vector<backlog::IncidentFacts> out;
  const auto board = board_.current();
  for (const auto& a : board->alerts) {
    if (a.state != rules::AlertState::Firing) continue;
    out.push_back(planner_.facts(a, clock_.now()));
  }
  return out;
}

void BacklogRuntime::appendMetrics(std::string& out) const {
  std::lock_guard lock(mu_);
  if (worker_) backlog::writeBacklogMetrics(worker_->stats(), out);
}

std::string BacklogRuntime::incidentsJson(bool all) const {
  nlohmann::json list = nlohmann::json::array();
  auto st = store_.read([&](storage::Db& db) -> core::Status {
    auto incidents = backlog::loadIncidents(db, all);
    if (!incidents) return incidents.error();
    auto tickets = backlog::loadTickets(db);
    if (!tickets) return tickets.error();
    for (const auto& i : *incidents) {
      nlohmann::json j;
      j["fingerprint"] = i.fingerprint;
      j["rule"] = i.rule;
      j["shop"] = i.target.key.shop;
      j["env"] = i.target.key.env;
      j["check"] = i.target.key.check;
      j["step"] = i.target.step.empty() ? nlohmann::json(nullptr) : nlohmann::json(i.target.step);
      j["severity"] = std::string(rules::severityName(i.severity));
      j["state"] = std::string(backlog::incidentStateName(i.state));
      j["episode"] = i.episode;
      j["opened_at"] = core::formatRfc3339(i.opened_at);
      j["resolved_at"] = i.resolved_at ? nlohmann::json(core::formatRfc3339(*i.resolved_at)) : nlohmann::json(nullptr);
      nlohmann::json t = nlohmann::json::object();
      for (const auto& tk : *tickets) {
        if (tk.incident_id != i.id) continue;
        t[tk.sink] = {{"key", tk.ticket.key}, {"url", tk.ticket.url}};
      }
      j["tickets"] = t;
      list.push_back(std::move(j));
    }
    return {};
  });
  if (!st) return nlohmann::json{{"error", st.error().message}}.dump();
  return nlohmann::json{{"incidents", list}}.dump();
}

}  // namespace shopwatch::agent::runtime
