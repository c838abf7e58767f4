// The backlog's families on /metrics: exact text, clean under the exposition lint and promtool.
#include "shopwatch/agent/backlog/backlog_metrics.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <memory>

#include "exposition_lint.h"
#include "external_tool.h"

using namespace shopwatch;

namespace {

const std::string kPromtool = "/usr/bin/promtool";

struct ToolRun {
  int exit_code = -1;
  std::string output;
};

ToolRun runWithInput(const std::string& command, const std::string& input) {
  char path[] = "/tmp/shopwatch-backlog-metrics-XXXXXX";
  const int fd = ::mkstemp(path);
  ToolRun run;
  if (fd < 0) return run;
  ::close(fd);
  std::ofstream(path, std::ios::binary) << input;
  int status = -1;
  {
    struct Closer {
      int* status;
      void operator()(FILE* f) const { *status = ::pclose(f); }
    };
    std::unique_ptr<FILE, Closer> pipe(::popen((command + " < " + path + " 2>&1").c_str(), "r"),
                                       Closer{&status});
    if (pipe) {
      char buf[4096];
      std::size_t n = 0;
      while ((n = std::fread(buf, 1, sizeof(buf), pipe.get())) > 0) run.output.append(buf, n);
    }
  }
  ::unlink(path);
  if (status != -1 && WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  return run;
}

agent::backlog::OutboxStats sampleStats() {
  agent::backlog::OutboxStats s;
  s.pending = 3;
  s.oldest_pending_age = 12.5;
  s.dead = 1;
  s.incidents_open = 2;
  agent::backlog::SinkStats jira;
  jira.name = "jira";
  jira.up = false;
  jira.requests = {{0, 2}, {201, 1}, {429, 4}};
  agent::backlog::SinkStats webhook;
  webhook.name = "webhook";
  s.sinks.push_back(jira);
  s.sinks.push_back(webhook);
  return s;
}

}  // namespace

TEST_CASE("backlog metrics are written as the metrics contract names them") {
  std::string text;
  agent::backlog::writeBacklogMetrics(sampleStats(), text);
  CHECK(text ==
        "# HELP shopwatch_outbox_pending Backlog actions waiting to be delivered.\n"
        "# TYPE shopwatch_outbox_pending gauge\n"
        "shopwatch_outbox_pending 3\n"
        "# HELP shopwatch_outbox_oldest_age_seconds Age of the oldest backlog action waiting to be "
        "delivered (0 when none waits).\n"
        "# TYPE shopwatch_outbox_oldest_age_seconds gauge\n"
        "shopwatch_outbox_oldest_age_seconds 12.5\n"
        "# HELP shopwatch_outbox_dead_letters Backlog actions given up on (refused by the sink as "
        "invalid).\n"
        "# TYPE shopwatch_outbox_dead_letters gauge\n"
        "shopwatch_outbox_dead_letters 1\n"
        "# HELP shopwatch_incidents_open Incidents currently open.\n"
        "# TYPE shopwatch_incidents_open gauge\n"
        "shopwatch_incidents_open 2\n"
        "# HELP shopwatch_backlog_requests_total HTTP requests made to backlog sinks, by sink and "
        "status code (0: no answer).\n"
        "# TYPE shopwatch_backlog_requests_total counter\n"
        "shopwatch_backlog_requests_total{sink=\"jira\",code=\"0\"} 2\n"
        "shopwatch_backlog_requests_total{sink=\"jira\",code=\"201\"} 1\n"
        "shopwatch_backlog_requests_total{sink=\"jira\",code=\"429\"} 4\n"
        "# HELP shopwatch_sink_up Whether the backlog sink answers (0 while paused or "
        "unreachable).\n"
        "# TYPE shopwatch_sink_up gauge\n"
        "shopwatch_sink_up{sink=\"jira\"} 0\n"
        "shopwatch_sink_up{sink=\"webhook\"} 1\n");
}

TEST_CASE("backlog metrics pass the exposition lint and promtool check metrics") {
  for (const auto& stats : {sampleStats(), agent::backlog::OutboxStats{}}) {
    std::string text;
    agent::backlog::writeBacklogMetrics(stats, text);
    const auto problems = testing::lintExposition(text);
    INFO("exposition lint:\n" << testing::formatLintProblems(problems) << "\ntext:\n" << text);
    CHECK(problems.empty());
    if (!testing::externalToolAvailable(kPromtool, "promtool check metrics")) continue;
    const auto run = runWithInput(kPromtool + " check metrics", text);
    INFO("promtool output:\n" << run.output);
    CHECK(run.exit_code == 0);
    CHECK(run.output.empty());
  }
}
