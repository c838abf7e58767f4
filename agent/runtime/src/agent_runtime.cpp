#include "shopwatch/agent/runtime/agent_runtime.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include "shopwatch/agent/http/agent_endpoints.h"
#include "shopwatch/agent/http/http_server.h"
#include "shopwatch/agent/backlog/incident_store.h"
#include "shopwatch/agent/config/rule_set.h"
#include "shopwatch/agent/persistence/alert_state_store.h"
#include "shopwatch/agent/persistence/maintenance_store.h"
#include "shopwatch/agent/runtime/logging.h"
#include "shopwatch/agent/runtime/rule_worker.h"
#include "shopwatch/agent/runtime/run_fanout.h"
#include "backlog_runtime.h"
#include "endpoint_options.h"
#include "maintenance_registry.h"
#include "reload_notes.h"
#include "insight_tickets.h"
#include "shopwatch/agent/insights/check_audits.h"
#include "insights_service.h"
#include "report_service.h"
#include "shopwatch/agent/report/frozen_reports.h"
#include "shopwatch/agent/runtime/rules_restore.h"
#include "state_restore.h"
#include "shopwatch/agent/runtime/scheduler_loop.h"
#include "shopwatch/agent/runtime/transition_log.h"
#include "shopwatch/agent/status/agent_metrics.h"
#include "shopwatch/agent/status/check_state_table.h"
#include "shopwatch/core/accounting.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/core/redact.h"
#include "shopwatch/probes/http_probe_engine.h"
#include "shopwatch/storage/sqlite_result_store.h"

namespace shopwatch::agent::runtime {

namespace {

status::BuildInfo buildInfo() {
  status::BuildInfo info;
  info.version = SHOPWATCH_VERSION;
  if (const curl_version_info_data* v = curl_version_info(CURLVERSION_NOW)) info.curl = v->version;
  info.openssl = OpenSSL_version(OPENSSL_VERSION_STRING);
  return info;
}

status::StoreStats toMetrics(const storage::StoreStats& s) {
  status::StoreStats out;
  out.degraded = s.degraded;
  out.queued = s.queued;
  out.buffered = s.buffered;
  out.written_total = s.written_total;
  out.dropped_total = s.dropped_total;
  out.db_bytes = s.db_size_bytes;
  return out;
}

std::set<std::string> shopNames(const AgentConfig& config) {
  std::set<std::string> names;
  for (const auto& shop : config.shops) names.insert(shop.name);
  return names;
}

// What the scheduler runs and the state table shows: the checks and the agent's canaries.
std::vector<std::shared_ptr<const core::Check>> scheduledChecks(const AgentConfig& config) {
  auto all = config.checks;
  all.insert(all.end(), config.canaries.begin(), config.canaries.end());
  return all;
}

std::set<std::string> keysOf(const AgentConfig& config) {
  std::set<std::string> keys;
  for (const auto& check : config.checks) keys.insert(check->key.path());
  return keys;
}

}  // namespace

struct AgentRuntime::Impl {
  explicit Impl(RuntimeOptions o)
      : options(std::move(o)),
        clock(options.clock ? *options.clock : core::SystemClock::instance()),
        scheduler(clock),
        metrics(buildInfo()) {}

  void dispatch(DueRun run);
  void completed(const DueRun& run, core::ProbeResult result);
  void restoreStates(const AgentConfig& config);
  void startRules(const AgentConfig& config);
  void housekeeping(std::stop_token stop);
  core::Status readiness() const;
  /// `changed`: the state table saw this accounted run flip the check between up and down.
  void noteTransition(const core::Check& spec, const core::ProbeResult& result, bool accounted,
                      bool changed);
  void writeTransitions();

  RuntimeOptions options;
  const core::Clock& clock;

  mutable std::mutex config_mu;
  std::shared_ptr<const AgentConfig> config;

