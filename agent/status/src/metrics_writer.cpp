#include "shopwatch/agent/status/metrics_writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>

namespace shopwatch::agent::status {

namespace {

double seconds(core::Micros d) { return static_cast<double>(d.count()) / 1e6; }
double epochSeconds(core::SystemTime t) { return static_cast<double>(core::toMicros(t)) / 1e6; }

template <typename Int>
void appendInt(std::string& out, Int value) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, r.ptr);
}

/// Writes one family: the header only once a first sample exists.
class FamilyWriter {
 public:
  FamilyWriter(std::string& out, std::string_view name, std::string_view type, std::string_view help)
      : out_(out), name_(name), type_(type), help_(help) {}

  /// `name{labels[,extra]} value\n`; `suffix` is appended to the family name (histogram parts).
  void sample(std::string_view labels, std::string_view extra, double value, std::string_view suffix = {}) {
    seriesPrefix(labels, extra, suffix);
    appendSampleValue(out_, value);
    out_ += '\n';
  }

  void sampleInt(std::string_view labels, std::string_view extra, std::uint64_t value,
                 std::string_view suffix = {}) {
    seriesPrefix(labels, extra, suffix);
    appendInt(out_, value);
    out_ += '\n';
  }

 private:
  void seriesPrefix(std::string_view labels, std::string_view extra, std::string_view suffix) {
    header();
    out_ += name_;
    out_ += suffix;
    out_ += '{';
    out_ += labels;
    if (!extra.empty()) {
      out_ += ',';
      out_ += extra;
    }
    out_ += "} ";
  }

  void header() {
    if (started_) return;
    started_ = true;
    out_ += "# HELP ";
    out_ += name_;
    out_ += ' ';
    out_ += help_;
    out_ += "\n# TYPE ";
    out_ += name_;
    out_ += ' ';
    out_ += type_;
    out_ += '\n';
  }

  std::string& out_;
  std::string_view name_;
  std::string_view type_;
  std::string_view help_;
  bool started_ = false;
};

template <typename Fn>
void gaugeFamily(std::string& out, const std::vector<CheckSnapshot>& checks, std::string_view name,
                 std::string_view help, Fn value) {
  FamilyWriter f(out, name, "gauge", help);
  for (const auto& c : checks) {
    if (!c.last) continue;
    if (auto v = value(*c.last)) f.sample(c.meta->labels, {}, *v);
  }
}

template <typename Fn>
void stepGaugeFamily(std::string& out, const std::vector<CheckSnapshot>& checks,
                     std::string_view name, std::string_view help, Fn value) {
  FamilyWriter f(out, name, "gauge", help);
  for (const auto& c : checks) {
    const auto n = std::min(c.steps.size(), c.meta->steps.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (c.steps[i].last) f.sample(c.meta->steps[i].labels, {}, value(*c.steps[i].last));
    }
  }
}

// Journey steps: their own families, never probe_*, so that probe_success{check} stays one series
// per journey. A step never run has no series; a step the latest run skipped keeps the values of
// its previous run (nothing marks the skip: the journey's failing step says why).
void writeStepMetrics(const std::vector<CheckSnapshot>& checks, std::string& out) {
  stepGaugeFamily(out, checks, "shopwatch_step_success",
                  "Whether the latest run of the journey step passed.",
                  [](const LastResult& r) { return r.success ? 1.0 : 0.0; });
  stepGaugeFamily(out, checks, "shopwatch_step_duration_seconds",
                  "Duration of the latest run of the journey step.",
                  [](const LastResult& r) { return seconds(r.duration); });
  {
    FamilyWriter f(out, "shopwatch_step_phase_seconds", "gauge",
                   "Duration of each HTTP phase of the latest run of the journey step.");
    for (const auto& c : checks) {
      const auto n = std::min(c.steps.size(), c.meta->steps.size());
      for (std::size_t i = 0; i < n; ++i) {
        if (!c.steps[i].last) continue;
        const auto& labels = c.meta->steps[i].labels;
        const auto& p = c.steps[i].last->phases;
        f.sample(labels, "phase=\"resolve\"", seconds(p.resolve));
        f.sample(labels, "phase=\"connect\"", seconds(p.connect));
        f.sample(labels, "phase=\"tls\"", seconds(p.tls));
        f.sample(labels, "phase=\"processing\"", seconds(p.processing));
        f.sample(labels, "phase=\"transfer\"", seconds(p.transfer));
      }
    }
  }
  stepGaugeFamily(out, checks, "shopwatch_step_status_code",
                  "HTTP status code of the journey step's final response, 0 if none.",
                  [](const LastResult& r) { return static_cast<double>(r.status_code); });
}

}  // namespace

void appendSampleValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else if (value == std::floor(value) && std::fabs(value) < 1e15) {
    // Integral values (timestamps, sizes) as integers: to_chars' shortest form would write 1.9e+09.
    appendInt(out, static_cast<std::int64_t>(value));
  } else {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof(buf), value);
    out.append(buf, r.ptr);
  }
}

