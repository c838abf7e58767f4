#pragma once
/// Private: what both tracker sinks' send() do around their own steps (Jira, Redmine): the requests
/// an action made are counted, an Open goes to `open`, any other action to `update` — or, when no
/// issue is recorded for the incident, is skipped as delivered (nothing to update).

#include <spdlog/spdlog.h>

#include <optional>
#include <string>
#include <string_view>

#include "json_rest.h"
#include "shopwatch/agent/backlog/sink.h"

namespace shopwatch::agent::backlog::detail {

/// `tracker`: the log prefix ("jira"); `display`: the tracker's name in words ("Jira");
/// `recorded`: whether `ticket` names an issue.
template <typename Open, typename Update>
SendResult trackerSend(JsonRest& api, std::string_view tracker, std::string_view display,
                       const OutboxAction& action, const IncidentFacts& facts,
                       const std::optional<Ticket>& ticket, bool recorded, Open&& open,
                       Update&& update) {
  api.takeCodes();
  SendResult out;
  if (action.kind == ActionKind::Open) {
    out = open();
  } else if (!ticket || !recorded) {
    spdlog::info("{}: {} of {} skipped: no {} issue is recorded for this incident", tracker,
                 actionKindName(action.kind), facts.fingerprint, display);
    out.error = "no " + std::string(display) + " issue recorded for this incident: nothing to update";
  } else {
    out = update(*ticket);
  }
  out.request_codes = api.takeCodes();
  if (out.http_code == 0 && !out.request_codes.empty()) out.http_code = out.request_codes.back();
  return out;
}

}  // namespace shopwatch::agent::backlog::detail
