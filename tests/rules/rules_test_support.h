#pragma once
// Test support for the rule engine: rule and check builders, run records, and a Timeline that
// drives a RuleEngine second by second with a FakeClock (scripted checks run on their interval,
// results arrive one second after their slot, the engine ticks every second) and logs every
// transition as text.

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "shopwatch/core/accounting.h"
#include "shopwatch/core/clock.h"
#include "shopwatch/core/run_record.h"
#include "shopwatch/rules/expr.h"
#include "shopwatch/rules/rule_engine.h"
#include "shopwatch/rules/rule_spec.h"
#include "shopwatch/rules/target.h"

namespace shopwatch::rules::test {

using namespace std::chrono_literals;
using core::Micros;
using core::SystemTime;

/// 2027-01-15T08:00:00Z: FakeClock's default start (whole hour).
inline const SystemTime kT0{std::chrono::seconds{1'800'000'000}};

inline core::CheckKey key(std::string shop, std::string check, std::string env = "production") {
  return core::CheckKey{std::move(shop), std::move(env), std::move(check)};
}

inline CheckInfo checkInfo(core::CheckKey k, Micros interval = 1min,
                           std::vector<std::string> steps = {},
                           std::optional<core::CheckKey> depends_on = std::nullopt) {
  CheckInfo c;
  c.key = std::move(k);
  c.interval = interval;
  c.steps = std::move(steps);
  c.depends_on = std::move(depends_on);
  return c;
}

inline TargetPattern pattern(const std::string& text) {
  auto p = parseTargetPattern(text);
  REQUIRE(p.ok());
  return *p;
}

inline Expr expr(const std::string& text) {
  auto e = parseExpr(text);
  REQUIRE(e.ok());
  return *e;
}

inline RuleSpec rule(std::string name, const std::string& target, const std::string& expression,
                     std::optional<Micros> for_duration = std::nullopt,
                     std::optional<Micros> clear_for = std::nullopt, Micros window = 15min,
                     Severity severity = Severity::Critical) {
  RuleSpec r;
  r.name = std::move(name);
  r.target = pattern(target);
  r.expr = expr(expression);
  r.window = window;
  r.for_duration = for_duration;
  r.clear_for = clear_for;
  r.severity = severity;
  return r;
}

inline SloSpec slo(std::string name, const std::string& target, double objective,
                   std::optional<Micros> latency = std::nullopt, Micros period = 24h * 30) {
  SloSpec s;
  s.name = std::move(name);
  s.target = pattern(target);
  s.objective = objective;
  s.period = period;
  s.latency_threshold = latency;
  return s;
}

/// A scheduled run (no confirm: a failure counts at once).
inline core::RunRecord run(const core::CheckKey& k, SystemTime scheduled, bool up,
                           Micros interval = 1min, Micros duration = 200ms, Micros ttfb = 100ms,
                           std::int64_t run_id = 0, std::string step = {}) {
  core::RunRecord r;
  r.key = k;
  r.step = std::move(step);
  r.run_id = run_id != 0 ? run_id : core::toMicros(scheduled);
  r.interval = interval;
  r.scheduled = scheduled;
  r.result.started = scheduled;
  r.result.success = up;
  r.result.failure = up ? core::FailureReason::None : core::FailureReason::HttpStatus;
  r.result.status_code = up ? 200 : 503;
  r.result.duration = duration;
  r.result.phases.processing = ttfb;
  return r;
}

/// "mm:ss" (minutes may exceed 59) after `origin`; negative offsets get a leading '-'.
inline std::string offset(SystemTime at, SystemTime origin = kT0) {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(at - origin).count();
  const char* sign = s < 0 ? "-" : "";
  if (s < 0) s = -s;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%lld:%02lld", sign, static_cast<long long>(s / 60),
                static_cast<long long>(s % 60));
  return buf;
}

/// "<mm:ss> <rule> <target> <from>-><to>", plus " [<from severity>-><severity>]" for a severity
/// change; "<mm:ss> <rule> <target> <from> removed" for a removed alert.
inline std::string describe(const AlertTransition& t, SystemTime origin = kT0) {
  std::string out = offset(t.at, origin) + " " + t.alert.rule + " " + t.alert.target.str();
  if (t.alert.target.key.env != "production") out += "@" + t.alert.target.key.env;
  if (t.removed) return out + " " + std::string(alertStateName(t.from)) + " removed";
  out +=
      " " + std::string(alertStateName(t.from)) + "->" + std::string(alertStateName(t.alert.state));
  if (t.from == AlertState::Firing && t.alert.state == AlertState::Firing) {
    out += " [" + std::string(severityName(t.from_severity)) + "->" +
           std::string(severityName(t.alert.severity)) + "]";
  }
  return out;
}

/// A check the Timeline runs on its interval, starting at `first`.
struct ScriptedCheck {
  core::CheckKey key;
  Micros interval = 1min;
  SystemTime first = kT0;
  std::function<bool(SystemTime)> up = [](SystemTime) { return true; };
  std::function<Micros(SystemTime)> duration = [](SystemTime) { return Micros{200ms}; };
  std::function<Micros(SystemTime)> ttfb = [](SystemTime) { return Micros{100ms}; };
  std::function<bool(SystemTime)> in_maintenance = [](SystemTime) { return false; };
};

class Timeline {
 public:
  explicit Timeline(SystemTime start = kT0, SystemTime origin = kT0)
      : clock_(start), origin_(origin), engine_(std::make_unique<RuleEngine>(clock_)) {}

  core::FakeClock& clock() { return clock_; }
  RuleEngine& engine() { return *engine_; }
  SystemTime now() const { return clock_.now(); }
  /// Every transition so far, described (see describe()).
  const std::vector<std::string>& log() const { return log_; }
  const std::vector<AlertTransition>& transitions() const { return transitions_; }
  /// Every run record fed so far (what the store would hold), oldest first.
  const std::vector<core::RunRecord>& stored() const { return stored_; }

  void add(ScriptedCheck check) { checks_.push_back(std::move(check)); }

  /// Advances second by second to `end`: at each second the results due (slot + 1 s) are fed in
  /// check order, then the engine ticks.
  void runUntil(SystemTime end) {
    while (clock_.now() < end) {
      clock_.advance(1s);
      const SystemTime now = clock_.now();
      for (const ScriptedCheck& c : checks_) {
        const SystemTime slot = now - 1s;
        if (slot < c.first || (slot - c.first) % c.interval != Micros{0}) continue;
        core::RunRecord r =
            run(c.key, slot, c.up(slot), c.interval, c.duration(slot), c.ttfb(slot));
        r.in_maintenance = c.in_maintenance(slot);
        feed(r);
      }
      engine_->tick();
      collect();
    }
  }

  void feed(const core::RunRecord& r) {
    stored_.push_back(r);
    engine_->onRun(r, core::judgeRun(r));
    collect();
  }

  /// Replaces the engine by a fresh one on the same clock (an agent restart); the caller restores
  /// it.
  RuleEngine& restart() {
    collect();
    engine_ = std::make_unique<RuleEngine>(clock_);
    return *engine_;
  }

  void collect() {
    for (AlertTransition& t : engine_->takeTransitions()) {
      log_.push_back(describe(t, origin_));
      transitions_.push_back(std::move(t));
    }
  }

  /// The logged lines whose rule is `rule` (log order).
  std::vector<std::string> logOf(const std::string& rule) const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < transitions_.size(); ++i) {
      if (transitions_[i].alert.rule == rule) out.push_back(log_[i]);
    }
    return out;
  }

  /// The current record of (rule, target text), or nullopt.
  std::optional<AlertRecord> alert(const std::string& rule, const std::string& target,
                                   const std::string& env = "production") const {
    for (AlertRecord& a : engine_->alerts()) {
      if (a.rule == rule && a.target.str() == target && a.target.key.env == env) return a;
    }
    return std::nullopt;
  }

 private:
  core::FakeClock clock_;
  SystemTime origin_;
  std::unique_ptr<RuleEngine> engine_;
  std::vector<ScriptedCheck> checks_;
  std::vector<std::string> log_;
  std::vector<AlertTransition> transitions_;
  std::vector<core::RunRecord> stored_;
};

/// Minutes after kT0.
inline SystemTime at(int minutes, int seconds = 0) {
  return kT0 + std::chrono::minutes{minutes} + std::chrono::seconds{seconds};
}

}  // namespace shopwatch::rules::test
