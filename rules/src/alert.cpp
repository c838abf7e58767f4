#include "shopwatch/rules/alert.h"

namespace shopwatch::rules {

std::string_view alertStateName(AlertState s) {
  switch (s) {
    case AlertState::Ok:
      return "ok";
    case AlertState::Pending:
      return "pending";
    case AlertState::Firing:
      return "firing";
    case AlertState::Suppressed:
      return "suppressed";
  }
  return "ok";
}

std::optional<AlertState> parseAlertState(std::string_view text) {
  for (AlertState s :
       {AlertState::Ok, AlertState::Pending, AlertState::Firing, AlertState::Suppressed}) {
    if (text == alertStateName(s)) return s;
  }
  return std::nullopt;
}

std::string_view AlertRecord::apiState() const {
  // An ok alert that fired before is shown as resolved, so the API tells "never fired" from
  // "recovered" (the demo's break-and-fix walk-through ends on `resolved`).
  if (state == AlertState::Ok && (resolved_at || fired_at)) return "resolved";
  return alertStateName(state);
}

}  // namespace shopwatch::rules
