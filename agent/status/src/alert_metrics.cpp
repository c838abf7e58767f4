#include <string_view>

#include "shopwatch/agent/status/alert_board.h"
#include "shopwatch/agent/status/check_state_table.h"
#include "shopwatch/agent/status/metrics_writer.h"

namespace shopwatch::agent::status {

namespace {

void appendLabel(std::string& out, std::string_view name, std::string_view value,
                 bool first = false) {
  if (!first) out += ',';
  out += name;
  out += "=\"";
  appendEscapedLabelValue(out, value);
  out += '"';
}

/// `shop="…",env="…",check="…",step="…"` (step "" for a check as a whole: one label set per family,
/// so check-level and step-level series sit side by side without a missing label).
void appendTargetLabels(std::string& out, const rules::Target& target) {
  appendLabel(out, "shop", target.key.shop);
  appendLabel(out, "env", target.key.env);
  appendLabel(out, "check", target.key.check);
  appendLabel(out, "step", target.step);
}

std::string alertLabels(const rules::AlertRecord& a) {
  std::string labels;
  appendLabel(labels, "rule", a.rule, true);
  appendTargetLabels(labels, a.target);
  appendLabel(labels, "severity", rules::severityName(a.severity));
  return labels;
}

std::string sloLabels(const rules::SloStatus& s) {
  std::string labels;
  appendLabel(labels, "slo", s.slo, true);
  appendTargetLabels(labels, s.target);
  return labels;
}

/// HELP and TYPE once, before the family's first sample; a family without samples writes nothing.
class Family {
 public:
  Family(std::string& out, std::string_view name, std::string_view help)
      : out_(out), name_(name), help_(help) {}

  void sample(std::string_view labels, double value) {
    if (!started_) {
      started_ = true;
      out_ += "# HELP ";
      out_ += name_;
      out_ += ' ';
      out_ += help_;
      out_ += "\n# TYPE ";
      out_ += name_;
      out_ += " gauge\n";
    }
    out_ += name_;
    if (!labels.empty()) {
      out_ += '{';
      out_ += labels;
      out_ += '}';
    }
    out_ += ' ';
    appendSampleValue(out_, value);
    out_ += '\n';
  }

 private:
  std::string& out_;
  std::string_view name_;
  std::string_view help_;
  bool started_ = false;
};

}  // namespace

void writeAlertMetrics(const AlertSnapshot& snapshot, std::string& out) {
  std::vector<std::string> alert_labels;
  alert_labels.reserve(snapshot.alerts.size());
  for (const auto& a : snapshot.alerts) alert_labels.push_back(alertLabels(a));
  {
    Family f(out, "shopwatch_alert_state",
             "State of the alert: 0 ok, 1 pending, 2 firing, 3 suppressed.");
    for (std::size_t i = 0; i < snapshot.alerts.size(); ++i) {
      f.sample(alert_labels[i], static_cast<double>(static_cast<int>(snapshot.alerts[i].state)));
    }
  }
  {
    Family f(out, "shopwatch_alert_flapping",
             "Whether the alert is flapping (it then holds its state instead of toggling).");
    for (std::size_t i = 0; i < snapshot.alerts.size(); ++i) {
      f.sample(alert_labels[i], snapshot.alerts[i].flapping ? 1.0 : 0.0);
    }
  }

  std::vector<std::string> slo_labels;
  slo_labels.reserve(snapshot.slos.size());
  for (const auto& s : snapshot.slos) slo_labels.push_back(sloLabels(s));
  {
    Family f(out, "shopwatch_slo_objective_ratio",
             "Objective of the SLO as a ratio (99.5% is 0.995).");
    for (std::size_t i = 0; i < snapshot.slos.size(); ++i) {
      f.sample(slo_labels[i], snapshot.slos[i].objective);
    }
  }
  {
    Family f(out, "shopwatch_slo_error_budget_remaining_ratio",
             "Share of the SLO's error budget left over its period (negative when overspent).");
    for (std::size_t i = 0; i < snapshot.slos.size(); ++i) {
      if (const auto& b = snapshot.slos[i].budget_remaining) f.sample(slo_labels[i], *b);
    }
  }
  {
    Family f(out, "shopwatch_slo_burn_rate",
             "Error ratio over the window divided by the SLO's error budget (1 spends it in "
             "exactly one period).");
    std::string labels;
    for (std::size_t i = 0; i < snapshot.slos.size(); ++i) {
      for (const auto& rate : snapshot.slos[i].burn_rates) {
        if (!rate.value) continue;
        labels = slo_labels[i];
        appendLabel(labels, "window", rate.window);
        f.sample(labels, *rate.value);
      }
    }
  }
  Family(out, "shopwatch_rules_window_samples", "Runs held in the rule engine's KPI windows.")
      .sample({}, static_cast<double>(snapshot.stats.samples));
  Family(out, "shopwatch_rules_memory_bytes",
         "Estimated memory of the rule engine's window and SLO state.")
      .sample({}, static_cast<double>(snapshot.stats.memory_bytes));
}

}  // namespace shopwatch::agent::status
