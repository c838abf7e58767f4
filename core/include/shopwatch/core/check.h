#pragma once
/// The unit of work (DESIGN.md, "Seams"): a check is `{key, schedule, probe}` where the probe is a
/// variant over probe kinds. agent/config produces checks; the scheduler sees a key and a schedule;
/// the engine sees requests. Plain data; every string is final (URL absolute, secrets expanded, shop
/// defaults applied).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "shopwatch/core/duration.h"
#include "shopwatch/core/http_request.h"
#include "shopwatch/core/journey.h"

namespace shopwatch::core {

/// Identity of a check (DESIGN.md, "Identity"): `shop/check`, plus the shop's env.
struct CheckKey {
  std::string shop;
  std::string env = "production";
  std::string check;

  /// `shop/check` — what users write in `--check`, rules and reports.
  std::string str() const { return shop + "/" + check; }
  /// `shop/env/check` — unambiguous across envs (logs, maps keyed by check).
  std::string path() const { return shop + "/" + env + "/" + check; }
  friend bool operator==(const CheckKey&, const CheckKey&) = default;
  friend auto operator<=>(const CheckKey&, const CheckKey&) = default;
};

/// A plain HTTP check: one request (with its redirect chain) and its expectations.
struct HttpProbe {
  HttpRequest request;
  Expectations expect;
};

/// When a check runs and how long one run may take.
struct Schedule {
  Micros interval = std::chrono::seconds{60};
  Micros timeout = std::chrono::seconds{10};  ///< the whole run
  bool confirm = true;                        ///< re-check a failure once before it counts
  Micros confirm_delay = std::chrono::seconds{5};
};

/// The probe kinds: a plain HTTP check, or a journey (core/journey.h).
using Probe = std::variant<HttpProbe, JourneyProbe>;

struct Check {
  CheckKey key;
  Schedule schedule;
  Probe probe;
  bool histogram = false;  ///< export shopwatch_check_duration_seconds
  /// Per-host concurrency limit from the shop (0: the engine's default).
  int per_host_limit = 0;
  /// Every expanded secret value used by this check; redact() replaces them wherever text is shown.
  std::vector<std::string> secrets;

  /// The HTTP probe, or nullptr for another kind.
  const HttpProbe* http() const { return std::get_if<HttpProbe>(&probe); }
  HttpProbe* http() { return std::get_if<HttpProbe>(&probe); }
  /// The journey, or nullptr for another kind.
  const JourneyProbe* journey() const { return std::get_if<JourneyProbe>(&probe); }
  JourneyProbe* journey() { return std::get_if<JourneyProbe>(&probe); }
};

}  // namespace shopwatch::core
