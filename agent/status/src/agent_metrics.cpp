#include "shopwatch/agent/status/agent_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <sstream>
#include <vector>

namespace shopwatch::agent::status {

namespace {

prometheus::MetricFamily family(std::string name, std::string help, prometheus::MetricType type,
                                double value) {
  prometheus::MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f.metric.push_back(std::move(m));
  return f;
}

std::string readFile(const char* path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct ProcStat {
  bool ok = false;
  double cpu_seconds = 0;
  double start_time = 0;
  double virtual_bytes = 0;
  double resident_bytes = 0;
};

double bootTime() {
  const std::string stat = readFile("/proc/stat");
  const auto pos = stat.find("\nbtime ");
  if (pos == std::string::npos) return 0;
  return std::strtod(stat.c_str() + pos + 7, nullptr);
}

ProcStat readProcStat() {
  ProcStat s;
  const std::string text = readFile("/proc/self/stat");
  // The command name (field 2) may contain spaces and parentheses: fields are counted after the last ')'.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return s;
  std::istringstream in(text.substr(close + 2));
  std::vector<std::string> fields;
  std::string field;
  while (in >> field) fields.push_back(field);
  // fields[0] is field 3 (state); utime is field 14, stime 15, starttime 22, vsize 23, rss 24.
  auto at = [&](int n) { return std::strtod(fields[static_cast<std::size_t>(n - 3)].c_str(), nullptr); };
  if (fields.size() < 22) return s;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  s.cpu_seconds = (at(14) + at(15)) / ticks;
  s.start_time = bootTime() + at(22) / ticks;
  s.virtual_bytes = at(23);
  s.resident_bytes = at(24) * page;
  s.ok = true;
  return s;
}

double openFds() {
  struct DirCloser {
    void operator()(DIR* d) const { closedir(d); }
  };
  std::unique_ptr<DIR, DirCloser> dir(opendir("/proc/self/fd"));
  if (!dir) return 0;
  double n = 0;
  while (const dirent* entry = readdir(dir.get())) {
    if (entry->d_name[0] != '.') n += 1;
  }
  return n - 1;  // the directory stream's own descriptor
}

double maxFds() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  return static_cast<double>(limit.rlim_cur);
}

}  // namespace

struct AgentMetrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Histogram* lag = nullptr;
  prometheus::Histogram* queue_wait = nullptr;
  prometheus::Counter* cancelled = nullptr;
  prometheus::Gauge* reload_ok = nullptr;
  prometheus::Gauge* reload_ts = nullptr;
  mutable std::mutex mu;
  StoreStats store;
  SchedulerCounts scheduler;
  EngineCounts engine;
};

AgentMetrics::AgentMetrics(BuildInfo build) : impl_(std::make_unique<Impl>()) {
  auto& reg = *impl_->registry;
  impl_->lag = &prometheus::BuildHistogram()
                    .Name("shopwatch_scheduler_lag_seconds")
                    .Help("Delay between a run's scheduled time and the real start of its first "
                          "transfer.")
                    .Register(reg)
                    .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.01, 0.05, 0.1, 0.5,
                                                                     1, 5});
  impl_->queue_wait = &prometheus::BuildHistogram()
                           .Name("shopwatch_engine_queue_wait_seconds")
                           .Help("Time a run waited inside the probe engine (host limits, queue) before "
                                 "its first transfer started.")
                           .Register(reg)
                           .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.01, 0.05, 0.1,
                                                                            0.5, 1, 5});
  impl_->cancelled = &prometheus::BuildCounter()
                          .Name("shopwatch_runs_cancelled_total")
                          .Help("Runs cut by shutdown or by a reload that removed their check; they "
                                "count as neither success nor failure.")
                          .Register(reg)
                          .Add({});
  impl_->reload_ok = &prometheus::BuildGauge()
                          .Name("shopwatch_config_last_reload_successful")
                          .Help("Whether the last configuration load or reload succeeded.")
                          .Register(reg)
                          .Add({});
  impl_->reload_ts = &prometheus::BuildGauge()
                          .Name("shopwatch_config_last_reload_success_timestamp_seconds")
                          .Help("Time of the last successful configuration load or reload, in unixtime.")
                          .Register(reg)
                          .Add({});
  prometheus::BuildGauge()
      .Name("shopwatch_build_info")
      .Help("Build information; the value is always 1.")
      .Register(reg)
      .Add({{"version", build.version}, {"curl", build.curl}, {"openssl", build.openssl}})
      .Set(1);
}

AgentMetrics::~AgentMetrics() = default;

prometheus::Registry& AgentMetrics::registry() { return *impl_->registry; }

void AgentMetrics::observeSchedulerLag(core::Micros lag) {
  impl_->lag->Observe(static_cast<double>(lag.count()) / 1e6);
}

