#pragma once
/// The `shopwatch` command line. Exit codes: 0 ok, 1 a failed check or invalid config, 2 usage error.

#include <string>
#include <vector>

namespace shopwatch::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

/// Parses argv and runs the command. Never throws.
int run(int argc, char** argv);

/// `shopwatch --version`: shopwatch and the libcurl, OpenSSL and SQLite versions in use.
std::string versionText();

struct ProbeOptions {
  std::string url;
  std::string config;
  std::string check;  ///< SHOP/CHECK (or SHOP/ENV/CHECK)
  bool json = false;
  std::string method = "GET";
  std::vector<std::string> headers;  ///< "Name: value"
  std::string body;
  std::string timeout = "10s";
  std::vector<std::string> expect_status;
  std::string body_contains;
  std::string body_not_contains;
  std::string body_regex;
  std::vector<std::string> resolve;  ///< host:ip
  bool insecure = false;
  std::string ca_file;
  bool no_follow = false;
  int max_redirects = 10;
  std::string user_agent;
  std::string ip_version = "any";
  std::string max_body = "10MiB";
  std::string max_duration;
};

int probeCommand(const ProbeOptions& options);
/// `check-config`: every error as FILE:LINE:COL, or "ok"; `verbose` adds each check's effective
/// values with their source.
int checkConfigCommand(const std::string& path, bool verbose = false);
/// `incidents`: the incidents in the config's database (open only unless `all`) with their tickets
/// per sink and pending outbox actions; a table, or a JSON array with `json`. 1: no database.
int incidentsCommand(const std::string& config_path, bool all, bool json);
/// `backlog check`: every finding of each configured sink; 1 when there is a problem or no Jira.
int backlogCheckCommand(const std::string& config_path);
/// `backlog rebuild`: restores the incident → Jira issue mapping from Jira into the database.
int backlogRebuildCommand(const std::string& config_path);

/// `shopwatch report` ([E]).
struct ReportOptions {
  std::string config;
  std::string month;       ///< "YYYY-MM" (contract time zone)
  std::string shop;        ///< only this shop; empty: every shop
  std::string format = "text";  ///< text | json | csv | html | pdf
  std::string output;      ///< -o FILE (written atomically); empty: stdout (not for pdf)
  bool freeze = false;     ///< store the ended month's report (whole month, never overwritten)
};
/// `report`: the monthly SLA report from the config's database, or from the month's frozen copy.
/// 1: invalid config, no database, a month not ended (--freeze) or already frozen; 2: usage.
int reportCommand(const ReportOptions& options);

/// `shopwatch insights` ([F]).
struct InsightsOptions {
  std::string config;
  std::string shop;             ///< only this shop; empty: every shop
  std::string format = "text";  ///< text | json | html
  std::string output;           ///< -o FILE (written atomically); empty: stdout
  bool no_audit = false;        ///< --no-audit: stored timings only, no page fetches
};
/// `insights`: ranked performance findings from the config's database (read-only, safe while the
/// agent runs). 0 when it ran (findings are not a failure); 1: invalid config or unknown shop;
/// 2: usage.
int insightsCommand(const InsightsOptions& options);

}  // namespace shopwatch::cli
