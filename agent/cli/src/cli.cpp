#include "cli.h"

#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "shopwatch/agent/platforms/platform_fake.h"
#include "shopwatch/agent/runtime/entry.h"

namespace shopwatch::cli {

int run(int argc, char** argv) {
  CLI::App app{"shopwatch: synthetic monitoring of webshops (HTTP checks, SLAs, incidents)", "shopwatch"};
  app.require_subcommand(0, 1);
  bool version = false;
  app.add_flag("--version", version, "Print shopwatch's version and the libcurl, OpenSSL and SQLite in use");

  std::string config_path;
  auto* run_cmd = app.add_subcommand("run", "Run the agent: schedule checks, store results, serve /metrics");
  run_cmd->add_option("-c,--config", config_path, "Config file (YAML)")->required();

  std::string check_config_path;
  auto* check_cmd = app.add_subcommand("check-config", "Validate a config file; print every error as FILE:LINE:COL");
  check_cmd->add_option("-c,--config", check_config_path, "Config file (YAML)")->required();
  bool check_config_verbose = false;
  check_cmd->add_flag("-v,--verbose", check_config_verbose,
                      "Also print each check's effective values and where they come from");

  ProbeOptions probe;
  auto* probe_cmd = app.add_subcommand("probe", "Run one check once and explain the result");
  probe_cmd->add_option("url", probe.url, "URL to probe (http:// or https://)");
  probe_cmd->add_option("-c,--config", probe.config, "Config file; with --check runs that check");
  probe_cmd->add_option("--check", probe.check, "SHOP/CHECK (or SHOP/ENV/CHECK) from the config");
  probe_cmd->add_flag("--json", probe.json, "Print one JSON object");
  probe_cmd->add_option("-X,--method", probe.method, "HTTP method")->capture_default_str();
  probe_cmd->add_option("-H,--header", probe.headers, "Request header \"Name: value\" (repeatable)");
  probe_cmd->add_option("-d,--body", probe.body, "Request body");
  probe_cmd->add_option("--timeout", probe.timeout, "Timeout for the whole run")->capture_default_str();
  probe_cmd->add_option("--expect-status", probe.expect_status, "Accepted status (code or class like 2xx; repeatable)");
  probe_cmd->add_option("--body-contains", probe.body_contains, "Body must contain this text");
  probe_cmd->add_option("--body-not-contains", probe.body_not_contains, "Body must not contain this text");
  probe_cmd->add_option("--body-regex", probe.body_regex, "Body must match this RE2 regex");
  probe_cmd->add_option("--max-duration", probe.max_duration, "Fail when the run takes longer (e.g. 1500ms)");
  probe_cmd->add_option("--resolve", probe.resolve, "HOST:IP, like curl --resolve (repeatable)");
  probe_cmd->add_flag("-k,--insecure", probe.insecure, "Do not verify the TLS certificate");
  probe_cmd->add_option("--ca-file", probe.ca_file, "CA bundle to verify against");
  probe_cmd->add_flag("--no-follow", probe.no_follow, "Do not follow redirects");
  probe_cmd->add_option("--max-redirects", probe.max_redirects, "Redirects to follow at most")->capture_default_str();
  probe_cmd->add_option("--user-agent", probe.user_agent, "User-Agent header");
  probe_cmd->add_option("--ip-version", probe.ip_version, "any, 4 or 6")->capture_default_str();
  probe_cmd->add_option("--max-body", probe.max_body, "Largest body accepted")->capture_default_str();

  std::string incidents_config;
  bool incidents_all = false;
  bool incidents_json = false;
  auto* incidents_cmd = app.add_subcommand("incidents", "List incidents with their tickets and outbox state");
  incidents_cmd->add_option("-c,--config", incidents_config, "Config file (YAML)")->required();
  incidents_cmd->add_flag("--all", incidents_all, "Also list resolved incidents");
  incidents_cmd->add_flag("--json", incidents_json, "Print a JSON array");

  std::string backlog_config;
  auto* backlog_cmd = app.add_subcommand("backlog", "Check the backlog sinks, or rebuild the Jira mapping");
  backlog_cmd->require_subcommand(1);
  auto* backlog_check = backlog_cmd->add_subcommand(
      "check", "Verify credentials, project, issue type, fields and transitions; print what is wrong");
  backlog_check->add_option("-c,--config", backlog_config, "Config file (YAML)")->required();
  auto* backlog_rebuild = backlog_cmd->add_subcommand(
      "rebuild", "Restore the incident to Jira issue mapping from Jira's shopwatch labels");
  backlog_rebuild->add_option("-c,--config", backlog_config, "Config file (YAML)")->required();

  ReportOptions report;
  auto* report_cmd = app.add_subcommand("report", "Monthly SLA report (text, JSON, CSV, HTML or PDF); --freeze a past month");
  report_cmd->add_option("-c,--config", report.config, "Config file (YAML)")->required();
  report_cmd->add_option("--month", report.month, "YYYY-MM, a month of agent.timezone")->required();
  report_cmd->add_option("--shop", report.shop, "Only this shop (every env of it)");
  report_cmd->add_option("--format", report.format, "text, json, csv, html or pdf")
      ->check(CLI::IsMember({"text", "json", "csv", "html", "pdf"}))
      ->capture_default_str();
  report_cmd->add_option("-o,--output", report.output, "Write to FILE (atomically) instead of stdout");
  report_cmd->add_flag("--freeze", report.freeze,
                       "Store the ended month's report in the database: later runs show these figures");

  InsightsOptions insights;
  auto* insights_cmd = app.add_subcommand(
      "insights", "Ranked performance findings: where the time goes, slow phases, regressions, response audits");
  insights_cmd->add_option("-c,--config", insights.config, "Config file (YAML)")->required();
  insights_cmd->add_option("--shop", insights.shop, "Only this shop (every env of it)");
  insights_cmd->add_option("--format", insights.format, "text, json or html")
      ->check(CLI::IsMember({"text", "json", "html"}))
      ->capture_default_str();
  insights_cmd->add_option("-o,--output", insights.output, "Write to FILE (atomically) instead of stdout");
  insights_cmd->add_flag("--no-audit", insights.no_audit,
                         "Stored timings only: do not fetch the pages and assets for the response audits");

  agent::DemoOptions demo;
  auto* demo_cmd = app.add_subcommand("demo", "Run a built-in demo shop on loopback and the agent probing it");
  demo_cmd->add_option("--listen", demo.listen, "Address of the agent's endpoint (loopback)")->capture_default_str();
  demo_cmd->add_option("--platform", demo.platform,
                       "Serve a fake of a shop platform where its journey recipes (examples/journeys/) point: " +
                           agent::platforms::platformNames());
  demo_cmd->add_option("--shop-listen", demo.shop_listen,
                       "With --platform: where the fake listens (default: the platform's port, 127.0.0.1:9841-9846)")
      ->needs("--platform");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);  // prints help or the error
    return code == 0 ? kExitOk : kExitUsage;
  }

  try {
    if (version) {
      std::fputs(versionText().c_str(), stdout);
      return kExitOk;
    }
    if (*run_cmd) return agent::runAgent(config_path);
    if (*check_cmd) return checkConfigCommand(check_config_path, check_config_verbose);
    if (*probe_cmd) return probeCommand(probe);
    if (*incidents_cmd) return incidentsCommand(incidents_config, incidents_all, incidents_json);
    if (*backlog_check) return backlogCheckCommand(backlog_config);
    if (*backlog_rebuild) return backlogRebuildCommand(backlog_config);
    if (*report_cmd) return reportCommand(report);
    if (*insights_cmd) return insightsCommand(insights);
    if (*demo_cmd) return agent::runDemo(demo);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "shopwatch: %s\n", e.what());
    return kExitFailed;
  }
  std::fputs(app.help().c_str(), stderr);
  return kExitUsage;
}

}  // namespace shopwatch::cli
