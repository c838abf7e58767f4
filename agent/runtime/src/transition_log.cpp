#include "shopwatch/agent/runtime/transition_log.h"

#include <chrono>
#include <utility>
#include <vector>

#include "shopwatch/core/redact.h"
#include "shopwatch/core/text.h"

namespace shopwatch::agent::runtime {

namespace {

std::string failureText(const core::Check& spec, const core::ProbeResult& result) {
  // Redact first: truncating first could cut a secret in half and let its prefix through.
  std::string message = core::redact(result.message, spec.secrets);
  core::truncateUtf8(message, TransitionLog::kMaxMessageBytes);
  return message;
}

}  // namespace

TransitionLog::TransitionLog(std::size_t capacity, std::size_t per_drain)
    : capacity_(capacity), per_drain_(per_drain) {}

bool TransitionLog::push(TransitionLevel level, std::string text) {
  std::lock_guard lock(mu_);
  if (lines_.size() >= capacity_) {
    ++dropped_total_;
    ++(level == TransitionLevel::Debug ? dropped_debug_since_drain_ : dropped_since_drain_);
    return false;
  }
  lines_.push_back(Line{level, std::move(text)});
  return true;
}

bool TransitionLog::pushChange(const core::Check& spec, bool up,
                               const core::ProbeResult& result) {
  if (up) {
    return push(TransitionLevel::Info,
                "check " + spec.key.str() + " (" + spec.key.env + ") is up again");
  }
  std::string text = "check " + spec.key.str() + " (" + spec.key.env + ") is down: ";
  text += core::toString(result.failure);
  text += ": ";
  text += failureText(spec, result);
  return push(TransitionLevel::Warn, std::move(text));
}

bool TransitionLog::pushConfirmPending(const core::Check& spec,
                                       const core::ProbeResult& result) {
  std::string text = "check " + spec.key.str() + " failed (";
  text += core::toString(result.failure);
  text += "), confirm re-check in " +
          std::to_string(
              std::chrono::duration_cast<std::chrono::milliseconds>(spec.schedule.confirm_delay).count()) +
          " ms";
  return push(TransitionLevel::Debug, std::move(text));
}

std::size_t TransitionLog::drain(const Sink& sink) {
  std::deque<Line> lines;
  std::uint64_t more_changes = 0;
  std::uint64_t more_debug = 0;
  {
    std::lock_guard lock(mu_);
    lines.swap(lines_);
    more_changes = dropped_since_drain_;
    more_debug = dropped_debug_since_drain_;
    dropped_since_drain_ = 0;
    dropped_debug_since_drain_ = 0;
  }
  std::size_t written = 0;
  for (const Line& line : lines) {
    if (written < per_drain_) {
      sink(line.level, line.text);
      ++written;
    } else {
      ++(line.level == TransitionLevel::Debug ? more_debug : more_changes);
    }
  }
  // Confirm-pending lines are failures awaiting a re-check, not state changes: they get their own
  // (debug) summary so the warning counts only checks that really went up or down.
  if (more_changes > 0) {
    sink(TransitionLevel::Warn, "… and " + std::to_string(more_changes) + " more check" +
                                    (more_changes == 1 ? "" : "s") + " changed state (not logged)");
    ++written;
  }
  if (more_debug > 0) {
    sink(TransitionLevel::Debug, "… and " + std::to_string(more_debug) + " more failure" +
                                     (more_debug == 1 ? "" : "s") +
                                     " awaiting a confirm re-check (not logged)");
    ++written;
  }
  return written;
}

std::uint64_t TransitionLog::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_total_;
}

}  // namespace shopwatch::agent::runtime