void writeCheckMetrics(const std::vector<CheckSnapshot>& checks, std::string& out) {
  out.reserve(out.size() + checks.size() * 2048 + 4096);
  using Opt = std::optional<double>;

  gaugeFamily(out, checks, "probe_success", "Whether the latest accounted run of the check passed.",
              [](const LastResult& r) { return Opt(r.success ? 1.0 : 0.0); });
  gaugeFamily(out, checks, "probe_duration_seconds", "Total duration of the latest accounted run.",
              [](const LastResult& r) { return Opt(seconds(r.duration)); });
  {
    FamilyWriter f(out, "probe_http_duration_seconds", "gauge",
                   "Duration of each HTTP phase of the latest accounted run, summed over redirects.");
    for (const auto& c : checks) {
      if (!c.last) continue;
      const auto& p = c.last->phases;
      f.sample(c.meta->labels, "phase=\"resolve\"", seconds(p.resolve));
      f.sample(c.meta->labels, "phase=\"connect\"", seconds(p.connect));
      f.sample(c.meta->labels, "phase=\"tls\"", seconds(p.tls));
      f.sample(c.meta->labels, "phase=\"processing\"", seconds(p.processing));
      f.sample(c.meta->labels, "phase=\"transfer\"", seconds(p.transfer));
    }
  }
  gaugeFamily(out, checks, "probe_http_status_code", "HTTP status code of the final response, 0 if none.",
              [](const LastResult& r) { return Opt(r.status_code); });
  gaugeFamily(out, checks, "probe_http_content_length", "Content-Length of the final response, -1 if unknown.",
              [](const LastResult& r) { return Opt(static_cast<double>(r.content_length)); });
  gaugeFamily(out, checks, "probe_http_redirects", "Number of redirects followed.",
              [](const LastResult& r) { return Opt(r.redirects); });
  gaugeFamily(out, checks, "probe_http_ssl", "Whether the final hop used TLS.",
              [](const LastResult& r) { return Opt(r.ssl ? 1.0 : 0.0); });
  gaugeFamily(out, checks, "probe_http_version", "HTTP version of the final response, 0 if none.",
              [](const LastResult& r) { return Opt(r.http_version); });
  gaugeFamily(out, checks, "probe_ssl_earliest_cert_expiry",
              "Expiry of the earliest expiring certificate of the presented chain, in unixtime.",
              [](const LastResult& r) {
                return r.cert_not_after ? Opt(epochSeconds(*r.cert_not_after)) : Opt();
              });
  gaugeFamily(out, checks, "probe_dns_lookup_time_seconds", "Duration of the DNS lookup of the latest accounted run.",
              [](const LastResult& r) { return Opt(seconds(r.phases.resolve)); });

  {
    FamilyWriter f(out, "shopwatch_check_runs_total", "counter",
                   "Runs of the check by result, confirm re-checks included.");
    for (const auto& c : checks) {
      f.sampleInt(c.meta->labels, "result=\"success\"", c.counters.runs_success);
      f.sampleInt(c.meta->labels, "result=\"failure\"", c.counters.runs_failure);
    }
  }
  {
    FamilyWriter f(out, "shopwatch_check_failures_total", "counter",
                   "Accounted (confirmed) failures of the check by reason.");
    std::string extra;
    for (const auto& c : checks) {
      for (const auto reason : core::allFailureReasons()) {
        const auto n = c.counters.failures[static_cast<std::size_t>(reason)];
        if (n == 0) continue;
        extra.assign("reason=\"");
        extra += core::toString(reason);
        extra += '"';
        f.sampleInt(c.meta->labels, extra, n);
      }
    }
  }
  {
    FamilyWriter f(out, "shopwatch_check_last_run_timestamp_seconds", "gauge",
                   "Start of the latest run of the check, in unixtime.");
    for (const auto& c : checks) {
      if (c.counters.last_run) f.sample(c.meta->labels, {}, epochSeconds(*c.counters.last_run));
    }
  }
  {
    FamilyWriter f(out, "shopwatch_check_duration_seconds", "histogram",
                   "Duration of accounted runs (checks with histogram: true).");
    std::string extra;
    for (const auto& c : checks) {
      if (!c.meta->spec->histogram) continue;
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < c.counters.duration_buckets.size(); ++i) {
        cumulative += c.counters.duration_buckets[i];
        extra.assign("le=\"");
        if (i < kDurationBuckets.size()) {
          appendSampleValue(extra, kDurationBuckets[i]);
        } else {
          extra += "+Inf";
        }
        extra += '"';
        f.sampleInt(c.meta->labels, extra, cumulative, "_bucket");
      }
      f.sample(c.meta->labels, {}, c.counters.duration_sum, "_sum");
      f.sampleInt(c.meta->labels, {}, c.counters.duration_count, "_count");
    }
  }
  writeStepMetrics(checks, out);
}

void writeCheckMetrics(const CheckStateTable& table, std::string& out) {
  writeCheckMetrics(table.snapshot(false), out);
}

}  // namespace shopwatch::agent::status
