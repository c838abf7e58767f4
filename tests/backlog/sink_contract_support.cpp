// The sink contract's machinery: the store and world the scenarios run in (store + planner + worker
// on a FakeClock, a Backend's sink), trailer parsing and the text matchers for times and durations.
#include <cctype>
#include <future>

#include "shopwatch/agent/backlog/incident_store.h"
#include "shopwatch/agent/persistence/alert_state_store.h"
#include "shopwatch/core/time_format.h"
#include "sink_contract.h"

namespace shopwatch::contract {

using agent::backlog::IncidentTicket;
using agent::backlog::OutboxAction;
using agent::backlog::OutboxWorker;
using agent::backlog::OutboxWorkerOptions;

namespace {

bool has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

template <typename T, typename Fn>
T readAll(storage::SqliteResultStore& store, Fn&& fn) {
  T out{};
  REQUIRE(store.read([&](storage::Db& db) -> core::Status {
    auto loaded = fn(db);
    if (!loaded) return loaded.error();
    out = std::move(*loaded);
    return {};
  }));
  return out;
}

}  // namespace

std::optional<Trailer> trailerOf(const std::string& note, const std::string& fingerprint) {
  const std::string head = "shopwatch:" + fingerprint + ":";
  const auto at = note.rfind(head);
  if (at == std::string::npos) return std::nullopt;
  std::size_t i = at + head.size();
  auto number = [&](std::int64_t& out) {
    const std::size_t begin = i;
    while (i < note.size() && std::isdigit(static_cast<unsigned char>(note[i])) != 0) ++i;
    if (i == begin) return false;
    out = std::stoll(note.substr(begin, i - begin));
    return true;
  };
  Trailer t;
  if (!number(t.episode) || i >= note.size() || note[i] != ':') return std::nullopt;
  ++i;
  while (i < note.size() && std::islower(static_cast<unsigned char>(note[i])) != 0)
    t.kind += note[i++];
  if (t.kind.empty() || i >= note.size() || note[i] != ':') return std::nullopt;
  ++i;
  if (!number(t.action_id)) return std::nullopt;
  return t;
}

bool mentionsTime(const std::string& text, core::SystemTime t) {
  const std::string rfc = core::formatRfc3339(t);  // 2026-12-02T14:40:00Z
  std::string spaced = rfc.substr(0, 19);
  spaced[10] = ' ';
  return has(text, rfc) || has(text, spaced) || has(text, spaced.substr(0, 16));
}

bool mentionsMinutes(const std::string& text, int minutes) {
  const std::string n = std::to_string(minutes);
  for (const std::string& form : {n + "m", n + " m"}) {
    for (auto at = text.find(form); at != std::string::npos; at = text.find(form, at + 1)) {
      // Not the tail of a longer number ("28m" is not "8m").
      if (at == 0 || std::isdigit(static_cast<unsigned char>(text[at - 1])) == 0) return true;
    }
  }
  return false;
}

bool refersTo(const agent::backlog::Ticket& recorded, const TrackerTicket& t) {
  for (const auto& ref : t.refs) {
    if (ref.empty()) continue;
    if (recorded.key == ref || recorded.id == ref) return true;
  }
  return false;
}

core::SystemTime scenarioStart() {
  const auto now = core::SystemClock::instance().now();
  return std::chrono::time_point_cast<std::chrono::microseconds>(
      std::chrono::floor<std::chrono::minutes>(now));
}

// --- ContractStore ---

ContractStore::ContractStore(const std::filesystem::path& dir, core::FakeClock& clock,
                             agent::backlog::PlannerConfig config) {
  planner_.configure(std::move(config));
  storage::StoreOptions o;
  o.path = dir / "agent.db";
  o.components = {agent::persistence::alertStateComponent(), agent::backlog::incidentsComponent()};
  o.flush_interval = 60s;
  o.max_backoff = 100ms;
  o.clock = &clock;
  auto store = storage::SqliteResultStore::open(o);
  REQUIRE(store);
  store_ = std::move(*store);
}

void ContractStore::commit(std::vector<rules::AlertTransition> transitions) {
  auto promise = std::make_shared<std::promise<core::Status>>();
  auto future = promise->get_future();
  auto job = agent::persistence::makeAlertTransitionJob(
      std::move(transitions),
      [this](storage::Db& db, const std::vector<rules::AlertTransition>& ts) {
        return planner_.apply(db, ts);
      },
      [promise](const core::Status& st) { promise->set_value(st); });
  REQUIRE(store_->submit(std::move(job)));
  REQUIRE(future.wait_for(10s) == std::future_status::ready);
  const core::Status st = future.get();
  REQUIRE(st);
}

std::vector<agent::backlog::Incident> ContractStore::incidents() {
  return readAll<std::vector<agent::backlog::Incident>>(
      *store_, [](storage::Db& db) { return agent::backlog::loadIncidents(db, true); });
}

std::vector<OutboxAction> ContractStore::pending() {
  return readAll<std::vector<OutboxAction>>(
      *store_, [](storage::Db& db) { return agent::backlog::loadPendingActions(db); });
}

std::vector<OutboxAction> ContractStore::actions() {
  std::vector<OutboxAction> out;
  for (std::int64_t id = 1;; ++id) {
    auto a = readAll<std::optional<OutboxAction>>(
        *store_, [id](storage::Db& db) { return agent::backlog::loadAction(db, id); });
    if (!a) return out;
    out.push_back(std::move(*a));
  }
}

std::vector<IncidentTicket> ContractStore::tickets() {
  return readAll<std::vector<IncidentTicket>>(
      *store_, [](storage::Db& db) { return agent::backlog::loadTickets(db); });
}

// --- ContractWorld ---

namespace {

agent::backlog::PlannerConfig plannerConfig(const std::string& sink, core::Micros interval) {
  agent::backlog::PlannerConfig c;
  c.client = kClient;
  c.sinks = {sink};
  c.comment_interval = interval;
  return c;
}

std::filesystem::path dirOf(std::optional<backlog_test::TempDir>& own,
                            const std::filesystem::path& given) {
  if (!given.empty()) return given;
  own.emplace();
  return own->path();
}

}  // namespace

ContractWorld::ContractWorld(const BackendFactory& make, Options options)
    : clock(options.start.value_or(scenarioStart())),
      backend(make(clock)),
      config(plannerConfig(backend->sinkName(), options.comment_interval)),
      dir_(dirOf(own_dir_, options.dir)),
      store(dir_, clock, config),
      comment_interval_(options.comment_interval) {}

ContractWorld::~ContractWorld() { stopWorker(); }

void ContractWorld::startWorker(
    std::function<bool(const OutboxAction&, const agent::backlog::SendResult&)> before_record,
    std::function<double()> random) {
  stopWorker();
  OutboxWorkerOptions o;
  o.clock = &clock;
  o.store = &store.store();
  o.sinks.push_back(backend->makeSink(&clock));
  o.comment_interval = comment_interval_;
  o.client = kClient;
  if (random) {
    o.random = std::move(random);
  } else {
    o.random = [] { return 0.5; };
  }
  o.before_record = std::move(before_record);
  worker_ = std::make_unique<OutboxWorker>(std::move(o));
  REQUIRE(worker_->waitIdle(backend->patience()));
}

void ContractWorld::stopWorker() {
  if (worker_) worker_->stop();
  worker_.reset();
}

void ContractWorld::commit(std::vector<rules::AlertTransition> transitions) {
  store.commit(std::move(transitions));
  settle();
}

void ContractWorld::settle() {
  REQUIRE(worker_);
  worker_->wake();
  REQUIRE(worker_->waitIdle(backend->patience()));
}

void ContractWorld::advance(core::Micros by) {
  clock.advance(by);
  settle();
}

void ContractWorld::advanceTo(core::SystemTime at) {
  REQUIRE(at >= clock.now());
  clock.set(at);
  settle();
}

std::string ContractWorld::fingerprint() {
  const auto all = store.incidents();
  REQUIRE(all.size() == 1);
  return all[0].fingerprint;
}

}  // namespace shopwatch::contract
