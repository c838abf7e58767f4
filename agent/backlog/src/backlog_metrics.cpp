#include "shopwatch/agent/backlog/backlog_metrics.h"

#include <charconv>
#include <cmath>
#include <string_view>

namespace shopwatch::agent::backlog {

namespace {

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

template <typename Int>
void appendInt(std::string& out, Int value) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, r.ptr);
}

void appendDouble(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, r.ptr);
}

// Label values escaped as the text format wants: backslash, double quote, newline.
void appendLabelValue(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

void gauge(std::string& out, std::string_view name, std::string_view help, double value) {
  header(out, name, "gauge", help);
  out += name;
  out += ' ';
  appendDouble(out, value);
  out += '\n';
}

}  // namespace

void writeBacklogMetrics(const OutboxStats& stats, std::string& out) {
  gauge(out, "shopwatch_outbox_pending", "Backlog actions waiting to be delivered.",
        static_cast<double>(stats.pending));
  gauge(out, "shopwatch_outbox_oldest_age_seconds",
        "Age of the oldest backlog action waiting to be delivered (0 when none waits).",
        stats.oldest_pending_age);
  gauge(out, "shopwatch_outbox_dead_letters",
        "Backlog actions given up on (refused by the sink as invalid).",
        static_cast<double>(stats.dead));
  gauge(out, "shopwatch_incidents_open", "Incidents currently open.",
        static_cast<double>(stats.incidents_open));

  bool any_request = false;
  for (const auto& s : stats.sinks) any_request = any_request || !s.requests.empty();
  if (any_request) {
    header(out, "shopwatch_backlog_requests_total", "counter",
           "HTTP requests made to backlog sinks, by sink and status code (0: no answer).");
    for (const auto& s : stats.sinks) {
      for (const auto& [code, n] : s.requests) {
        out += "shopwatch_backlog_requests_total{sink=\"";
        appendLabelValue(out, s.name);
        out += "\",code=\"";
        appendInt(out, code);
        out += "\"} ";
        appendInt(out, n);
        out += '\n';
      }
    }
  }
  if (!stats.sinks.empty()) {
    header(out, "shopwatch_sink_up", "gauge",
           "Whether the backlog sink answers (0 while paused or unreachable).");
    for (const auto& s : stats.sinks) {
      out += "shopwatch_sink_up{sink=\"";
      appendLabelValue(out, s.name);
      out += "\"} ";
      out += s.up ? '1' : '0';
      out += '\n';
    }
  }
}

}  // namespace shopwatch::agent::backlog
