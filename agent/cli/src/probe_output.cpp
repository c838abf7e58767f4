#include "probe_output.h"

#include <chrono>
#include <cstdio>
#include <string>

#include "shopwatch/core/redact.h"
#include "shopwatch/core/time_format.h"

namespace shopwatch::cli {

namespace {

std::string ms(core::Micros d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", static_cast<double>(d.count()) / 1000.0);
  return buf;
}

// The lines of one request's outcome; `indent` prefixes each (journey steps are indented).
void printOutcome(const core::Check& check, const core::ProbeResult& r, const std::string& url,
                  const char* indent) {
  auto red = [&](const std::string& s) { return core::redact(s, check.secrets); };
  if (r.success) {
    std::printf("%sResult      ok\n", indent);
  } else if (r.cancelled) {
    std::printf("%sResult      cancelled: %s\n", indent, red(r.message).c_str());
  } else {
    std::printf("%sResult      FAIL (%s): %s\n", indent, std::string(core::toString(r.failure)).c_str(),
                red(r.message).c_str());
  }
  if (r.status_code != 0) {
    std::printf("%sStatus      %d  HTTP/%s  redirects %d  body %llu bytes", indent, r.status_code,
                r.http_version.c_str(), r.redirects, static_cast<unsigned long long>(r.bytes));
    if (r.content_length >= 0) std::printf("  content-length %lld", static_cast<long long>(r.content_length));
    std::printf("\n");
  }
  if (!r.final_url.empty() && r.final_url != url) {
    std::printf("%sFinal URL   %s\n", indent, red(r.final_url).c_str());
  }
  std::printf("%sDuration    %s\n", indent, ms(r.duration).c_str());
  // Shown for failed runs too: the phases a run completed before it failed are real measurements.
  std::printf("%sPhases      resolve %s | connect %s | tls %s | processing %s | transfer %s\n", indent,
              ms(r.phases.resolve).c_str(), ms(r.phases.connect).c_str(), ms(r.phases.tls).c_str(),
              ms(r.phases.processing).c_str(), ms(r.phases.transfer).c_str());
  if (r.queue_wait.count() > 0 || r.saturated) {
    std::printf("%sEngine      queued %s%s\n", indent, ms(r.queue_wait).c_str(),
                r.saturated ? "  (engine saturated: timings not trustworthy)" : "");
  }
  if (r.cert_not_after) {
    auto left = std::chrono::duration_cast<std::chrono::hours>(*r.cert_not_after - r.started).count();
    std::printf("%sCertificate earliest expiry %s (%s%lld days)\n", indent,
                core::formatRfc3339(*r.cert_not_after).c_str(), left < 0 ? "expired " : "in ",
                static_cast<long long>((left < 0 ? -left : left) / 24));
  }
  if (!r.extracted.empty()) {
    std::string names;
    for (const auto& name : r.extracted) names += (names.empty() ? "" : ", ") + name;
    std::printf("%sExtracted   %s (values hidden)\n", indent, names.c_str());
  }
  if (!r.assertions.empty()) {
    std::printf("%sAssertions\n", indent);
    for (const auto& a : r.assertions) {
      std::printf("%s  %s %s: %s\n", indent, a.passed ? "ok  " : "FAIL", a.name.c_str(), red(a.detail).c_str());
    }
  }
}

}  // namespace

void printProbeResult(const core::Check& check, const core::ProbeResult& r) {
  const core::HttpProbe* http = check.http();
  const std::string url = http ? http->request.url : std::string{};
  if (http) std::printf("URL         %s\n", core::redact(url, check.secrets).c_str());
  printOutcome(check, r, url, "");
  for (const auto& step : r.steps) {
    std::printf("Step %s%s%s\n", step.name.c_str(), step.cleanup ? " (cleanup)" : "",
                step.skipped ? ": skipped (an earlier step failed)" : "");
    if (!step.skipped) printOutcome(check, step.result, std::string{}, "  ");
  }
}

}  // namespace shopwatch::cli
