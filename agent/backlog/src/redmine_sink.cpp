// Placeholder (lead's link stub until the Redmine sink lands): answers Dead to everything.
#include "shopwatch/agent/backlog/redmine_sink.h"

namespace shopwatch::agent::backlog {
struct RedmineSink::Impl {};
RedmineSink::RedmineSink(RedmineSettings, std::string, std::unique_ptr<HttpClient>, const core::Clock*)
    : impl_(std::make_unique<Impl>()) {}
RedmineSink::~RedmineSink() = default;
SendResult RedmineSink::send(const OutboxAction&, const IncidentFacts&, const std::optional<Ticket>&, bool) {
  SendResult r;
  r.status = SendStatus::Dead;
  r.error = "placeholder";
  return r;
}
}  // namespace shopwatch::agent::backlog
