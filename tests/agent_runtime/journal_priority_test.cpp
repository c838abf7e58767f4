// journald mode of the agent's logging: when stderr is the journal stream (JOURNAL_STREAM matches
// fd 2), lines carry sd-daemon(3) priority prefixes and no timestamp; otherwise a timestamp and no
// prefix. Checked on what really reaches fd 2 (redirected to a file for the test).

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "shopwatch/agent/runtime/logging.h"
#include "test_helpers.h"

using shopwatch::agent::runtime::configureLogging;
using shopwatch::agent::runtime::journalPriorityPrefix;

namespace {

std::vector<std::string> lines(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

/// Points fd 2 at `file` (and JOURNAL_STREAM at it, when `journal`) for the scope; restores both
/// and the default logging set-up afterwards.
class StderrCapture {
 public:
  StderrCapture(const std::filesystem::path& file, bool journal) {
    if (const char* v = std::getenv("JOURNAL_STREAM")) saved_env_ = v;
    std::fflush(stderr);
    saved_fd_ = dup(2);
    const int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    REQUIRE(fd >= 0);
    dup2(fd, 2);
    close(fd);
    struct stat st {};
    REQUIRE(fstat(2, &st) == 0);
    if (journal) {
      const std::string id = std::to_string(static_cast<unsigned long>(st.st_dev)) + ":" +
                             std::to_string(static_cast<unsigned long>(st.st_ino));
      setenv("JOURNAL_STREAM", id.c_str(), 1);
    } else {
      unsetenv("JOURNAL_STREAM");
    }
  }
  ~StderrCapture() {
    spdlog::default_logger()->flush();
    std::fflush(stderr);
    dup2(saved_fd_, 2);
    close(saved_fd_);
    if (saved_env_) {
      setenv("JOURNAL_STREAM", saved_env_->c_str(), 1);
    } else {
      unsetenv("JOURNAL_STREAM");
    }
    configureLogging("info");
  }
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;

 private:
  int saved_fd_ = -1;
  std::optional<std::string> saved_env_;
};

void logOneOfEach() {
  spdlog::trace("t-line");
  spdlog::debug("d-line");
  spdlog::info("i-line");
  spdlog::warn("w-line");
  spdlog::error("e-line");
  spdlog::critical("c-line");
  spdlog::default_logger()->flush();
}

}  // namespace

TEST_CASE("journalPriorityPrefix maps spdlog levels to sd-daemon priorities") {
  CHECK(journalPriorityPrefix(spdlog::level::trace) == "<7>");
  CHECK(journalPriorityPrefix(spdlog::level::debug) == "<7>");
  CHECK(journalPriorityPrefix(spdlog::level::info) == "<6>");
  CHECK(journalPriorityPrefix(spdlog::level::warn) == "<4>");
  CHECK(journalPriorityPrefix(spdlog::level::err) == "<3>");
  CHECK(journalPriorityPrefix(spdlog::level::critical) == "<2>");
}

TEST_CASE("with stderr on journald, every line starts with its syslog priority and has no timestamp") {
  shopwatch::testing::TempDir dir;
  const auto file = dir.path() / "stderr.log";
  {
    StderrCapture capture(file, true);
    configureLogging("trace");
    logOneOfEach();
  }
  const auto got = lines(file);
  CHECK(got == std::vector<std::string>{"<7>trace: t-line", "<7>debug: d-line", "<6>info: i-line",
                                        "<4>warning: w-line", "<3>error: e-line",
                                        "<2>critical: c-line"});
}

TEST_CASE("with stderr elsewhere, lines carry a timestamp and no priority prefix") {
  shopwatch::testing::TempDir dir;
  const auto file = dir.path() / "stderr.log";
  {
    StderrCapture capture(file, false);
    configureLogging("info");
    logOneOfEach();
  }
  const auto got = lines(file);
  REQUIRE(got.size() == 4);  // info and up
  for (const auto& l : got) {
    INFO(l);
    CHECK(l.front() != '<');
    // 2026-01-31T12:00:00.123 level: message
    REQUIRE(l.size() > 24);
    CHECK(l[4] == '-');
    CHECK(l[10] == 'T');
    CHECK(l[23] == ' ');
  }
  CHECK(got[0].substr(24) == "info: i-line");
  CHECK(got[3].substr(24) == "critical: c-line");
}