  // Declaration order is destruction order in reverse: everything the engine's completions touch
  // (state table, scheduler, store, metrics) is declared before the engine, so it outlives it.
  Scheduler scheduler;
  status::CheckStateTable states;
  status::AgentMetrics metrics;
  std::unique_ptr<storage::SqliteResultStore> store;
  std::unique_ptr<RunFanout> fanout;
  // The rule engine's thread and the maintenance windows: both write through the store, so they are
  // declared after it (destroyed before it) and stopped before its final flush.
  status::AlertBoard alert_board;
  std::unique_ptr<MaintenanceRegistry> maintenance;
  std::unique_ptr<BacklogRuntime> backlog;  // its planner runs inside the store's jobs: stopped after rules
  std::unique_ptr<RuleWorker> rules;
  std::size_t store_buffer_capacity = 0;
  // Transition lines wait here for the housekeeping thread: logging is blocking I/O (stderr may be a
  // full journald pipe) and must not run on the engine thread.
  TransitionLog transitions;
  std::unique_ptr<SchedulerLoop> loop;
  std::unique_ptr<probes::HttpProbeEngine> engine;
  std::unique_ptr<InsightTickets> tickets;    // findings into the backlog: after the insights thread
  std::unique_ptr<InsightsService> insights;  // GET /api/v1/insights: outlives the server's workers
  std::unique_ptr<ReportService> reports;  // GET / and /api/v1/report: outlives the server's workers
  std::unique_ptr<http::HttpServer> server;

  std::atomic<bool> started{false};
  std::atomic<bool> stopped{false};

  std::mutex house_mu;
  std::condition_variable_any house_cv;
  std::jthread house;
};

void AgentRuntime::Impl::dispatch(DueRun run) {
  auto check = run.check;
  engine->submit(std::move(check), [this, run = std::move(run)](core::ProbeResult result) {
    completed(run, std::move(result));
  });
}

void AgentRuntime::Impl::completed(const DueRun& run, core::ProbeResult result) {
  const core::Check& check = *run.check;
  if (result.cancelled) {
    // Cut by shutdown: neither success nor failure, no confirm, nothing stored (core::judgeRun).
    metrics.countCancelledRun();
    (void)scheduler.complete(check.key, run.run_id, true, check.schedule.confirm);
    return;
  }
  // Lag up to the transfer's real start, so an engine that falls behind shows here and not as the
  // shop's connect time; the engine's own queue wait separately.
  metrics.observeSchedulerLag(std::max(core::Micros{0}, std::chrono::duration_cast<core::Micros>(
                                                            result.started - run.scheduled)));
  metrics.observeEngineQueueWait(result.queue_wait);
  // Whether a confirm follows is decided from the check the run was dispatched with (run.check), in
  // the scheduler and in the record alike, so a reload flipping `confirm` mid-run cannot make them
  // disagree. A check removed by a reload while this run was in flight gets no confirm, and its
  // failure stays pending (never counted) rather than counting as downtime without one.
  const auto confirm_at =
      scheduler.complete(check.key, run.run_id, result.success, check.schedule.confirm);

  core::RunRecord record;
  record.key = check.key;
  record.run_id = static_cast<std::int64_t>(run.origin_run_id);
  record.confirm = run.confirm;
  record.confirm_pending = core::awaitsConfirm(result, run.confirm, check.schedule.confirm);
  record.interval = check.schedule.interval;
  record.scheduled = run.origin_scheduled;
  // A run whose slot starts inside a maintenance window of its shop (config or API) covers
  // maintenance: excluded from SLA/SLO accounting. The agent's canaries belong to no shop.
  record.in_maintenance = check.key.shop != kCanaryShop &&
                          maintenance->calendar()->active(check.key.shop, run.origin_scheduled);
  // What a transition line needs, kept before the record moves into the store.
  core::ProbeResult brief;
  brief.success = result.success;
  brief.failure = result.failure;
  if (!result.success) brief.message = result.message;
  record.result = std::move(result);
  const Published published = fanout->publish(std::move(record), check.secrets);
  noteTransition(check, brief, published.verdict.decides_state, published.state_changed);
  if (confirm_at) loop->wake();
}

void AgentRuntime::Impl::noteTransition(const core::Check& spec, const core::ProbeResult& result,
                                        bool accounted, bool changed) {
  if (!accounted) {
    if (spdlog::should_log(spdlog::level::debug)) (void)transitions.pushConfirmPending(spec, result);
    return;
  }
  // Messages may quote URLs or headers: pushChange redacts them before they are queued.
  if (changed) (void)transitions.pushChange(spec, result.success, result);
}

void AgentRuntime::Impl::writeTransitions() {
  transitions.drain([](TransitionLevel level, const std::string& line) {
    switch (level) {
      case TransitionLevel::Debug: spdlog::debug("{}", line); break;
      case TransitionLevel::Info: spdlog::info("{}", line); break;
      case TransitionLevel::Warn: spdlog::warn("{}", line); break;
    }
  });
}

core::Status AgentRuntime::Impl::readiness() const {
  {
    std::lock_guard lock(config_mu);
    if (!config) return core::makeError(core::ErrorCode::Unavailable, "no config loaded");
  }
  if (!store) return core::makeError(core::ErrorCode::Unavailable, "store not open");
  const storage::StoreStats s = store->stats();
  if (s.degraded && s.buffered >= store_buffer_capacity) {
    return core::makeError(core::ErrorCode::Unavailable,
                           "store not writable and its memory buffer is full: " + s.last_error);
  }
  return {};
}

void AgentRuntime::Impl::restoreStates(const AgentConfig& config) {
  auto restored = loadLatestRuns(*store, config.checks);
  if (!restored) {
    spdlog::warn("start-up: could not restore the last results ({}); /metrics fills as checks run",
                 restored.error().message);
    return;
  }
  fanout->restore(*restored);
  if (!restored->empty()) spdlog::info("start-up: restored {} stored runs", restored->size());
}

void AgentRuntime::Impl::startRules(const AgentConfig& config) {
  RuleWorkerOptions o;
  o.clock = &clock;
  o.store = store.get();
  o.board = &alert_board;
  o.active_maintenance = [m = maintenance.get()](core::SystemTime t) { return m->activeAt(t); };
  o.hook = backlog->hook();
  o.committed = [b = backlog.get()] { b->committed(); };
  rules = std::make_unique<RuleWorker>(std::move(o));
  rules->configure(ruleSetOf(config));
  rules->setCalendar(maintenance->calendar());
  const auto begin = std::chrono::steady_clock::now();
  auto restored = restoreRules(*store, rules->engineForRestore(), clock.now());
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - begin);
  if (!restored) {
    spdlog::warn("start-up: rule windows not fully restored ({}); they fill as checks run",
                 restored.error().message);
  } else if (restored->alerts + restored->runs > 0) {
    spdlog::info("start-up: rules restored in {} ms ({} alerts, {} runs, {} rollup hours)", took.count(),
                 restored->alerts, restored->runs, restored->hours);
  }
  maintenance->setListener([w = rules.get()](auto calendar) { w->setCalendar(std::move(calendar)); });
  fanout->addConsumer(*rules);
  rules->start();
}

