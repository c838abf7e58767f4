#pragma once
/// The outcome of one run of a check (DESIGN.md, "Probes"). A failed probe is data, not an exception.

#include <cstdint>
#include <optional>
#include <string>
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

struct ProbeResult {
  SystemTime started{};        ///< wall-clock time the run started
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
};

}  // namespace shopwatch::core
