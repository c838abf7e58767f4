#include "shopwatch/agent/backlog/outbox.h"

#include <array>

namespace shopwatch::agent::backlog {

namespace {

constexpr std::array<ActionKind, 5> kKinds{ActionKind::Open, ActionKind::Escalate,
                                           ActionKind::Digest, ActionKind::Resolve,
                                           ActionKind::Retire};

}  // namespace

std::string_view actionKindName(ActionKind k) {
  switch (k) {
    case ActionKind::Open:
      return "open";
    case ActionKind::Escalate:
      return "escalate";
    case ActionKind::Digest:
      return "digest";
    case ActionKind::Resolve:
      return "resolve";
    case ActionKind::Retire:
      return "retire";
  }
  return "open";
}

std::optional<ActionKind> parseActionKind(std::string_view text) {
  for (auto k : kKinds)
    if (actionKindName(k) == text) return k;
  return std::nullopt;
}

std::string_view actionStateName(ActionState s) {
  switch (s) {
    case ActionState::Pending:
      return "pending";
    case ActionState::Done:
      return "done";
    case ActionState::Dead:
      return "dead";
  }
  return "pending";
}

}  // namespace shopwatch::agent::backlog
