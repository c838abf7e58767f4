#pragma once
/// The outcome of one run of a check (DESIGN.md, "Probes"). A failed probe is data, not an exception.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "shopwatch/core/clock.h"
#include "shopwatch/core/duration.h"
#include "shopwatch/core/failure_reason.h"

namespace shopwatch::core {

/// blackbox_exporter's phases, summed over redirects.
struct Phases {
  Micros resolve{0};
  Micros connect{0};
  Micros tls{0};
  /// connection ready (after TLS) → first response byte; includes writing the request
  Micros processing{0};
  Micros transfer{0};    ///< first byte → end
};

/// What one assertion saw, for `shopwatch probe`'s human output.
struct AssertionOutcome {
  std::string name;    ///< "status", "body_contains", "json /cart/total gt", ...
  bool passed = false;
  std::string detail;  ///< what was seen ("status 503", "found at offset 1234", ...)
};

struct StepResult;

/// What a failed run showed, kept as evidence for tickets: selected response headers and the start of
/// the body, with secrets, cookies and `Set-Cookie` values redacted.
struct Evidence {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body_snippet;  ///< at most kEvidenceBodyBytes, cut on a UTF-8 boundary
};
inline constexpr std::size_t kEvidenceBodyBytes = 2048;

/// The final response of a request with HttpRequest::capture (probes/http_probe_engine.h,
/// "Capture"). Header values and the redirect chain are redacted with the check's secrets like
/// final_url; the body is as received.
struct CapturedResponse {
  std::string http_version;  ///< "1.0", "1.1", "2", "3"; "" when no response arrived
  /// The final response's headers in order, names as sent, one entry per header line (two
  /// Set-Cookie lines are two entries); values without surrounding blanks.
  std::vector<std::pair<std::string, std::string>> headers;
  /// The body with its content-encoding removed (libcurl decodes gzip, deflate, br, zstd), at
  /// most HttpRequest::max_body bytes.
  std::string body;
  /// Body bytes as transferred, before decoding (CURLINFO_SIZE_DOWNLOAD_T of the final hop):
  /// the compressed size of a content-encoded body, without chunked framing.
  std::uint64_t wire_bytes = 0;
  /// The URLs redirected from, in order (the first is the request's URL); empty without redirects.
  std::vector<std::string> redirect_chain;
};

/// One run's outcome: a plain check's, a journey's as a whole (with its steps), or one step's.
struct ProbeResult {
  SystemTime started{};        ///< wall-clock time the run's first transfer really started
  bool success = false;
  FailureReason failure = FailureReason::None;
  std::string message;         ///< human explanation; empty on success
  int status_code = 0;         ///< final HTTP status, 0 if none was received
  Micros duration{0};          ///< total
  Phases phases;
  std::string http_version;    ///< "1.0", "1.1", "2", "" if none
  std::optional<SystemTime> cert_not_after;  ///< earliest expiry of the presented chain
  int redirects = 0;
  std::uint64_t bytes = 0;             ///< body bytes received (last hop)
  std::int64_t content_length = -1;    ///< from Content-Length, -1 if unknown
  bool ssl = false;                    ///< the final hop used TLS
  std::string final_url;
  std::vector<AssertionOutcome> assertions;

  /// Cut by shutdown (or a removed check) before it could finish: neither a success nor a failure,
  /// never downtime, never counted (core::judgeRun). `failure` is None, `message` says why.
  bool cancelled = false;
  /// Time from submission to the engine until the first transfer really started (host limits, the
  /// engine's queue); not part of `duration` or any phase.
  Micros queue_wait{0};
  /// The engine was saturated while this run was in flight (its event loop fell behind), so its
  /// timings are not trustworthy: latency figures and latency rules leave it out; availability
  /// still counts it.
  bool saturated = false;

  /// Journeys: every step in order (skipped ones included); empty for a plain check.
  std::vector<StepResult> steps;
  /// Journeys: the name of the step that failed the run; empty when it passed or for a plain check.
  std::string failed_step;
  /// A failed run's evidence (journeys: of the failing step); nullopt when it passed.
  std::optional<Evidence> evidence;
  /// Journeys, per step: the names of the variables the step extracted (values are never shown).
  std::vector<std::string> extracted;
  /// HttpRequest::capture (plain HTTP checks): the final response; nullopt without capture.
  std::optional<CapturedResponse> captured;
};

/// One step of a journey run.
struct StepResult {
  std::string name;
  bool skipped = false;  ///< not run because an earlier step failed (result is empty)
  bool cleanup = false;  ///< a cleanup step (does not decide the journey's success)
  ProbeResult result;
};

}  // namespace shopwatch::core