void AgentRuntime::Impl::housekeeping(std::stop_token stop) {
  while (!stop.stop_requested()) {
    if (store) metrics.setStoreStats(toMetrics(store->stats()));
    const SchedulerStats ss = scheduler.stats();
    metrics.setSchedulerCounts({ss.checks, ss.in_flight, ss.skipped, ss.missed});
    // The engine exists from before this thread starts until after stop() joined it.
    if (engine) {
      const probes::EngineStats es = engine->stats();
      metrics.setEngineCounts({es.queued, es.in_flight, es.saturated, es.saturated_runs});
    }
    writeTransitions();
    std::unique_lock lock(house_mu);
    house_cv.wait_for(lock, stop, std::chrono::seconds{1}, [] { return false; });
  }
}

AgentRuntime::AgentRuntime(RuntimeOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

AgentRuntime::~AgentRuntime() { stop(); }

core::Status AgentRuntime::start(AgentConfig config) {
  Impl& d = *impl_;
  if (d.started.exchange(true)) return core::makeError(core::ErrorCode::Internal, "already started");
  setLogLevel(config.agent.log_level);

  storage::StoreOptions store_options;
  store_options.path = config.agent.database;
  store_options.buffer_capacity = config.agent.store_buffer;
  store_options.retention_raw = config.retention.raw;
  store_options.retention_rollups = config.retention.rollups;
  store_options.clock = &d.clock;
  store_options.components = {persistence::alertStateComponent(), persistence::maintenanceComponent(),
                              backlog::incidentsComponent(), report::frozenReportsComponent(),
                              insightTicketsComponent()};
  auto store = storage::SqliteResultStore::open(store_options);
  if (!store) {
    return core::makeError(store.error().code,
                           "cannot open database " + config.agent.database + ": " + store.error().message);
  }
  d.store = std::move(store.value());
  d.store_buffer_capacity = config.agent.store_buffer;

  d.server = std::make_unique<http::HttpServer>(endpointServerOptions(
      config, d.options.listen_override.empty() ? config.agent.listen : d.options.listen_override));
  http::AgentEndpoints endpoints;
  endpoints.checks = &d.states;
  endpoints.metrics = &d.metrics;
  endpoints.ready = [&d] { return d.readiness(); };
  endpoints.alerts = &d.alert_board;
  d.maintenance = std::make_unique<MaintenanceRegistry>(d.clock, d.store.get());
  if (auto st = d.maintenance->load(); !st) {
    spdlog::warn("start-up: could not load announced maintenance windows: {}", st.error().message);
  }
  d.maintenance->setConfig(config.maintenance, shopNames(config));
  endpoints.maintenance = d.maintenance.get();
  d.backlog = std::make_unique<BacklogRuntime>(
      d.clock, *d.store, d.states, d.alert_board,
      std::string(config.web.tls ? "https://" : "http://") +
          (d.options.listen_override.empty() ? config.agent.listen : d.options.listen_override));
  d.backlog->configure(config);
  d.tickets = std::make_unique<InsightTickets>(*d.store, *d.backlog);
  d.tickets->configure(config);
  d.insights = std::make_unique<InsightsService>(
      d.clock, [&d] { std::lock_guard lock(d.config_mu); return d.config; }, config.agent.database,
      InsightsServiceOptions{d.options.insights_first_delay, d.options.insights_every},
      [t = d.tickets.get()](const std::vector<insights::Finding>& findings, core::SystemTime now) {
        t->reconcile(findings, now);
      },
      // The engine exists once start() is through; the insights thread is stopped before it goes.
      [&d](const AgentConfig& c, const std::function<bool()>& stopping) {
        return d.engine ? insights::auditChecks(*d.engine, c, {}, stopping) : std::vector<insights::Finding>{};
      });
  endpoints.insights = [i = d.insights.get()](const std::string& shop, const std::string& format) {
    return i->api(shop, format);
  };
  endpoints.extra_metrics = [b = d.backlog.get(), i = d.insights.get()](std::string& out) {
    b->appendMetrics(out);
    i->appendMetrics(out);
  };
  endpoints.incidents_json = [b = d.backlog.get()](bool all) { return b->incidentsJson(all); };
  endpoints.api_token = [&d]() -> std::string {
    std::lock_guard lock(d.config_mu);
    return d.config ? d.config->agent.api_token : std::string{};
  };
  d.reports = std::make_unique<ReportService>(
      d.clock, [&d] { std::lock_guard lock(d.config_mu); return d.config; }, d.states, *d.maintenance);
  d.reports->setImprovements([i = d.insights.get()] { return i->snapshot()->findings; });
  endpoints.status_page = [r = d.reports.get()] { return r->statusPage(); };
  endpoints.report = [r = d.reports.get()](const std::string& month, const std::string& shop,
                                           const std::string& format) { return r->report(month, shop, format); };
  applyWebAuth(config, endpoints);
  http::registerAgentEndpoints(*d.server, std::move(endpoints));

  d.states.setChecks(scheduledChecks(config));
  d.fanout = std::make_unique<RunFanout>(d.states, d.store.get());
  d.startRules(config);
  d.restoreStates(config);
  d.scheduler.setChecks(scheduledChecks(config));
  const std::size_t count = config.checks.size();
  {
    std::lock_guard lock(d.config_mu);
    d.config = std::make_shared<const AgentConfig>(std::move(config));
  }
  d.metrics.setConfigReload(true, d.clock.now());
  d.metrics.setStoreStats(toMetrics(d.store->stats()));

  if (auto st = d.server->start(); !st) {
    d.store->stop();
    d.store.reset();
    return st;
  }
  probes::EngineOptions engine_options;
  engine_options.clock = &d.clock;
  d.engine = std::make_unique<probes::HttpProbeEngine>(engine_options);
  d.loop = std::make_unique<SchedulerLoop>(d.scheduler, d.clock,
                                           [&d](DueRun run) { d.dispatch(std::move(run)); });
  d.loop->start();
  d.insights->start();
  d.house = std::jthread([&d](std::stop_token stop) { d.housekeeping(stop); });
  spdlog::info("agent started: {} checks, endpoint {}://{}/metrics", count,
               d.config->web.tls ? "https" : "http", d.server->listenAddress());
  return {};
}

core::Status AgentRuntime::reload(const LoadResult& loaded) {
  Impl& d = *impl_;
  const auto now = d.clock.now();
  if (!loaded.ok()) {
    d.metrics.setConfigReload(false, now);
    std::vector<std::string> secrets;
    if (auto current = config()) secrets = current->secrets;
    for (const auto& error : loaded.errors) {
      spdlog::error("reload rejected: {}", core::redact(error.format(), secrets));
    }
    spdlog::error("reload failed ({} problem{}); the previous config keeps running",
                  loaded.errors.size(), loaded.errors.size() == 1 ? "" : "s");
    return core::makeError(core::ErrorCode::Invalid,
                           loaded.errors.empty() ? "invalid config" : loaded.errors.front().format());
  }
  for (const auto& warning : loaded.warnings) spdlog::warn("{}", warning.formatWarning());
  auto next = std::make_shared<const AgentConfig>(*loaded.config);
  std::shared_ptr<const AgentConfig> previous = config();
  if (previous) {
    warnRestartOnlyChanges(*previous, *next, !d.options.listen_override.empty(), listenAddress());
    warnWebChanges(*previous, *next);
  }
  setLogLevel(next->agent.log_level);
  d.states.setChecks(scheduledChecks(*next));
  d.scheduler.setChecks(scheduledChecks(*next));
  d.rules->configure(ruleSetOf(*next));
  d.maintenance->setConfig(next->maintenance, shopNames(*next));
  d.backlog->configure(*next);
  d.tickets->configure(*next);
  if (d.loop) d.loop->wake();

  std::size_t added = 0;
  std::size_t removed = 0;
  const auto next_keys = keysOf(*next);
  if (previous) {
    const auto old_keys = keysOf(*previous);
    for (const auto& k : next_keys) added += old_keys.contains(k) ? 0 : 1;
    for (const auto& k : old_keys) removed += next_keys.contains(k) ? 0 : 1;
  }
  {
    std::lock_guard lock(d.config_mu);
    d.config = next;
  }
  d.metrics.setConfigReload(true, now);
  spdlog::info("config reloaded from {}: {} checks ({} new, {} removed)", next->source,
               next->checks.size(), added, removed);
  return {};
}

core::Status AgentRuntime::reloadFile(const std::string& path) {
  LoadOptions options;
  options.require_client = impl_->options.require_client;
  return reload(loadConfigFile(path, options));
}

void AgentRuntime::stop() {
  Impl& d = *impl_;
  if (!d.started.load() || d.stopped.exchange(true)) return;
  const auto begin = std::chrono::steady_clock::now();
  if (d.loop) d.loop->stop();
  d.house = std::jthread{};  // before the engine goes: it reads the engine's stats
  if (d.insights) d.insights->stop();  // a pass in progress ends at its next check
  if (d.engine) {
    const auto deadline = begin + d.options.drain_timeout;
    while (d.engine->pending() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    const std::size_t left = d.engine->pending();
    if (left > 0) spdlog::info("stopping: cutting {} in-flight run{}", left, left == 1 ? "" : "s");
    d.engine.reset();  // cuts what is left; completions run before the destructor returns
  }
  // The last runs' rules are judged and their transitions queued before the store's final flush.
  if (d.rules) d.rules->stop();
  if (d.backlog) d.backlog->stop();  // the request in flight is recorded; the rest stays in the outbox
  d.writeTransitions();  // what the last completions queued after the housekeeping thread's last tick
  if (d.store) {
    if (auto st = d.store->flush(); !st) spdlog::warn("stopping: final flush failed: {}", st.error().message);
    d.store->stop();
  }
  if (d.server) d.server->stop();
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - begin);
  spdlog::info("agent stopped in {} ms", took.count());
}

std::uint16_t AgentRuntime::port() const { return impl_->server ? impl_->server->port() : 0; }

std::string AgentRuntime::listenAddress() const {
  return impl_->server ? impl_->server->listenAddress() : std::string{};
}

std::shared_ptr<const AgentConfig> AgentRuntime::config() const {
  std::lock_guard lock(impl_->config_mu);
  return impl_->config;
}

const status::CheckStateTable& AgentRuntime::checkStates() const { return impl_->states; }

const status::AlertBoard& AgentRuntime::alertBoard() const { return impl_->alert_board; }

SchedulerStats AgentRuntime::schedulerStats() const { return impl_->scheduler.stats(); }

}  // namespace shopwatch::agent::runtime
