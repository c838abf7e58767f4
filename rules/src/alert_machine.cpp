#include "alert_machine.h"

namespace shopwatch::rules::detail {
namespace {

StepOutcome begin(const AlertRecord& alert) {
  StepOutcome out;
  out.from = alert.state;
  out.from_severity = alert.severity;
  return out;
}

StepOutcome changedFrom(StepOutcome out) {
  out.changed = true;
  return out;
}

void setReason(AlertRecord& alert, std::string_view reason) {
  // Assigning only on a change keeps the evaluation loop free of string building.
  if (alert.suppressed_by != reason) alert.suppressed_by.assign(reason.data(), reason.size());
}

void enterOk(AlertRecord& alert, core::SystemTime now) {
  if (alert.state == AlertState::Firing) alert.resolved_at = now;
  alert.state = AlertState::Ok;
  alert.since = now;
  alert.breach_since.reset();
  alert.healthy_since.reset();
  alert.suppressed_by.clear();
}

void enterPending(AlertRecord& alert, core::SystemTime now) {
  alert.state = AlertState::Pending;
  alert.since = now;
  alert.breach_since = now;
  alert.healthy_since.reset();
  alert.suppressed_by.clear();
}

void enterFiring(AlertRecord& alert, core::SystemTime now) {
  alert.state = AlertState::Firing;
  alert.since = now;
  if (!alert.breach_since) alert.breach_since = now;
  alert.fired_at = now;
  alert.resolved_at.reset();
  alert.healthy_since.reset();
  alert.peak = alert.value;
  alert.suppressed_by.clear();
}

void enterSuppressed(AlertRecord& alert, core::SystemTime now, std::string_view reason) {
  alert.state = AlertState::Suppressed;
  alert.since = now;
  alert.healthy_since.reset();
  setReason(alert, reason);
}

void trackPeak(AlertRecord& alert, bool higher_is_worse) {
  if (!alert.value) return;
  const double v = *alert.value;
  if (!alert.peak || (higher_is_worse ? v > *alert.peak : v < *alert.peak)) alert.peak = v;
}

}  // namespace

StepOutcome stepRuleAlert(AlertRecord& alert, const RuleInput& in) {
  StepOutcome out = begin(alert);
  alert.value = in.value;
  const bool has_data = in.value.has_value();
  const bool breached = has_data && in.breached;
  const bool healthy = has_data && !in.breached;
  const bool suppressing = !in.suppressed_by.empty();

  switch (alert.state) {
    case AlertState::Ok:
      if (!breached) return out;
      if (suppressing) {
        enterSuppressed(alert, in.now, in.suppressed_by);
        alert.breach_since = in.now;
        return changedFrom(out);
      }
      enterPending(alert, in.now);
      if (in.for_duration.count() <= 0) enterFiring(alert, in.now);
      return changedFrom(out);

    case AlertState::Pending:
      if (healthy && !alert.flapping) {
        enterOk(alert, in.now);
        return changedFrom(out);
      }
      if (suppressing) {
        enterSuppressed(alert, in.now, in.suppressed_by);
        return changedFrom(out);
      }
      if (!breached) return out;  // no data, or healthy while flapping: the timer holds
      if (!alert.breach_since) alert.breach_since = alert.since;
      if (in.now - *alert.breach_since >= in.for_duration) {
        enterFiring(alert, in.now);
        return changedFrom(out);
      }
      return out;

    case AlertState::Firing:
      if (breached) {
        alert.healthy_since.reset();
        trackPeak(alert, in.higher_is_worse);
        return out;
      }
      if (!healthy) return out;  // no data: a firing alert does not resolve
      if (!alert.healthy_since) alert.healthy_since = in.now;
      if (alert.flapping) return out;
      if (in.now - *alert.healthy_since >= in.clear_for) {
        enterOk(alert, in.now);
        return changedFrom(out);
      }
      return out;

    case AlertState::Suppressed:
      if (suppressing) {
        setReason(alert, in.suppressed_by);
        return out;
      }
      if (breached) {
        // `for` counts from the end of the suppression.
        enterPending(alert, in.now);
        if (in.for_duration.count() <= 0) enterFiring(alert, in.now);
      } else if (healthy) {
        enterOk(alert, in.now);
      } else {
        // No data yet (the window held only maintenance runs): wait for the first run after the
        // suppression rather than flicker through ok.
        return out;
      }
      return changedFrom(out);
  }
  return out;
}

StepOutcome stepSloAlert(AlertRecord& alert, const SloInput& in) {
  StepOutcome out = begin(alert);
  alert.value = in.value;
  const bool suppressing = !in.suppressed_by.empty();
  auto takeTier = [&] {
    alert.severity = in.severity;
    alert.threshold = in.threshold;
    if (alert.expr != in.expr) alert.expr.assign(in.expr.data(), in.expr.size());
  };

  switch (alert.state) {
    case AlertState::Ok:
    case AlertState::Pending:  // SLO alerts have no `for`; a restored pending one decides now
      if (!in.breached) {
        if (alert.state == AlertState::Ok) return out;
        enterOk(alert, in.now);
        return changedFrom(out);
      }
      takeTier();
      if (suppressing) {
        enterSuppressed(alert, in.now, in.suppressed_by);
        alert.breach_since = in.now;
      } else {
        enterFiring(alert, in.now);
        alert.breach_since = in.now;
      }
      return changedFrom(out);

    case AlertState::Firing:
      if (in.breached) {
        alert.healthy_since.reset();
        trackPeak(alert, true);
        const bool escalated = in.severity != alert.severity;
        takeTier();
        if (escalated) return changedFrom(out);
        return out;
      }
      if (!alert.healthy_since) alert.healthy_since = in.now;
      if (alert.flapping) return out;
      enterOk(alert, in.now);
      return changedFrom(out);

    case AlertState::Suppressed:
      if (suppressing) {
        setReason(alert, in.suppressed_by);
        if (in.breached) takeTier();
        return out;
      }
      if (in.breached) {
        takeTier();
        alert.breach_since = in.now;
        enterFiring(alert, in.now);
      } else {
        enterOk(alert, in.now);
      }
      return changedFrom(out);
  }
  return out;
}

StepOutcome stepConnectivityAlert(AlertRecord& alert, core::SystemTime now, bool lost) {
  StepOutcome out = begin(alert);
  const bool firing = alert.state == AlertState::Firing;
  if (lost == firing) return out;
  if (lost) {
    alert.breach_since = now;
    enterFiring(alert, now);
  } else {
    enterOk(alert, now);
  }
  return changedFrom(out);
}

}  // namespace shopwatch::rules::detail
