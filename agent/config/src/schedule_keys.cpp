// The schedule keys of a check: when it runs, how long a run may take, the confirm re-check.
// Their derived defaults and cross-key rules are check_finalize.cpp.
#include "check_appliers.h"

namespace shopwatch::agent::detail {

void applyInterval(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (auto v = ctx.duration(e.value, e.path)) d.check.schedule.interval = *v;
}

void applyTimeout(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (auto v = ctx.duration(e.value, e.path)) d.check.schedule.timeout = *v;
}

void applyJourneyTimeout(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (auto v = ctx.duration(e.value, e.path)) d.check.schedule.timeout = *v;
}

void applyConfirm(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (auto v = ctx.boolean(e.value, e.path)) d.check.schedule.confirm = *v;
}

void applyConfirmDelay(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (auto v = ctx.duration(e.value, e.path)) d.check.schedule.confirm_delay = *v;
}

void applyHistogram(ParseContext& ctx, const MapEntry& e, CheckDraft& d) {
  if (auto v = ctx.boolean(e.value, e.path)) d.check.histogram = *v;
}

}  // namespace shopwatch::agent::detail
