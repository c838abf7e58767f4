#include "insights_service.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "shopwatch/agent/insights/insights_formats.h"
#include "shopwatch/agent/insights/insights_priority.h"
#include "shopwatch/agent/status/check_state_table.h"
#include "shopwatch/agent/status/metrics_writer.h"
#include "shopwatch/storage/sqlite_result_store.h"

namespace shopwatch::agent::runtime {
namespace {

namespace insights = agent::insights;

std::string findingLabels(const insights::Finding& f) {
  std::string out = "{shop=\"";
  status::appendEscapedLabelValue(out, f.key.shop);
  out += "\",env=\"";
  status::appendEscapedLabelValue(out, f.key.env);
  out += "\",check=\"";
  status::appendEscapedLabelValue(out, f.key.check);
  out += "\",step=\"";
  status::appendEscapedLabelValue(out, f.step);
  out += "\",finding=\"";
  status::appendEscapedLabelValue(out, f.finding);
  return out + "\"}";
}

}  // namespace

InsightsService::InsightsService(const core::Clock& clock, ConfigSource config,
                                 std::filesystem::path database, InsightsServiceOptions options,
                                 PassHook on_pass, AuditRunner audit)
    : clock_(clock),
      config_(std::move(config)),
      database_(std::move(database)),
      options_(options),
      on_pass_(std::move(on_pass)),
      audit_(std::move(audit)),
      snapshot_(std::make_shared<const insights::InsightsReport>()) {}

InsightsService::~InsightsService() { stop(); }

void InsightsService::start() {
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

void InsightsService::stop() {
  thread_.request_stop();
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void InsightsService::run(std::stop_token stop) {
  auto wait = [&](core::Micros d) {
    std::unique_lock lock(mu_);
    return !cv_.wait_for(lock, stop, d, [] { return false; }) && !stop.stop_requested();
  };
  if (!wait(options_.first_delay)) return;
  while (!stop.stop_requested()) {
    pass(stop);
    if (!wait(options_.timing_every)) return;
  }
}

void InsightsService::pass(const std::stop_token& stop) {
  auto config = config_();
  if (!config) return;
  const core::SystemTime now = clock_.now();
  std::unique_ptr<storage::SqliteResultStore> store;
  std::string store_warning;
  std::error_code ec;
  if (std::filesystem::exists(database_, ec)) {
    auto opened = storage::SqliteResultStore::openReadOnly(database_);
    if (opened) store = std::move(*opened);
    else store_warning = "cannot open " + database_.string() + ": " + opened.error().message;
  }
  auto report = std::make_shared<insights::InsightsReport>(insights::buildInsightsReport(
      store.get(), *config, config->insights, insights::InsightsScope{}, now,
      [&stop] { return stop.stop_requested(); }));
  if (stop.stop_requested()) return;  // a cut pass is partial: keep the previous snapshot
  runAudits(*config, now, stop);
  if (stop.stop_requested()) return;
  if (!audit_findings_.empty()) {
    report->findings.insert(report->findings.end(), audit_findings_.begin(), audit_findings_.end());
    insights::rankFindings(report->findings, config->insights);
  }
  if (!store_warning.empty()) report->warnings.insert(report->warnings.begin(), store_warning);
  for (const auto& w : report->warnings) spdlog::debug("insights: {}", w);
  spdlog::debug("insights: {} findings from {} series", report->findings.size(), report->series_analysed);
  {
    std::lock_guard lock(mu_);
    snapshot_ = report;
  }
  if (on_pass_) on_pass_(report->findings, now);
}

void InsightsService::runAudits(const AgentConfig& config, core::SystemTime now,
                                const std::stop_token& stop) {
  // Audits fetch pages and assets the checks do not: only when the config asks for insights.
  const core::Micros every = config.insights.audit_interval;
  if (!audit_ || every.count() <= 0 || config.insights.line == 0) {
    audit_findings_.clear();
    audited_at_.reset();
    return;
  }
  if (audited_at_ && now - *audited_at_ < every && now >= *audited_at_) return;
  auto findings = audit_(config, [&stop] { return stop.stop_requested(); });
  if (stop.stop_requested()) return;  // cut: keep the last complete audit
  spdlog::debug("insights: the response audits found {}", findings.size());
  audit_findings_ = std::move(findings);
  audited_at_ = now;
}

std::shared_ptr<const insights::InsightsReport> InsightsService::snapshot() const {
  std::lock_guard lock(mu_);
  return snapshot_;
}

http::HttpResponse InsightsService::api(const std::string& shop, const std::string& format) const {
  http::HttpResponse r;
  const std::string f = format.empty() ? "json" : format;
  if (f != "json" && f != "text" && f != "html") {
    r.status = 400;
    r.body = "format: json, text or html\n";
    return r;
  }
  auto config = config_();
  if (!shop.empty()) {
    bool known = false;
    if (config)
      for (const auto& s : config->shops) known = known || s.name == shop;
    if (!known) {
      r.status = 404;
      r.body = "no such shop: " + shop + "\n";
      return r;
    }
  }
  insights::InsightsReport view = *snapshot();
  if (!shop.empty()) {
    view.shop = shop;
    std::erase_if(view.findings, [&](const insights::Finding& x) { return x.key.shop != shop; });
  }
  r.compressible = true;
  if (f == "json") {
    r.content_type = "application/json";
    r.body = insights::insightsJson(view);
  } else if (f == "html") {
    r.content_type = "text/html; charset=utf-8";
    r.body = insights::insightsHtml(view);
  } else {
    r.body = insights::insightsText(view);
  }
  return r;
}

void InsightsService::appendMetrics(std::string& out) const {
  auto report = snapshot();
  if (report->findings.empty()) return;
  out += "# HELP shopwatch_finding_saving_seconds Estimated time a performance finding would save per run "
         "or page view (shopwatch insights).\n# TYPE shopwatch_finding_saving_seconds gauge\n";
  for (const auto& f : report->findings) {
    out += "shopwatch_finding_saving_seconds" + findingLabels(f) + " ";
    status::appendSampleValue(out, f.saving_seconds);
    out += "\n";
  }
  out += "# HELP shopwatch_finding_saving_bytes Estimated bytes a performance finding would save per page "
         "view (shopwatch insights).\n# TYPE shopwatch_finding_saving_bytes gauge\n";
  for (const auto& f : report->findings) {
    out += "shopwatch_finding_saving_bytes" + findingLabels(f) + " ";
    status::appendSampleValue(out, static_cast<double>(f.saving_bytes));
    out += "\n";
  }
}

}  // namespace shopwatch::agent::runtime
