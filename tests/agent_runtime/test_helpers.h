#pragma once
// Helpers for the agent runtime's end-to-end tests: HTTP GET over libcurl (127.0.0.1 only), temp
// dirs, polling with a deadline, running external programs.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "temp_dir.h"

namespace shopwatch::testing {

struct HttpAnswer {
  long status = 0;  // 0: no answer
  std::string body;
};

/// GET (or POST) `url`; must be a 127.0.0.1 URL.
HttpAnswer httpGet(const std::string& url, const std::string& method = "GET");

/// Any method with a body and header lines ("Name: value"); must be a 127.0.0.1 URL.
HttpAnswer httpRequest(const std::string& url, const std::string& method, const std::string& body,
                       const std::vector<std::string>& headers);

/// Polls `pred` every 50 ms until it holds or `timeout` passes. (Real processes and sockets: there is
/// no clock to fake here.)
bool waitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

/// The value of the first sample in `metrics` whose line starts with `series` (name{labels}).
std::optional<double> sampleValue(const std::string& metrics, const std::string& series);

/// Runs `argv` with `input` on stdin; returns exit code and combined output.
struct ProgramResult {
  int exit_code = -1;
  std::string output;
};
ProgramResult runProgram(const std::vector<std::string>& argv, const std::string& input);

}  // namespace shopwatch::testing