void AgentMetrics::observeEngineQueueWait(core::Micros wait) {
  impl_->queue_wait->Observe(static_cast<double>(wait.count()) / 1e6);
}

void AgentMetrics::countCancelledRun() { impl_->cancelled->Increment(); }

void AgentMetrics::setEngineCounts(const EngineCounts& counts) {
  std::lock_guard lock(impl_->mu);
  impl_->engine = counts;
}

void AgentMetrics::setConfigReload(bool successful, core::SystemTime when) {
  impl_->reload_ok->Set(successful ? 1 : 0);
  if (successful) impl_->reload_ts->Set(static_cast<double>(core::toMicros(when)) / 1e6);
}

void AgentMetrics::setStoreStats(const StoreStats& stats) {
  std::lock_guard lock(impl_->mu);
  impl_->store = stats;
}

void AgentMetrics::setSchedulerCounts(const SchedulerCounts& counts) {
  std::lock_guard lock(impl_->mu);
  impl_->scheduler = counts;
}

void AgentMetrics::appendText(std::string& out) const {
  using prometheus::MetricType;
  auto families = impl_->registry->Collect();
  StoreStats st;
  SchedulerCounts sc;
  EngineCounts ec;
  {
    std::lock_guard lock(impl_->mu);
    st = impl_->store;
    sc = impl_->scheduler;
    ec = impl_->engine;
  }
  auto d = [](std::uint64_t v) { return static_cast<double>(v); };
  families.push_back(family("shopwatch_store_degraded",
                            "Whether the result store is degraded (buffering in memory).",
                            MetricType::Gauge, st.degraded ? 1 : 0));
  families.push_back(family("shopwatch_store_queue_length", "Results waiting in the writer queue.",
                            MetricType::Gauge, d(st.queued)));
  families.push_back(family("shopwatch_store_buffered_results",
                            "Results held in memory while the store is degraded.", MetricType::Gauge,
                            d(st.buffered)));
  families.push_back(family("shopwatch_store_database_bytes", "Size of the database files in bytes.",
                            MetricType::Gauge, d(st.db_bytes)));
  families.push_back(family("shopwatch_store_results_written_total", "Results written to the store.",
                            MetricType::Counter, d(st.written_total)));
  families.push_back(family("shopwatch_store_results_dropped_total",
                            "Results dropped because the store could not keep them.", MetricType::Counter,
                            d(st.dropped_total)));

  families.push_back(family("shopwatch_scheduler_checks", "Checks scheduled.", MetricType::Gauge,
                            d(sc.checks)));
  families.push_back(family("shopwatch_scheduler_in_flight",
                            "Checks whose run or confirm re-check has not finished.", MetricType::Gauge,
                            d(sc.in_flight)));
  families.push_back(family("shopwatch_scheduler_runs_skipped_total",
                            "Slots skipped because the check's previous run had not finished.",
                            MetricType::Counter, d(sc.skipped)));
  families.push_back(family("shopwatch_scheduler_runs_missed_total",
                            "Slots that passed unserved while the scheduler was late.", MetricType::Counter,
                            d(sc.missed)));

  families.push_back(family("shopwatch_engine_queued",
                            "Runs waiting inside the probe engine for a slot.", MetricType::Gauge,
                            d(ec.queued)));
  families.push_back(family("shopwatch_engine_in_flight", "Transfers the probe engine is running.",
                            MetricType::Gauge, d(ec.in_flight)));
  families.push_back(family("shopwatch_engine_saturated",
                            "Whether the probe engine's event loop is falling behind now (timings of "
                            "runs in flight are marked untrustworthy).",
                            MetricType::Gauge, ec.saturated ? 1 : 0));
  families.push_back(family("shopwatch_engine_saturated_runs_total",
                            "Runs whose timings were taken while the engine was saturated.",
                            MetricType::Counter, d(ec.saturated_runs)));

  const ProcStat ps = readProcStat();
  if (ps.ok) {
    families.push_back(family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                              MetricType::Counter, ps.cpu_seconds));
    families.push_back(family("process_resident_memory_bytes", "Resident memory size in bytes.",
                              MetricType::Gauge, ps.resident_bytes));
    families.push_back(family("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                              MetricType::Gauge, ps.virtual_bytes));
    families.push_back(family("process_start_time_seconds",
                              "Start time of the process since unix epoch in seconds.", MetricType::Gauge,
                              ps.start_time));
  }
  families.push_back(family("process_open_fds", "Number of open file descriptors.", MetricType::Gauge,
                            openFds()));
  families.push_back(family("process_max_fds", "Maximum number of open file descriptors.",
                            MetricType::Gauge, maxFds()));
  out += prometheus::TextSerializer().Serialize(families);
}

}  // namespace shopwatch::agent::status
